"""Logging: one configuration for gambit, uvicorn and the libraries, as text or JSON.

Every record written while a request (or a WebSocket connection) is handled carries its
request id, whoever logs it: the access middleware sets `request_id` and a filter on the
handler copies it into each record. JSON logs are one object per line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any

from gambit.settings import Settings

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being handled, set by `gambit.api.access`."""

ACCESS_LOGGER = "gambit.access"
ACCESS_FIELDS = ("method", "path", "query", "status", "duration_ms", "client")
"""What an access line says besides its message (`gambit.api.access`)."""

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"

# Loggers that below WARNING would write SQL and its parameters, form fields or WebSocket
# frames: password hashes, tokens. Kept at WARNING even with --debug.
_INDISCREET = ("aiosqlite", "sqlalchemy", "asyncpg", "websockets", "multipart", "python_multipart")
# uvicorn's own line for each WebSocket handshake holds the query string (a ?token=);
# the access middleware writes a redacted one instead.
_UVICORN_WEBSOCKET_LINE = '%s - "WebSocket %s"'


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or None) on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        record.request_id = current
        record.request_tag = f" [{current}]" if current else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id when there
    is one, an access line's fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _iso_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := getattr(record, "request_id", None):
            entry["request_id"] = rid
        for name in ACCESS_FIELDS:
            if (value := getattr(record, name, None)) is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _iso_time(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


def _not_a_websocket_handshake(record: logging.LogRecord) -> bool:
    return not (isinstance(record.msg, str) and record.msg.startswith(_UVICORN_WEBSOCKET_LINE))


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes, not to the one there was
    when it was made: a command run in-process (tests) may have its streams swapped."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure(settings: Settings) -> None:
    """Send every log record, uvicorn's too, to standard error in ``LOG_FORMAT``: INFO and
    up (every request's access line included), DEBUG with ``API_DEBUG``. Configuring again
    replaces only gambit's own handler."""
    handler = _StandardError()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in root.handlers[:]:
        if isinstance(old, _StandardError):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if settings.api_debug else logging.INFO)
    # What neither format writes, each record would otherwise look up (the logging
    # documentation's "Optimization"): an access line per request makes it count.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name in _INDISCREET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's loggers are left without handlers of their own (`gambit.api.server`), so
    # they write through this one.
    logging.getLogger("uvicorn.error").addFilter(_not_a_websocket_handshake)
