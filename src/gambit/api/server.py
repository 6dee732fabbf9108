"""uvicorn, configured from the settings, telling WebSocket clients before it stops and
able to drop one that does not read."""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from gambit.api.banner import banner
from gambit.api.ws.hub import ABORT_EXTENSION
from gambit.settings import Settings

log = logging.getLogger("gambit")

# Frames over the protocol's 16 KB get an error event from the app; beyond this the
# WebSocket library itself closes with 1009 before reading them.
WS_FRAME_LIMIT = 1024 * 1024


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, offering the app a way to drop a connection at once.

    ASGI has none: ``websocket.close`` waits for room in the send buffer, and the closing
    handshake for the client to read everything sent before it, so a client that stopped
    reading holds its connection, and the kernel's buffers for it, for ever. The app finds
    ``abort`` under ``scope["extensions"][ABORT_EXTENSION]``.
    """

    async def run_asgi(self) -> None:
        self.scope.setdefault("extensions", {})[ABORT_EXTENSION] = {"abort": self.abort}
        await super().run_asgi()

    def abort(self) -> None:
        """Reset the TCP connection, dropping whatever is still unsent; nothing if it is
        already gone."""
        if self.disconnected:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            # Closing without lingering sends a reset and frees the unsent data at once,
            # rather than leaving the kernel to deliver it to a client that never reads.
            with contextlib.suppress(OSError):  # Windows lays out struct linger otherwise
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        # uvicorn's close then waits for the client to read everything sent before it:
        # give it as long as it had to answer the ping, as the hub does, then reset.
        self.loop.call_later(self.ping_timeout or 0, self.abort)


def config(app: FastAPI, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration of ``gambit serve`` (and of the test servers)."""
    options: dict[str, Any] = {
        "host": settings.api_host,
        "port": settings.api_port,
        "proxy_headers": False,  # X-Forwarded-For is judged by TRUSTED_PROXIES instead
        # uvicorn's loggers get no handlers of their own: they write through those of
        # gambit.logs.configure. Its access log is off: gambit.api.access writes one.
        "log_config": None,
        "log_level": "debug" if settings.api_debug else "info",
        "access_log": False,
        "ssl_certfile": settings.ssl_certfile,
        "ssl_keyfile": settings.ssl_keyfile,
        "ws": WebSocketProtocol,
        "ws_max_size": WS_FRAME_LIMIT,
        "ws_ping_interval": settings.ws_ping_interval,
        "ws_ping_timeout": settings.ws_pong_timeout,
        # Events are small; compressing each one once per watcher would cost more CPU
        # than the bandwidth it saves when a thousand spectators watch one battle.
        "ws_per_message_deflate": False,
    }
    return uvicorn.Config(app, **(options | overrides))


class Server(uvicorn.Server):
    """Once it listens, a server logs where and on what it runs (`gambit.api.banner`).
    Before it closes the connections, a stopping server sends every WebSocket client
    ``system:restart`` and a ``disconnect`` saying why, then closes them with 1012, and
    ends the lichess streams."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        state = getattr(self.config.app, "state", None)
        if self.started and state is not None:
            port = self.servers[0].sockets[0].getsockname()[1]
            for line in banner(state.settings, state.services, port):
                log.info("%s", line)

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
        services = getattr(getattr(app, "state", None), "services", None)
        if services is not None:
            services.lichess.close()  # its NDJSON streams end, or the server would wait
        await super().shutdown(sockets)
