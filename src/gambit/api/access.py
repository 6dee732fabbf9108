"""Each request's id, access line and HTTP metrics, in one pure ASGI middleware.

The request id is the client's ``X-Request-ID`` when it is a sane one (printable, at
most 128 characters), else a new uuid4; it is echoed in the response and set in
`gambit.logs.request_id` for every line logged while the request is handled. The access
line (logger ``gambit.access``, INFO) names the client as the rate limits do and hides
the values of secret-bearing query parameters (``?token=``). A WebSocket gets a line
when it is accepted (101) and one when it closes (its close code, and how long it was
open).

HTTP metrics are labelled with the route's template (``/api/v1/games/{gameId}``), not
the path, so that their number stays bounded whatever clients send.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_plus

from fastapi.routing import iter_route_contexts
from prometheus_client.metrics import Counter, Histogram
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gambit.api.net import client_address
from gambit.logs import ACCESS_LOGGER, request_id
from gambit.metrics import HTTP_DURATION, HTTP_REQUESTS
from gambit.settings import IPNetwork

log = logging.getLogger(ACCESS_LOGGER)

REQUEST_ID_HEADER = b"x-request-id"
UNMATCHED = "unmatched"
"""The route label of requests no route answers (404s of unknown paths)."""
SECRET_PARAMETERS = frozenset(
    {"token", "access_token", "refresh_token", "refreshtoken", "password", "secret", "key"}
)
_SANE_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,128}")

Series = tuple[Counter, Histogram]
Template = tuple[re.Pattern[str], str]  # a route's path pattern, and its template


class AccessMiddleware:
    def __init__(
        self, app: ASGIApp, *, routes: Sequence[BaseRoute], trusted_proxies: Sequence[IPNetwork]
    ) -> None:
        self.app = app
        self.routes = routes  # the application's: complete by the first request
        self.trusted_proxies = trusted_proxies
        self._series: dict[tuple[str, str, int], Series] = {}
        self._templates: list[Template] = []  # in the order the router tries them
        self._templates_of: dict[int, list[Template]] = {}  # by id of the route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid = _request_id(scope)
        header = (REQUEST_ID_HEADER, rid.encode())
        status = 500  # unless a response starts: an unhandled error's, answered outside

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        reset = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            # Left set: the error handler outside this middleware logs the error under
            # the request's id (each request runs in a task, and context, of its own).
            self._done(scope, status, started)
            raise
        self._done(scope, status, started)
        request_id.reset(reset)

    def _done(self, scope: Scope, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        self._count(scope, status, seconds)
        self._log(scope, status, seconds)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid = _request_id(scope)
        header = (REQUEST_ID_HEADER, rid.encode())
        accepted = False
        close_code = 1006  # no close frame: the connection dropped

        async def send_with_id(message: Message) -> None:
            nonlocal accepted, close_code
            if message["type"] == "websocket.accept":
                accepted = True
                message["headers"] = [*message.get("headers", ()), header]
                self._log(scope, 101, time.perf_counter() - started)
            elif message["type"] == "websocket.close":
                close_code = message.get("code", 1000)
            await send(message)

        async def receive_close() -> Message:
            nonlocal close_code
            message = await receive()
            if message["type"] == "websocket.disconnect":
                close_code = message.get("code", 1000)
            return message

        reset = request_id.set(rid)
        try:
            await self.app(scope, receive_close, send_with_id)
        finally:
            # Refused before the handshake, uvicorn answers 403.
            self._log(scope, close_code if accepted else 403, time.perf_counter() - started)
            request_id.reset(reset)

    def _count(self, scope: Scope, status: int, seconds: float) -> None:
        method: str = scope["method"]
        route = self._template(scope)
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            labels = (method, route, str(status))
            series = self._series[key] = (
                HTTP_REQUESTS.labels(*labels),
                HTTP_DURATION.labels(*labels),
            )
        series[0].inc()
        series[1].observe(seconds)

    def _template(self, scope: Scope) -> str:
        """The template of the route that answered (or would have answered) the request."""
        if not self._templates:
            for context in iter_route_contexts(self.routes):
                if context.path_format is not None:
                    known = (context.path_regex, context.path_format)
                    self._templates.append(known)
                    self._templates_of.setdefault(id(context.original_route), []).append(known)
        # A router included under several prefixes routes them all to one route object.
        candidates = self._templates_of.get(id(scope.get("route")))
        if candidates is not None and len(candidates) == 1:
            return candidates[0][1]
        # Else the request was refused before routing (a rate limit, a body too large),
        # or no route took it.
        path: str = scope["path"]
        for pattern, template in candidates or self._templates:
            if pattern.match(path):
                return template
        return UNMATCHED

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        client = client_address(scope, self.trusted_proxies)
        method = scope.get("method", "WS")
        path: str = scope["path"]
        query = redacted(scope["query_string"])
        milliseconds = round(seconds * 1000, 2)
        fields: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": query or None,
            "status": status,
            "duration_ms": milliseconds,
            "client": client,
        }
        target = f"{path}?{query}" if query else path
        log.info(
            '%s "%s %s" %d %.2f ms', client, method, target, status, milliseconds, extra=fields
        )


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if _SANE_REQUEST_ID.fullmatch(value):
                return str(value.decode("ascii"))
            break
    return _new_request_id()


_UUID4_CLEARED = ~(0xF000 << 64 | 0xC000 << 48)
_UUID4_BITS = 0x4000 << 64 | 0x8000 << 48


def _new_request_id() -> str:
    """A uuid4 in hex: its version and variant bits over 122 pseudo-random ones. An id
    only has to be unique, and uuid.uuid4() (os.urandom, a system call) costs a request
    several microseconds more."""
    return f"{random.getrandbits(128) & _UUID4_CLEARED | _UUID4_BITS:032x}"


def redacted(query_string: bytes) -> str:
    """The query string as sent, with the values of secret-bearing parameters as ``***``."""
    if not query_string:
        return ""
    parts = query_string.decode("latin-1").split("&")
    for index, part in enumerate(parts):
        name, equals, _ = part.partition("=")
        if equals and unquote_plus(name).lower() in SECRET_PARAMETERS:
            parts[index] = f"{name}=***"
    return "&".join(parts)
