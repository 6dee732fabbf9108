"""Battles in the database: version-guarded, group-committed writes and indexed reads.

Every change of a battle is stored on the version it was made on: the header's update
names that version, and finds no row if another process stored a change first
(`WriteConflict`). Writes go through one writer task that commits whatever has queued
up in one transaction (group commit), so many concurrent moves cost one commit; each
caller's ``await`` returns once its change is durable, or raises.

When the database cannot take writes (connection lost or refused, server restarting,
SQLite locked past its busy timeout) the writes of that moment fail with
`StorageUnavailable`, the store turns ``degraded`` and refuses further writes at once,
while a probe retries with backoff; the first write the database takes again turns it
back to ``ok``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gambit.games.base import Outcome
from gambit.games.battle import ActionRecord, Battle, BattleStatus, Seat, Table, replay
from gambit.games.clock import UNTIMED, Clock, TimeControl, speed
from gambit.metrics import STORAGE_BATCH, STORAGE_FAILURES, STORAGE_WRITE
from gambit.rating import Rating
from gambit.store.errors import (
    StorageUnavailable,
    WriteConflict,
    brief,
    is_outage,
    refusing_outages,
)
from gambit.store.models import ActionRow, BattlePlayerRow, BattleRow, PlayerStatsRow, UserRow

log = logging.getLogger(__name__)

MAX_BATCH = 512

_UPDATE_HEADER = (
    update(BattleRow)
    .where(BattleRow.id == bindparam("battle_id"), BattleRow.version == bindparam("base"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "status",
                "seats",
                "outcome",
                "thinking",
                "rated",
                "updated_at",
                "version",
                "deadline",
                "clock",
                "table_state",
            )
        }
    )
)
PROBE_FIRST_SECONDS = 0.05
PROBE_MAX_SECONDS = 2.0


class StorageStatus(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"


@dataclass(frozen=True, slots=True)
class StoredStats:
    """A user's record and rating in one game at one speed."""

    user_id: str
    game: str
    speed: str = UNTIMED
    played: int = 0
    wins: int = 0
    losses: int = 0
    draws: int = 0
    rating: Rating = field(default_factory=Rating)


@dataclass(frozen=True, slots=True)
class Ranked:
    """A leaderboard line: the user's name with their stats in the game and speed."""

    username: str
    stats: StoredStats


Settle = Callable[[Mapping[str, StoredStats]], list[StoredStats]]
"""Given the current stats of a battle's users in its game and speed, their stats after it."""


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one battle, to be stored on the version it was made on.

    ``battle`` is the battle after the change; ``base`` the version it was made on
    (None for a new battle). ``appended`` are new log entries; after an undo the log
    is ``truncated`` to ``battle.actions``. ``settle`` counts a finished battle in its
    players' stats, in the same transaction.
    """

    battle: Battle
    base: int | None
    deadline: int | None = None
    appended: Sequence[ActionRecord] = ()
    truncated: bool = False
    seats_changed: bool = False
    deleted: bool = False
    settle: Settle | None = None


@dataclass(slots=True)
class _Write:
    change: Change
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass(frozen=True, slots=True)
class BattleQuery:
    """Which battles to list; ``after`` is the (created_at, id) of the last one seen."""

    status: BattleStatus | None = None
    game: str | None = None
    user_id: str | None = None
    after: tuple[int, str] | None = None
    limit: int = 20


class BattleStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._status = StorageStatus.OK
        self._queue: asyncio.Queue[_Write] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None
        self._probe: asyncio.Task[None] | None = None

    @property
    def status(self) -> StorageStatus:
        return self._status

    async def start(self) -> None:
        self._writer = asyncio.create_task(self._write_forever(), name="store-writer")

    async def close(self) -> None:
        """Finish the queued writes, then stop."""
        if self._writer is not None:
            await self._queue.join()
        for task in (self._writer, self._probe):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self._drop_connection()
        await self._engine.dispose()

    # -- reads -------------------------------------------------------------------

    async def load(self, battle_id: str) -> Battle | None:
        """The battle as stored, its state replayed from its log; None if there is none."""
        battles = await self.load_many([battle_id])
        return battles[0] if battles else None

    async def load_many(self, battle_ids: Sequence[str]) -> list[Battle]:
        """The stored battles of ``battle_ids``, in that order (missing ones left out)."""
        if not battle_ids:
            return []
        async with self._reading() as connection:
            headers = {
                row.id: row
                for row in await connection.execute(
                    select(BattleRow).where(BattleRow.id.in_(battle_ids))
                )
            }
            if not headers:
                return []
            logs: dict[str, list[ActionRecord]] = {battle_id: [] for battle_id in headers}
            for row in await connection.execute(
                select(ActionRow)
                .where(ActionRow.battle_id.in_(list(headers)))
                .order_by(ActionRow.battle_id, ActionRow.seq)
            ):
                logs[row.battle_id].append(
                    ActionRecord(row.seq, row.seat, row.player_id, row.action, row.at, row.info)
                )
        return [_battle(headers[i], logs[i]) for i in battle_ids if i in headers]

    async def version(self, battle_id: str) -> int | None:
        """The stored version of a battle, None if it is not stored."""
        async with self._reading() as connection:
            found = await connection.execute(
                select(BattleRow.version).where(BattleRow.id == battle_id)
            )
            return found.scalar_one_or_none()

    async def page(self, query: BattleQuery) -> list[str]:
        """The ids of the battles ``query`` asks for, newest first, ``limit`` + 1 of them
        (the last tells the caller there is more)."""
        # A user's battles are walked in the order of their players index, others in
        # the order of the battles' (status,) created_at indexes.
        if query.user_id is not None:
            created, battle_id = BattlePlayerRow.created_at, BattlePlayerRow.battle_id
            chosen = (
                select(battle_id, created)
                .join(BattleRow, BattleRow.id == battle_id)
                .where(BattlePlayerRow.user_id == query.user_id)
                .distinct()
            )
        else:
            created, battle_id = BattleRow.created_at, BattleRow.id
            chosen = select(battle_id, created)
        if query.status is not None:
            chosen = chosen.where(BattleRow.status == query.status.value)
        if query.game is not None:
            chosen = chosen.where(BattleRow.game == query.game)
        if query.after is not None:
            chosen = chosen.where(tuple_(created, battle_id) < query.after)
        chosen = chosen.order_by(created.desc(), battle_id.desc()).limit(query.limit + 1)
        async with self._reading() as connection:
            return list((await connection.execute(chosen)).scalars())

    async def latest_active(self, user_id: str) -> str | None:
        """The user's most recently changed battle in play."""
        chosen = (
            select(BattleRow.id)
            .join(BattlePlayerRow, BattlePlayerRow.battle_id == BattleRow.id)
            .where(
                BattlePlayerRow.user_id == user_id,
                BattleRow.status == BattleStatus.ACTIVE.value,
            )
            .order_by(BattleRow.updated_at.desc())
            .limit(1)
        )
        async with self._reading() as connection:
            return (await connection.execute(chosen)).scalar_one_or_none()

    async def seated(self, user_id: str, status: BattleStatus) -> list[str]:
        """The battles of ``status`` in which the user has a seat."""
        chosen = (
            select(BattlePlayerRow.battle_id)
            .join(BattleRow, BattlePlayerRow.battle_id == BattleRow.id)
            .where(BattlePlayerRow.user_id == user_id, BattleRow.status == status.value)
            .distinct()
        )
        async with self._reading() as connection:
            return list((await connection.execute(chosen)).scalars())

    async def active_of(self, user_ids: Sequence[str]) -> dict[str, str]:
        """For each of ``user_ids`` seated in a battle in play, one such battle."""
        if not user_ids:
            return {}
        chosen = (
            select(BattlePlayerRow.user_id, BattlePlayerRow.battle_id)
            .join(BattleRow, BattlePlayerRow.battle_id == BattleRow.id)
            .where(
                BattlePlayerRow.user_id.in_(user_ids),
                BattleRow.status == BattleStatus.ACTIVE.value,
            )
        )
        async with self._reading() as connection:
            return {row.user_id: row.battle_id for row in await connection.execute(chosen)}

    async def playing(self) -> dict[str, int]:
        """How many battles of each game are in play."""
        chosen = (
            select(BattleRow.game, func.count())
            .where(BattleRow.status == BattleStatus.ACTIVE.value)
            .group_by(BattleRow.game)
        )
        async with self._reading() as connection:
            return {game: count for game, count in await connection.execute(chosen)}

    async def due(self, now: int) -> list[str]:
        """Battles whose clock deadline has come."""
        chosen = select(BattleRow.id).where(BattleRow.deadline <= now).order_by(BattleRow.deadline)
        async with self._reading() as connection:
            return list((await connection.execute(chosen)).scalars())

    async def thinking(self) -> list[str]:
        """Battles whose AI seat was thinking when its process stopped."""
        chosen = select(BattleRow.id).where(BattleRow.thinking.is_(True))
        async with self._reading() as connection:
            return list((await connection.execute(chosen)).scalars())

    async def stats(self, user_id: str) -> list[StoredStats]:
        """The user's record and rating in every game and speed they have played."""
        async with self._reading() as connection:
            rows = await connection.execute(
                select(PlayerStatsRow).where(PlayerStatsRow.user_id == user_id)
            )
            return [_stats(row) for row in rows]

    async def leaderboard(self, game: str, speed: str, offset: int, limit: int) -> list[Ranked]:
        """Ratings in ``game`` at ``speed``, highest first, of users who have played it."""
        chosen = (
            select(PlayerStatsRow, UserRow.username)
            .join(UserRow, UserRow.id == PlayerStatsRow.user_id)
            .where(
                PlayerStatsRow.game == game,
                PlayerStatsRow.speed == speed,
                PlayerStatsRow.played > 0,
            )
            .order_by(PlayerStatsRow.rating.desc(), PlayerStatsRow.user_id)
            .offset(offset)
            .limit(limit)
        )
        async with self._reading() as connection:
            return [Ranked(row.username, _stats(row)) for row in await connection.execute(chosen)]

    def _reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return refusing_outages(self._engine.connect(), "be read")

    # -- writes ------------------------------------------------------------------

    async def save(self, change: Change) -> None:
        """Store ``change``; returns once it is committed. Raises `WriteConflict` if the
        battle is no longer at version ``change.base``, `StorageUnavailable` if the
        database cannot take it (nothing of it is stored then, or, if the connection
        broke during the commit, possibly all of it: the caller must reload)."""
        if self._status is not StorageStatus.OK:
            STORAGE_FAILURES.labels("unavailable").inc()
            raise StorageUnavailable("the database is not taking changes")
        write = _Write(change)
        self._queue.put_nowait(write)
        await asyncio.shield(write.done)

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            # Let the requests already running reach their write first, so that under
            # load one commit serves many of them.
            await asyncio.sleep(0)
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write_batch(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write_batch(self, batch: list[_Write]) -> None:
        if self._status is not StorageStatus.OK:
            _fail(batch, StorageUnavailable("the database is not taking changes"))
            return
        STORAGE_BATCH.observe(len(batch))
        try:
            with STORAGE_WRITE.time():
                await self._commit([write.change for write in batch])
        except (WriteConflict, IntegrityError):
            # Another process stored a clashing change: one by one, so that only the
            # clashing writes fail.
            for write in batch:
                await self._write_batch_of_one(write)
            return
        except Exception as exc:
            self._failed(batch, exc)
            return
        for write in batch:
            write.done.set_result(None)

    async def _write_batch_of_one(self, write: _Write) -> None:
        if self._status is not StorageStatus.OK:
            _fail([write], StorageUnavailable("the database is not taking changes"))
            return
        try:
            with STORAGE_WRITE.time():
                await self._commit([write.change])
        except (WriteConflict, IntegrityError) as exc:
            STORAGE_FAILURES.labels("conflict").inc()
            write.done.set_exception(WriteConflict(str(exc)))
        except Exception as exc:
            self._failed([write], exc)
        else:
            write.done.set_result(None)

    def _failed(self, batch: list[_Write], exc: Exception) -> None:
        if not is_outage(exc):
            log.exception("a battle write failed", exc_info=exc)
            _fail(batch, exc)
            return
        _fail(batch, StorageUnavailable(f"the database stopped taking writes ({brief(exc)})"))
        if self._status is StorageStatus.OK:
            log.warning("the database stopped taking writes (%s); refusing changes", brief(exc))
            self._status = StorageStatus.DEGRADED
            self._probe = asyncio.create_task(self._recover(), name="store-probe")

    async def _recover(self) -> None:
        """Probe with a write that changes nothing until the database takes it."""
        await self._drop_connection()
        wait = PROBE_FIRST_SECONDS
        while True:
            await asyncio.sleep(wait)
            try:
                connection = await self._writer_connection()
                async with connection.begin():
                    await connection.execute(
                        update(BattleRow).where(BattleRow.id == "").values(version=0)
                    )
            except Exception as exc:
                if not is_outage(exc):
                    log.exception("probing the database failed")
                await self._drop_connection()
                wait = min(wait * 2, PROBE_MAX_SECONDS)
                continue
            log.warning("the database takes writes again")
            self._status = StorageStatus.OK
            return

    async def _writer_connection(self) -> AsyncConnection:
        # One connection for the writer's lifetime: a transaction then costs a begin
        # and a commit, not a pool checkout and the rollback of its return.
        if self._connection is None:
            self._connection = await self._engine.connect()
        return self._connection

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
                await connection.close()
            except Exception:
                log.debug("closing a broken database connection failed", exc_info=True)

    async def _commit(self, changes: Sequence[Change]) -> None:
        connection = await self._writer_connection()
        # Most changes are a move: a guarded header update and a log entry. Where the
        # driver counts the rows of each statement of a batch, their updates go as one.
        batching = connection.dialect.supports_sane_multi_rowcount
        batched = [c for c in changes if batching and _header_only(c)]
        alone = [c for c in changes if not (batching and _header_only(c))]
        try:
            async with connection.begin():
                for change in alone:
                    await _store_header(connection, change)
                if batched:
                    done = await connection.execute(
                        _UPDATE_HEADER,
                        [_header(c) | {"battle_id": c.battle.id, "base": c.base} for c in batched],
                    )
                    if done.rowcount != len(batched):
                        raise WriteConflict("a battle is no longer at the version changed")
                appended = [_action_values(c.battle.id, r) for c in changes for r in c.appended]
                if appended:
                    await connection.execute(insert(ActionRow), appended)
        except Exception as exc:
            if is_outage(exc):
                await self._drop_connection()
            raise


def _fail(batch: Iterable[_Write], exc: Exception) -> None:
    failures = STORAGE_FAILURES.labels(
        "unavailable" if isinstance(exc, StorageUnavailable) else "error"
    )
    for write in batch:
        if not write.done.done():
            failures.inc()
            write.done.set_exception(exc)


async def _store_header(connection: AsyncConnection, change: Change) -> None:
    """Everything of ``change`` but its new log entries (sent together for the batch)."""
    battle = change.battle
    if change.base is None:
        await connection.execute(insert(BattleRow), _header(change) | _identity(battle))
    elif change.deleted:
        await connection.execute(delete(ActionRow).where(ActionRow.battle_id == battle.id))
        await connection.execute(
            delete(BattlePlayerRow).where(BattlePlayerRow.battle_id == battle.id)
        )
        done = await connection.execute(
            delete(BattleRow).where(BattleRow.id == battle.id, BattleRow.version == change.base)
        )
        if done.rowcount != 1:
            raise WriteConflict(f"battle {battle.id} changed before it could be deleted")
        return
    else:
        done = await connection.execute(
            _UPDATE_HEADER, _header(change) | {"battle_id": battle.id, "base": change.base}
        )
        if done.rowcount != 1:
            raise WriteConflict(f"battle {battle.id} is no longer at version {change.base}")
    if change.truncated:
        await connection.execute(
            delete(ActionRow).where(
                ActionRow.battle_id == battle.id, ActionRow.seq > len(battle.actions)
            )
        )
    if change.seats_changed:
        if change.base is not None:
            await connection.execute(
                delete(BattlePlayerRow).where(BattlePlayerRow.battle_id == battle.id)
            )
        seated = [
            {
                "battle_id": battle.id,
                "seat": index,
                "user_id": seat.user_id,
                "created_at": battle.created_at,
            }
            for index, seat in enumerate(battle.seats)
            if seat.user_id is not None
        ]
        if seated:
            await connection.execute(insert(BattlePlayerRow), seated)
    if change.settle is not None:
        await _settle(connection, battle, change.settle)


async def _settle(connection: AsyncConnection, battle: Battle, settle: Settle) -> None:
    users = sorted({seat.user_id for seat in battle.seats if seat.user_id is not None})
    if not users:
        return
    kind = (PlayerStatsRow.game == battle.game, PlayerStatsRow.speed == speed(battle.options))
    current = {
        row.user_id: _stats(row)
        for row in await connection.execute(
            select(PlayerStatsRow).where(PlayerStatsRow.user_id.in_(users), *kind)
        )
    }
    settled = settle(current)
    if not settled:
        return
    changed = [entry.user_id for entry in settled]
    await connection.execute(
        delete(PlayerStatsRow).where(PlayerStatsRow.user_id.in_(changed), *kind)
    )
    await connection.execute(insert(PlayerStatsRow), [_stats_values(entry) for entry in settled])


def _header_only(change: Change) -> bool:
    """A change of a stored battle's header (and log) alone."""
    return not (
        change.base is None
        or change.deleted
        or change.truncated
        or change.seats_changed
        or change.settle is not None
    )


def _identity(battle: Battle) -> dict[str, Any]:
    return {
        "id": battle.id,
        "game": battle.game,
        "options": battle.options,
        "seed": battle.seed,
        "created_at": battle.created_at,
    }


def _header(change: Change) -> dict[str, Any]:
    battle = change.battle
    return {
        "status": battle.status.value,
        "seats": [seat.to_json() for seat in battle.seats],
        "outcome": battle.outcome.to_json() if battle.outcome else None,
        "thinking": battle.thinking,
        "rated": battle.rated,
        "updated_at": battle.updated_at,
        "version": battle.version,
        "deadline": change.deadline,
        "clock": battle.clock.to_json() if battle.clock else None,
        "table_state": battle.table.to_json(),
    }


def _action_values(battle_id: str, record: ActionRecord) -> dict[str, Any]:
    return {
        "battle_id": battle_id,
        "seq": record.seq,
        "seat": record.seat,
        "player_id": record.player_id,
        "action": record.action,
        "info": record.info,
        "at": record.at,
    }


def _stats(row: Any) -> StoredStats:
    return StoredStats(
        row.user_id,
        row.game,
        row.speed,
        row.played,
        row.wins,
        row.losses,
        row.draws,
        Rating(row.rating, row.deviation, row.volatility),
    )


def _stats_values(entry: StoredStats) -> dict[str, Any]:
    return {
        "user_id": entry.user_id,
        "game": entry.game,
        "speed": entry.speed,
        "played": entry.played,
        "wins": entry.wins,
        "losses": entry.losses,
        "draws": entry.draws,
        "rating": entry.rating.rating,
        "deviation": entry.rating.deviation,
        "volatility": entry.rating.volatility,
    }


def _battle(row: Row[Any], log: list[ActionRecord]) -> Battle:
    updated_at = max(row.updated_at, log[-1].at) if log else row.updated_at
    battle = Battle(
        id=row.id,
        game=row.game,
        seats=[Seat.from_json(seat) for seat in row.seats],
        options=row.options,
        seed=row.seed,
        status=BattleStatus(row.status),
        created_at=row.created_at,
        updated_at=updated_at,
        state=None,
        actions=log,
        outcome=Outcome.from_json(row.outcome) if row.outcome else None,
        thinking=row.thinking,
        rated=row.rated,
        turn_started_at=log[-1].at if log else updated_at,
        version=row.version,
        table=Table.from_json(row.table_state),
    )
    control = TimeControl.of(row.options)
    if row.clock is not None and control is not None:
        battle.clock = Clock.from_json(row.clock, control)
    battle.state = replay(battle.ruleset, battle)
    return battle
