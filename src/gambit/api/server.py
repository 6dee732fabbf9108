"""uvicorn, configured from the settings, telling WebSocket clients before it stops."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

from gambit.settings import Settings

# Frames over the protocol's 16 KB get an error event from the app; beyond this the
# WebSocket library itself closes with 1009 before reading them.
WS_FRAME_LIMIT = 1024 * 1024


def config(app: FastAPI, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration of ``gambit serve`` (and of the test servers)."""
    options: dict[str, Any] = {
        "host": settings.api_host,
        "port": settings.api_port,
        "proxy_headers": False,  # X-Forwarded-For is judged by TRUSTED_PROXIES instead
        "log_level": "debug" if settings.api_debug else "info",
        "access_log": settings.api_debug,
        "ssl_certfile": settings.ssl_certfile,
        "ssl_keyfile": settings.ssl_keyfile,
        "ws": "websockets-sansio",
        "ws_max_size": WS_FRAME_LIMIT,
        "ws_ping_interval": settings.ws_ping_interval,
        "ws_ping_timeout": settings.ws_pong_timeout,
        # Events are small; compressing each one once per watcher would cost more CPU
        # than the bandwidth it saves when a thousand spectators watch one battle.
        "ws_per_message_deflate": False,
    }
    return uvicorn.Config(app, **(options | overrides))


class Server(uvicorn.Server):
    """Before it closes the connections, a stopping server sends every WebSocket client
    ``system:restart`` and a ``disconnect`` saying why, then closes them with 1012."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        hub = getattr(getattr(app, "state", None), "hub", None)
        if hub is not None:
            await hub.close_all(
                [
                    ("system:restart", {"message": "the server is restarting"}),
                    ("disconnect", {"reason": "server restart"}),
                ],
                code=1012,
            )
        await super().shutdown(sockets)
