"""``gambit db backup`` of a SQLite database that a server is writing to, and ``db check``."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gambit.cli import main
from gambit.store import migrate, open_database
from tests.conftest import LiveServer, ServerProcess
from tests.helpers import new_game, play, register

ITALIAN = ("e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6", "d2d3", "f8c5")


@dataclass
class Game:
    """What a client sent and was told of one game: (monotonic time, plies) pairs."""

    sent: list[tuple[float, int]] = field(default_factory=list)
    acknowledged: list[tuple[float, int]] = field(default_factory=list)

    def plies_acknowledged_by(self, moment: float) -> int | None:
        return max((plies for at, plies in self.acknowledged if at < moment), default=None)

    def plies_sent_by(self, moment: float) -> int | None:
        return max((plies for at, plies in self.sent if at < moment), default=None)


@dataclass
class Stored:
    """A database's rows: every table's, and each battle's version and actions in order."""

    tables: dict[str, set[tuple[Any, ...]]]
    versions: dict[str, int]
    actions: dict[str, list[tuple[Any, ...]]]

    @property
    def plies(self) -> int:
        return sum(len(actions) for actions in self.actions.values())


def _stored(database: Path) -> Stored:
    with closing(sqlite3.connect(database)) as connection:
        names = [
            n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        tables = {name: set(connection.execute(f'SELECT * FROM "{name}"')) for name in names}
        versions = dict(connection.execute("SELECT id, version FROM battles"))
        actions: dict[str, list[tuple[Any, ...]]] = {battle_id: [] for battle_id in versions}
        for row in connection.execute("SELECT * FROM battle_actions ORDER BY battle_id, seq"):
            actions[row[0]].append(row)
    return Stored(tables, versions, actions)


def test_a_backup_taken_while_games_are_played_is_the_database_at_one_moment(
    tmp_path: Path,
    spawn_server: Callable[..., ServerProcess],
    start_server: Callable[..., LiveServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    original, copy = tmp_path / "gambit.db", tmp_path / "backup.db"
    url = f"sqlite+aiosqlite:///{original}"
    server = spawn_server(url)
    games: dict[str, Game] = {}
    stop = threading.Event()

    def play_games() -> None:
        with server.client() as client:
            while not stop.is_set():
                asked = time.monotonic()
                created = new_game(client)
                game = games[created["gameId"]] = Game([(asked, 0)], [(time.monotonic(), 0)])
                for plies, move in enumerate(ITALIAN, 1):
                    game.sent.append((time.monotonic(), plies))
                    play(client, created["gameId"], move)
                    game.acknowledged.append((time.monotonic(), plies))

    with server.client() as client:
        register(client, "alice")  # a table the games do not touch
    players = [threading.Thread(target=play_games) for _ in range(3)]
    for player in players:
        player.start()
    while sum(len(game.acknowledged) for game in list(games.values())) < 30:
        time.sleep(0.01)
    started = time.monotonic()
    assert main(["db", "backup", str(copy), "--database-url", url]) == 0
    ended = time.monotonic()
    while not any(at > ended for game in list(games.values()) for at, _ in game.sent):
        time.sleep(0.01)  # until moves were sent after the backup too
    stop.set()
    for player in players:
        player.join()
    assert capsys.readouterr().out.startswith(f"backed up {original} to {copy} (")

    copied, now = _stored(copy), _stored(original)
    assert copied.tables.keys() == now.tables.keys()
    for table in copied.tables.keys() - {"battles", "battle_actions"}:
        assert copied.tables[table] == now.tables[table], table  # untouched by the games
    assert len(copied.tables["users"]) == 1
    assert copied.versions.keys() <= now.versions.keys()
    # Each change of a battle stores one action and one more version: a header and its
    # actions are of one moment when version less actions is what it always is.
    (offset,) = {now.versions[battle] - len(now.actions[battle]) for battle in now.versions}
    for battle_id, actions in copied.actions.items():
        assert actions == now.actions[battle_id][: len(actions)], battle_id  # row for row
        assert copied.versions[battle_id] - len(actions) == offset, battle_id
        game = games[battle_id]
        sent = game.plies_sent_by(ended)
        assert sent is not None, battle_id  # no game begun after the backup ended
        assert (game.plies_acknowledged_by(started) or 0) <= len(actions) <= sent, battle_id
    assert {
        battle_id
        for battle_id, game in games.items()
        if game.plies_acknowledged_by(started) is not None
    } <= copied.versions.keys()
    assert copied.plies < now.plies  # what came after is not in it

    assert main(["db", "check", "--database-url", f"sqlite+aiosqlite:///{copy}"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "schema: at revision 0008, the latest",
        "integrity: ok",
    ]
    restored = start_server(f"sqlite+aiosqlite:///{copy}")
    with restored.client() as client:
        for battle_id, actions in copied.actions.items():
            moves = client.get(f"/games/{battle_id}").json()["moves"]
            assert moves == list(ITALIAN[: len(actions)]), battle_id


def test_backup_refuses_to_overwrite_and_sends_postgresql_to_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "gambit.db"
    url = ["--database-url", f"sqlite+aiosqlite:///{database}"]
    assert main(["db", "init", *url]) == 0
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    capsys.readouterr()
    assert main(["db", "backup", str(existing), *url]) == 1
    assert (
        capsys.readouterr().err
        == f"gambit: {existing} already exists; add --force to overwrite it\n"
    )
    assert existing.read_text() == "keep me"
    assert main(["db", "backup", str(existing), "--force", *url]) == 0
    assert main(["db", "check", "--database-url", f"sqlite+aiosqlite:///{existing}"]) == 0
    assert main(["db", "backup", str(database), "--force", *url]) == 1
    assert capsys.readouterr().err.endswith(f"gambit: {database} is the database itself\n")
    assert main(["db", "backup", str(tmp_path / "nowhere.db"), "--database-url",
                 f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}"]) == 1  # fmt: skip
    assert "there is no database at" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()

    postgres = "postgresql+asyncpg://app:s3cret@db.example:5432/gambit"
    assert main(["db", "backup", "gambit.dump", "--database-url", postgres]) == 1
    assert capsys.readouterr().err == (
        "gambit: the database is PostgreSQL: back it up with pg_dump, e.g. pg_dump "
        "--format=custom --file=gambit.dump 'postgresql://app:***@db.example:5432/gambit' "
        "(and restore it with pg_restore)\n"
    )


def test_check_says_when_the_schema_is_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"

    async def migrate_to(revision: str) -> None:
        engine = open_database(url)
        try:
            await migrate(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(migrate_to("0007"))
    assert main(["db", "check", "--database-url", url]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"database {url}",
        "schema: at revision 0007, the latest is 0008; bring it up to date with gambit db migrate",
        "integrity: ok",
    ]
    assert main(["db", "migrate", "--database-url", url]) == 0
    assert main(["db", "check", "--database-url", url]) == 0
