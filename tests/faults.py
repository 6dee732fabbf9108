"""Faults to inject into a running test server: a TCP proxy that can cut its connections.

Put the proxy between a server and its PostgreSQL, then pull the plug::

    with database("postgres", tmp_path) as url, TcpProxy.to_database(url) as proxy:
        server = start_server(proxy.database_url)
        proxy.cut()      # open connections are reset, new ones are refused
        ...              # the server meets a database that is down
        proxy.restore()  # the database is reachable again, at the same address

To fail a change half way, cut as a server of this process (`start_server`) sends one
of its statements::

    with proxy.cut_on("INSERT INTO refresh_tokens"):
        response = client.post("/auth/register", json=...)

The proxy runs its own event loop in a daemon thread, so it serves servers and clients of
any thread or loop; every method is called from the test's thread and returns once done.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

T = TypeVar("T")

_CHUNK = 64 * 1024


class TcpProxy:
    """Forwards connections to ``127.0.0.1:<port>`` on to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int, database_url: str = "") -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        """The local port; fixed by `start` and kept across `cut` and `restore`."""
        self._database_url = database_url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="tcp-proxy", daemon=True
        )
        self._listener: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._cuts = 0

    @classmethod
    def to_database(cls, database_url: str) -> TcpProxy:
        """A proxy to the server of a SQLAlchemy URL (``postgresql+asyncpg://…``)."""
        url = make_url(database_url)
        return cls(url.host or "127.0.0.1", url.port or 5432, database_url)

    @property
    def database_url(self) -> str:
        """The URL given to `to_database`, reaching the same database through the proxy."""
        if not self._database_url:
            raise ValueError("this proxy was not made by TcpProxy.to_database")
        url = make_url(self._database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    @property
    def is_cut(self) -> bool:
        """True while connections are refused: after `cut` (or before `start`)."""
        return self._listener is None

    def start(self) -> TcpProxy:
        """Listen on a free local port (`port`) and forward from then on."""
        self._thread.start()
        self._run(self._listen())
        return self

    def cut(self) -> None:
        """Reset every open connection and refuse new ones, as a server that went down."""
        self._run(self._cut())

    def restore(self) -> None:
        """Accept and forward connections again, on the same port."""
        self._run(self._listen())

    @contextmanager
    def cut_on(self, statement: str) -> Iterator[None]:
        """Within the block, `cut` just before any engine of this process sends SQL that
        starts with ``statement`` (as the database sees it, e.g. ``UPDATE users``)."""

        def before_execute(_connection: Any, _cursor: Any, sql: str, *_: Any) -> None:
            if sql.startswith(statement) and not self.is_cut:
                self.cut()

        event.listen(Engine, "before_cursor_execute", before_execute)
        try:
            yield
        finally:
            event.remove(Engine, "before_cursor_execute", before_execute)

    def close(self) -> None:
        """Cut everything and stop the proxy's thread."""
        if self._thread.is_alive():
            self._run(self._close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._listener is None:
            self._listener = await asyncio.start_server(
                self._forward, "127.0.0.1", self.port, reuse_address=True
            )
            self.port = self._listener.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        self._cuts += 1
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for writer in self._connections:
            writer.transport.abort()
        self._connections.clear()

    async def _close(self) -> None:
        await self._cut()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _forward(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            await self._connect(client_in, client)
        finally:
            self._handlers.discard(handler)

    async def _connect(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        cuts = self._cuts
        try:
            target_in, target = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client.transport.abort()
            return
        if cuts != self._cuts:  # cut while this connection was being made
            client.transport.abort()
            target.transport.abort()
            return
        pair = {client, target}
        self._connections |= pair
        pipes = [
            asyncio.create_task(_pipe(client_in, target)),
            asyncio.create_task(_pipe(target_in, client)),
        ]
        # Either side closing ends the connection: a database session has no half-close.
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        for writer in pair:
            writer.transport.abort()
        self._connections -= pair


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(_CHUNK):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass  # the other side's end, or a cut: the connection is over either way
