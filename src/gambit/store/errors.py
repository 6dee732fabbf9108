"""How storage fails, in terms its callers can act on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

RETRY_AFTER_SECONDS = 2
"""What a refused change tells its client: try again after this many seconds."""


class StorageUnavailable(Exception):
    """The database cannot take this change now (unreachable, restarting, locked);
    nothing of the change was stored."""

    def __init__(self, reason: str = "the database cannot take changes right now") -> None:
        super().__init__(reason)
        self.retry_after = RETRY_AFTER_SECONDS


class WriteConflict(Exception):
    """Another server process stored a clashing change first; nothing of this one was."""


def is_outage(exc: BaseException) -> bool:
    """True for failures of the database itself rather than of the statement: a dropped
    or refused connection, a server shutting down, a SQLite file locked for too long."""
    if isinstance(exc, IntegrityError):
        return False
    return isinstance(exc, DBAPIError | OSError | TimeoutError | ConnectionError)


@asynccontextmanager
async def refusing_outages(
    opening: AbstractAsyncContextManager[AsyncConnection], doing: str
) -> AsyncIterator[AsyncConnection]:
    """The connection ``opening`` gives; an outage on the way is `StorageUnavailable`
    ("the database could not <doing>")."""
    try:
        async with opening as connection:
            yield connection
    except Exception as exc:
        if is_outage(exc):
            raise StorageUnavailable(f"the database could not {doing} ({brief(exc)})") from exc
        raise


def brief(exc: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's long trailer."""
    text = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
    return text.splitlines()[0][:200]
