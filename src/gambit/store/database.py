"""Opening the database, bringing its schema up to date with Alembic, checking it and
backing up a SQLite file."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
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
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@dataclass(frozen=True, slots=True)
class SchemaRevision:
    """Where a database's schema stands: ``current`` is None before any migration;
    ``known`` is False for a revision these migrations do not have (a newer gambit's)."""

    current: str | None
    latest: str
    known: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.latest


async def schema_revision(engine: AsyncEngine) -> SchemaRevision:
    """The revision the database is at, beside the latest of the migrations; changes nothing."""
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    scripts = ScriptDirectory.from_config(_alembic_config())
    known = current is None or current in {script.revision for script in scripts.walk_revisions()}
    return SchemaRevision(current, scripts.get_current_head() or "", known)


async def integrity_problems(engine: AsyncEngine) -> list[str]:
    """What SQLite's ``PRAGMA integrity_check`` finds wrong with the file, [] if nothing."""
    async with engine.connect() as connection:
        found = [row[0] for row in await connection.execute(text("PRAGMA integrity_check"))]
    return [] if found == ["ok"] else found


def backup_sqlite(source: Path, destination: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Copy the SQLite database ``source`` to ``destination`` (replacing it) through
    SQLite's online backup API: the copy is the database as one transaction saw it, even
    while servers write to it, and they go on writing meanwhile (WAL lets the reader and
    the writers work at once). The copy is made beside ``destination`` and renamed, so a
    failure never leaves half a copy there."""
    partial = destination.with_name(f".{destination.name}.partial")
    # mode=rw: a missing source is an error, not a new empty database.
    reader = sqlite3.connect(f"file:{quote(str(source))}?mode=rw", uri=True, timeout=timeout)
    try:
        partial.unlink(missing_ok=True)
        writer = sqlite3.connect(partial)
        try:
            reader.backup(writer)  # all pages in one step: one snapshot, never restarted
        finally:
            writer.close()
        os.replace(partial, destination)
    finally:
        reader.close()
        partial.unlink(missing_ok=True)
