"""Opening the database and bringing its schema up to date with Alembic."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).parent / "migrations"


DEFAULT_TIMEOUT = 5.0


def open_database(url: str, timeout: float = DEFAULT_TIMEOUT) -> AsyncEngine:
    """An async engine for ``url``. ``timeout`` bounds how long a statement waits for the
    database (to connect, for a PostgreSQL answer, for a SQLite lock) before it fails.

    A SQLite file gets its directory, WAL and a busy timeout; an in-memory SQLite
    database is one connection shared by all.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(
            url,
            pool_pre_ping=True,
            connect_args={"timeout": timeout, "command_timeout": timeout},
        )
    if parsed.database in (None, "", ":memory:"):
        engine = create_async_engine(url, poolclass=StaticPool)
    else:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": timeout})
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(connection: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers work during writes; synchronous=NORMAL still survives a killed
    # process (the WAL is written before commit returns), fsyncing only at checkpoints.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (all migrations by default)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
