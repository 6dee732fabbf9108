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


FORM = "application/x-www-form-urlencoded"


def is_form(content_type: str | None) -> bool:
    """True for an HTML form's body: urlencoded, or multipart as ``curl -F`` sends it."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type in (FORM, "multipart/form-data")


class JsonRoute(APIRoute):
    """A route whose POST/PUT/PATCH bodies must say ``Content-Type: application/json``
    (another ``media_type`` in a subclass), or get 415 saying so.

    A request without a body (a bare ``POST /auth/logout``) needs no Content-Type.
    """

    service_errors: ClassVar[ErrorTable] = BATTLE_ERRORS
    media_type: ClassVar[str] = "application/json"
    wanted: ClassVar[str] = ""
    """What to send instead, for the refusal's details."""

    @staticmethod
    def takes(content_type: str | None) -> bool:
        return is_json(content_type)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not BODY_METHODS & (self.methods or set()):
            return handler

        async def require_media_type(request: Request) -> Response:
            content_type = request.headers.get("content-type")
            if has_body(request) and not self.takes(content_type):
                got = f"got {content_type or 'no Content-Type'}"
                raise ApiError(
                    415,
                    "INVALID_CONTENT_TYPE",
                    f"Content-Type must be {self.media_type}",
                    f"{self.wanted}; {got}" if self.wanted else got,
                )
            return await handler(request)

        return require_media_type


class FormRoute(JsonRoute):
    """A route that takes an OAuth2 form, not JSON: ``POST /token``."""

    media_type = FORM
    wanted = f"send username and password as a form ({FORM}), such as username=alice&password=…"

    @staticmethod
    def takes(content_type: str | None) -> bool:
        return is_form(content_type)


class ChessRoute(JsonRoute):
    """A route of the chess face: seed 003's error codes."""

    service_errors = CHESS_ERRORS


class BattleRoute(JsonRoute):
    """A route of the battle face: seed 000's codes, ``BATTLE_NOT_FOUND`` for unknown ids."""

    service_errors = BATTLE_FACE_ERRORS
