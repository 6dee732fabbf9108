"""What the lichess routes share: form bodies, answers and NDJSON streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from gambit.services.errors import InvalidRequest

KEEPALIVE_SECONDS = 7.0
"""lichess sends an empty line this often on its streams; gambit's setting
``LICHESS_KEEPALIVE_SECONDS`` overrides it."""
NDJSON = "application/x-ndjson"


def form_body(properties: dict[str, dict[str, Any]], example: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI of a body of form fields, as lichess takes them, or the same as JSON, as
    berserk sends them, for the routes that read their fields with `fields`. JSON comes
    first, with ``example``: Swagger UI's "Try it out" sends a JSON example as it is, where
    it would fill in every field of a form, the example's or not."""
    schema = {"type": "object", "properties": properties}
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": schema, "example": example},
                "application/x-www-form-urlencoded": {"schema": schema, "example": example},
            }
        }
    }


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
