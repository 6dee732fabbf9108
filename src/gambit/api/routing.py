"""Route classes: JSON bodies only on writes, and each face's table of error codes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.routing import APIRoute

from gambit.api.errors import (
    BATTLE_ERRORS,
    BATTLE_FACE_ERRORS,
    CHESS_ERRORS,
    ApiError,
    ErrorTable,
)

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def is_json(content_type: str | None) -> bool:
    """True for ``application/json`` and ``application/*+json``, with any parameters."""
    if not content_type:
        return False
    media_type = content_type.partition(";")[0].strip().lower()
    maintype, _, subtype = media_type.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith("+json"))


def has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


class JsonRoute(APIRoute):
    """A route whose POST/PUT/PATCH bodies must say ``Content-Type: application/json``.

    A request without a body (a bare ``POST /auth/logout``) needs no Content-Type.
    """

    service_errors: ClassVar[ErrorTable] = BATTLE_ERRORS

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not BODY_METHODS & (self.methods or set()):
            return handler

        async def require_json(request: Request) -> Response:
            if has_body(request) and not is_json(request.headers.get("content-type")):
                raise ApiError(
                    415,
                    "INVALID_CONTENT_TYPE",
                    "Content-Type must be application/json",
                    f"got {request.headers.get('content-type') or 'no Content-Type'}",
                )
            return await handler(request)

        return require_json


class ChessRoute(JsonRoute):
    """A route of the chess face: seed 003's error codes."""

    service_errors = CHESS_ERRORS


class BattleRoute(JsonRoute):
    """A route of the battle face: seed 000's codes, ``BATTLE_NOT_FOUND`` for unknown ids."""

    service_errors = BATTLE_FACE_ERRORS
