"""Paths with a trailing slash answer as they do without one."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class TrailingSlashMiddleware:
    """Drops the trailing slashes of a path (not of ``/``) before routing:
    ``/api/v1/games/`` is ``/api/v1/games``. No route needs a twin with a slash, and no
    client is sent a 307 to follow, which many do not for a POST."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] in ("http", "websocket") and len(path) > 1 and path.endswith("/"):
            scope = dict(scope, path=path.rstrip("/") or "/")
            if raw_path := scope.get("raw_path"):
                scope["raw_path"] = raw_path.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)
