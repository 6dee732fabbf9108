"""Persisting battles: group-committed writes and the load at start-up.

Writes go through one writer task that commits whatever has queued up in a single
transaction (group commit), so many concurrent moves cost one commit, and each
caller's ``await`` returns only once its change is durable. A write that clashes
with one another server process made first (the same action of the same battle)
fails alone with `WriteConflict`. After any other failed write the store turns
``degraded`` and stops writing: the server goes on from memory, as seed 003's
``/health`` describes, rather than persist a log with a hole in it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from gambit.games.base import Outcome
from gambit.games.battle import ActionRecord, Battle, BattleStatus, Seat
from gambit.rating import Rating
from gambit.store.errors import WriteConflict
from gambit.store.models import ActionRow, BattleRow, PlayerStatsRow

log = logging.getLogger(__name__)

MAX_BATCH = 512

_INSERT_BATTLE = insert(BattleRow)
_INSERT_ACTION = insert(ActionRow)
_UPDATE_BATTLE = (
    update(BattleRow)
    .where(BattleRow.id == bindparam("battle_id"))
    .values(
        status=bindparam("status"),
        seats=bindparam("seats"),
        outcome=bindparam("outcome"),
        thinking=bindparam("thinking"),
        rated=bindparam("rated"),
        updated_at=bindparam("updated_at"),
    )
)
_DELETE_ACTIONS_AFTER = delete(ActionRow).where(
    ActionRow.battle_id == bindparam("battle_id"), ActionRow.seq > bindparam("keep")
)
_DELETE_ACTIONS = delete(ActionRow).where(ActionRow.battle_id == bindparam("battle_id"))
_DELETE_BATTLE = delete(BattleRow).where(BattleRow.id == bindparam("battle_id"))
# An upsert both SQLite and PostgreSQL take: delete, then insert, in one transaction.
_DELETE_STATS = delete(PlayerStatsRow).where(
    PlayerStatsRow.user_id == bindparam("stats_user"),
    PlayerStatsRow.game == bindparam("stats_game"),
)
_INSERT_STATS = insert(PlayerStatsRow)


class StorageStatus(enum.StrEnum):
    OK = "ok"
    DISABLED = "disabled"
    DEGRADED = "degraded"


@dataclass(slots=True)
class _Write:
    statements: list[tuple[Executable, dict[str, Any]]]
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass(frozen=True, slots=True)
class StoredStats:
    """A user's record and rating in one game."""

    user_id: str
    game: str
    played: int = 0
    wins: int = 0
    losses: int = 0
    draws: int = 0
    rating: Rating = field(default_factory=Rating)


@dataclass(frozen=True, slots=True)
class StoredBattle:
    """A battle as loaded from the database, without its live state (the caller replays)."""

    id: str
    game: str
    seats: list[Seat]
    options: dict[str, Any]
    seed: int
    status: BattleStatus
    outcome: Outcome | None
    thinking: bool
    rated: bool
    created_at: int
    updated_at: int
    actions: list[ActionRecord]


class BattleStore:
    """Durable storage for battles; with no engine it is `disabled` and keeps nothing."""

    def __init__(self, engine: AsyncEngine | None) -> None:
        self._engine = engine
        self._status = StorageStatus.OK if engine else StorageStatus.DISABLED
        self._queue: asyncio.Queue[_Write] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    @property
    def status(self) -> StorageStatus:
        return self._status

    async def start(self) -> None:
        if self._engine is not None:
            self._writer = asyncio.create_task(
                self._write_forever(self._engine), name="store-writer"
            )

    async def close(self) -> None:
        """Finish the queued writes, then stop."""
        if self._writer is not None:
            await self._queue.join()
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._engine is not None:
            await self._engine.dispose()

    async def load_all(self) -> list[StoredBattle]:
        """Every stored battle with its action log, oldest first."""
        if self._engine is None:
            return []
        async with self._engine.connect() as connection:
            battles = (
                await connection.execute(select(BattleRow).order_by(BattleRow.created_at))
            ).all()
            rows = await connection.execute(
                select(ActionRow).order_by(ActionRow.battle_id, ActionRow.seq)
            )
            actions: dict[str, list[ActionRecord]] = {}
            for row in rows:
                actions.setdefault(row.battle_id, []).append(
                    ActionRecord(row.seq, row.seat, row.player_id, row.action, row.at, row.info)
                )
        return [_stored(row, actions.get(row.id, [])) for row in battles]

    async def load_one(self, battle_id: str) -> StoredBattle | None:
        """One battle with its action log, or None if it is not stored."""
        if self._engine is None:
            return None
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(BattleRow).where(BattleRow.id == battle_id))
            ).first()
            if row is None:
                return None
            log = [
                ActionRecord(a.seq, a.seat, a.player_id, a.action, a.at, a.info)
                for a in await connection.execute(
                    select(ActionRow)
                    .where(ActionRow.battle_id == battle_id)
                    .order_by(ActionRow.seq)
                )
            ]
        return _stored(row, log)

    async def load_stats(self, user_ids: Sequence[str] | None = None) -> list[StoredStats]:
        """The records and ratings of ``user_ids`` (of everyone by default), every game."""
        if self._engine is None:
            return []
        query = select(PlayerStatsRow)
        if user_ids is not None:
            query = query.where(PlayerStatsRow.user_id.in_(user_ids))
        async with self._engine.connect() as connection:
            rows = await connection.execute(query)
            return [
                StoredStats(
                    row.user_id,
                    row.game,
                    row.played,
                    row.wins,
                    row.losses,
                    row.draws,
                    Rating(row.rating, row.deviation, row.volatility),
                )
                for row in rows
            ]

    async def insert(self, battle: Battle) -> None:
        header = _header(battle) | {
            "id": battle.id,
            "game": battle.game,
            "options": battle.options,
            "seed": battle.seed,
            "created_at": battle.created_at,
        }
        del header["battle_id"]
        await self._write([(_INSERT_BATTLE, header)] + [_action(battle, r) for r in battle.actions])

    async def append(
        self,
        battle: Battle,
        record: ActionRecord,
        *,
        header: bool,
        stats: Sequence[StoredStats] = (),
    ) -> None:
        """Store one more action of ``battle``, and its header if that changed too;
        with the players' new ``stats`` when it ended, in the same transaction.

        Most actions change nothing in the header but ``updated_at``, which the load
        takes from the last action instead: one insert per move, and runs of inserts
        from concurrent moves go to the database as one executemany.
        """
        statements = [_action(battle, record)]
        if header or stats:
            statements.append((_UPDATE_BATTLE, _header(battle)))
        await self._write(statements + _stats(stats))

    async def update(self, battle: Battle, *, stats: Sequence[StoredStats] = ()) -> None:
        """Store the header (status, seats, outcome, thinking) of ``battle``, and ``stats``."""
        await self._write([(_UPDATE_BATTLE, _header(battle)), *_stats(stats)])

    async def truncate(self, battle: Battle) -> None:
        """Drop stored actions beyond ``battle``'s log (after an undo) and store its header."""
        keep = {"battle_id": battle.id, "keep": len(battle.actions)}
        await self._write([(_DELETE_ACTIONS_AFTER, keep), (_UPDATE_BATTLE, _header(battle))])

    async def delete(self, battle_id: str) -> None:
        key = {"battle_id": battle_id}
        await self._write([(_DELETE_ACTIONS, key), (_DELETE_BATTLE, key)])

    async def _write(self, statements: list[tuple[Executable, dict[str, Any]]]) -> None:
        # The parameters were copied out of the battle before this call, so later
        # changes in memory cannot leak into this write.
        if self._status is not StorageStatus.OK:
            return
        write = _Write(statements)
        self._queue.put_nowait(write)
        await asyncio.shield(write.done)

    async def _write_forever(self, engine: AsyncEngine) -> None:
        # One connection for the writer's lifetime: a transaction then costs a begin
        # and a commit, not a pool checkout and the rollback of its return.
        async with engine.connect() as connection:
            while True:
                await self._write_batch(connection)

    async def _write_batch(self, connection: AsyncConnection) -> None:
        batch = [await self._queue.get()]
        # Let the requests already running reach their write first, so that under
        # load one commit serves many of them.
        await asyncio.sleep(0)
        while len(batch) < MAX_BATCH and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        try:
            await self._commit(connection, batch)
        except IntegrityError:
            # Another process stored a clashing change (the same action number of the
            # same battle): write one by one, so that only the clashing writes fail.
            for write in batch:
                try:
                    await self._commit(connection, [write])
                except IntegrityError as exc:
                    write.done.set_exception(WriteConflict(str(exc.orig)))
                except Exception:
                    self._degrade()
        except Exception:
            self._degrade()
        for write in batch:
            if not write.done.done():
                write.done.set_result(None)
            self._queue.task_done()

    async def _commit(self, connection: AsyncConnection, batch: list[_Write]) -> None:
        if self._status is StorageStatus.OK:
            async with connection.begin():
                await _execute(connection, [s for write in batch for s in write.statements])

    def _degrade(self) -> None:
        log.exception("storage write failed; serving from memory only from now on")
        self._status = StorageStatus.DEGRADED


async def _execute(
    connection: AsyncConnection, statements: Sequence[tuple[Executable, dict[str, Any]]]
) -> None:
    """Run the statements in order, sending runs of the same statement as one executemany."""
    start = 0
    while start < len(statements):
        statement = statements[start][0]
        end = start + 1
        while end < len(statements) and statements[end][0] is statement:
            end += 1
        params = [p for _, p in statements[start:end]]
        await connection.execute(statement, params if len(params) > 1 else params[0])
        start = end


def _stored(row: Row[Any], log: list[ActionRecord]) -> StoredBattle:
    return StoredBattle(
        id=row.id,
        game=row.game,
        seats=[Seat.from_json(seat) for seat in row.seats],
        options=row.options,
        seed=row.seed,
        status=BattleStatus(row.status),
        outcome=Outcome.from_json(row.outcome) if row.outcome else None,
        thinking=row.thinking,
        rated=row.rated,
        created_at=row.created_at,
        updated_at=max(row.updated_at, log[-1].at) if log else row.updated_at,
        actions=log,
    )


def _header(battle: Battle) -> dict[str, Any]:
    return {
        "battle_id": battle.id,
        "status": battle.status.value,
        "seats": [seat.to_json() for seat in battle.seats],
        "outcome": battle.outcome.to_json() if battle.outcome else None,
        "thinking": battle.thinking,
        "rated": battle.rated,
        "updated_at": battle.updated_at,
    }


def _stats(stats: Sequence[StoredStats]) -> list[tuple[Executable, dict[str, Any]]]:
    statements: list[tuple[Executable, dict[str, Any]]] = []
    for entry in stats:
        statements.append((_DELETE_STATS, {"stats_user": entry.user_id, "stats_game": entry.game}))
        statements.append(
            (
                _INSERT_STATS,
                {
                    "user_id": entry.user_id,
                    "game": entry.game,
                    "played": entry.played,
                    "wins": entry.wins,
                    "losses": entry.losses,
                    "draws": entry.draws,
                    "rating": entry.rating.rating,
                    "deviation": entry.rating.deviation,
                    "volatility": entry.rating.volatility,
                },
            )
        )
    return statements


def _action(battle: Battle, record: ActionRecord) -> tuple[Executable, dict[str, Any]]:
    return _INSERT_ACTION, {
        "battle_id": battle.id,
        "seq": record.seq,
        "seat": record.seat,
        "player_id": record.player_id,
        "action": record.action,
        "info": record.info,
        "at": record.at,
    }
