"""Refusing oversized request bodies with a 413 in the usual error envelope."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gambit.api.errors import http_error_response


class BodyLimitMiddleware:
    """Answers 413 before reading a body whose Content-Length is too big, and stops
    reading a streamed (chunked) body as soon as it grows past the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # Raised inside the route's body read; the error handlers answer it with
                # the same words as `_too_large`.
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, receive_within_limit, send)

    def _detail(self) -> str:
        return f"request bodies are limited to {self.max_bytes} bytes"

    def _too_large(self) -> ASGIApp:
        return http_error_response(413, self._detail())
