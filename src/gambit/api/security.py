"""Security headers on every response, and refusing plain HTTP when HTTPS is required.

The API only ever answers JSON, so its Content-Security-Policy forbids everything; the
web face's pages may load the server's own scripts and styles, and ``/docs`` and
``/redoc`` the Swagger UI and ReDoc bundles the server serves itself.
``Strict-Transport-Security`` is sent only over HTTPS (directly, or as a trusted proxy
reports with ``X-Forwarded-Proto``). When HTTPS is required, a plain WebSocket is refused
too (its URL may carry a token); health checks and metrics scrapes, which carry no
credentials and come from the machine's own monitoring, may stay plain.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gambit.api.errors import error_response
from gambit.api.net import is_trusted_peer
from gambit.api.web import is_page
from gambit.settings import IPNetwork

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY = (  # FastAPI's pages start Swagger UI and ReDoc with an inline script
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)
WEB_POLICY = (
    "default-src 'self'; "
    "img-src 'self' data:; "  # chessground's pieces are data: images in its stylesheet
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
PLAIN_ALLOWED = frozenset({"/health", "/health/ready", "/metrics"})
HSTS = "max-age=31536000; includeSubDomains"

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityMiddleware:
    def __init__(
        self, app: ASGIApp, *, require_https: bool, trusted_proxies: Sequence[IPNetwork]
    ) -> None:
        self.app = app
        self.require_https = require_https
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if self.require_https and not self._is_https(scope):
                await receive()  # websocket.connect; a close before accepting answers 403
                await send({"type": "websocket.close", "code": 1008, "reason": "HTTPS required"})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self._is_https(scope)
        headers = dict(_COMMON)
        path: str = scope["path"]
        if path.startswith(DOCS_PATHS):
            headers["Content-Security-Policy"] = DOCS_POLICY
        elif is_page(path):
            headers["Content-Security-Policy"] = WEB_POLICY
        else:
            headers["Content-Security-Policy"] = API_POLICY
        if secure:
            headers["Strict-Transport-Security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        if self.require_https and not secure and path not in PLAIN_ALLOWED:
            await self._refuse(scope)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _is_https(self, scope: Scope) -> bool:
        if scope.get("scheme") in ("https", "wss"):
            return True
        if not is_trusted_peer(scope, self.trusted_proxies):
            return False
        forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
        return forwarded.split(",")[-1].strip().lower() == "https"

    @staticmethod
    def _refuse(scope: Scope) -> ASGIApp:
        if scope["method"] in ("GET", "HEAD"):
            return RedirectResponse(URL(scope=scope).replace(scheme="https"), status_code=308)
        return error_response(403, "FORBIDDEN", "HTTPS required", "send this request over https://")
