"""What the lichess routes share: their errors, who calls, form bodies and NDJSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, ClassVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute

from gambit.api.auth import required_caller
from gambit.api.errors import ErrorTable
from gambit.services import errors as service
from gambit.services.errors import InvalidRequest

KEEPALIVE_SECONDS = 7.0
"""lichess sends an empty line this often on its streams; gambit's setting
``LICHESS_KEEPALIVE_SECONDS`` overrides it."""
NDJSON = "application/x-ndjson"

LICHESS_ERRORS: ErrorTable = {
    service.NotFound: (404, "NOT_FOUND"),
    service.Unauthorized: (401, "UNAUTHORIZED"),
    service.Forbidden: (403, "FORBIDDEN"),
    service.TooManyAttempts: (429, "RATE_LIMIT_EXCEEDED"),
    service.EngineFailed: (503, "ENGINE_ERROR"),
    service.ServiceError: (400, "INVALID_REQUEST"),  # lichess answers 400 to the rest
}


class LichessRoute(APIRoute):
    """A lichess route: bodies are forms (or JSON, as berserk sends), errors have lichess's
    ``error`` field. # wired at merge: the route class of api/lichess/errors.py (helper-tokens)."""

    service_errors: ClassVar[ErrorTable] = LICHESS_ERRORS


def _requires(scope: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The dependency admitting a caller whose token carries ``scope``.

    # wired at merge: requires_scope(scope) of the personal API tokens (helper-tokens).
    """
    return required_caller


def requires(scope: str) -> Any:
    return Depends(_requires(scope))


def ok() -> JSONResponse:
    return JSONResponse({"ok": True})


async def fields(request: Request) -> dict[str, str]:
    """The request's body fields as text: a form, as lichess takes them, or a JSON object,
    as berserk sends them (nulls left out, booleans spelled as in a form)."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise InvalidRequest("the body is not JSON") from None
        if not isinstance(body, dict):
            raise InvalidRequest("the body must be a JSON object")
        return {
            key: (json.dumps(value) if isinstance(value, bool) else str(value))
            for key, value in body.items()
            if value is not None
        }
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def flag(value: str | None, name: str, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise InvalidRequest(f"{name} must be true or false")


def number(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidRequest(f"{name} must be a whole number") from None


def ndjson(lines: AsyncIterator[dict[str, Any] | None]) -> StreamingResponse:
    """A stream of JSON lines; None is a keep-alive, an empty line."""

    async def encoded() -> AsyncIterator[bytes]:
        async for line in lines:
            if line is None:
                yield b"\n"
            else:
                yield json.dumps(line, separators=(",", ":")).encode() + b"\n"

    return StreamingResponse(encoded(), media_type=NDJSON)


def keepalive_seconds(request: Request) -> float:
    return float(request.app.state.settings.lichess_keepalive_seconds)
