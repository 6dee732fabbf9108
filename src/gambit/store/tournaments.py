"""Tournaments in the database: settings, participants, and the games the runner schedules.

The runner's whole state is here, so that any process can take it up after a restart.
Writes that several processes may race on are guarded: a status moves only from the
statuses it may come from; a game is claimed (pending → running) in the same transaction
that bumps the tournament's ``version`` it was decided on, so one process wins and the
others see rowcount 0; a game is finished only once (running → finished).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gambit.store.errors import refusing_outages
from gambit.store.models import TournamentGameRow, TournamentParticipantRow, TournamentRow

PENDING, RUNNING, FINISHED = "pending", "running", "finished"
"""A scheduled game's statuses."""


@dataclass(frozen=True, slots=True)
class StoredParticipant:
    id: str
    position: int
    name: str
    user_id: str | None = None
    engine: str | None = None
    level: int | None = None
    search_time: int | None = None


@dataclass(frozen=True, slots=True)
class StoredGame:
    number: int
    round: int
    pair: int
    white: str
    black: str
    opening: str | None
    start: dict[str, Any]
    status: str = PENDING
    battle_id: str | None = None
    score: float | None = None  # the first seat's: 1, 0.5 or 0
    reason: str | None = None
    finished_at: int | None = None


@dataclass(frozen=True, slots=True)
class StoredTournament:
    id: str
    name: str
    game: str
    format: str
    status: str
    settings: dict[str, Any]
    created_by: str
    created_at: int
    started_at: int | None = None
    finished_at: int | None = None
    version: int = 0
    byes: list[list[Any]] = field(default_factory=list)
    participants: list[StoredParticipant] = field(default_factory=list)
    games: list[StoredGame] = field(default_factory=list)


class TournamentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, tournament: StoredTournament) -> None:
        row = asdict(replace(tournament, participants=[], games=[]))
        del row["participants"], row["games"]
        async with self._transaction() as connection:
            await connection.execute(insert(TournamentRow), row)
            for participant in tournament.participants:
                await self._add_participant(connection, tournament.id, participant)

    async def get(self, tournament_id: str) -> StoredTournament | None:
        async with self._reading() as connection:
            found = (
                await connection.execute(
                    select(TournamentRow).where(TournamentRow.id == tournament_id)
                )
            ).first()
            if found is None:
                return None
            participants = await connection.execute(
                select(TournamentParticipantRow)
                .where(TournamentParticipantRow.tournament_id == tournament_id)
                .order_by(TournamentParticipantRow.position)
            )
            games = await connection.execute(
                select(TournamentGameRow)
                .where(TournamentGameRow.tournament_id == tournament_id)
                .order_by(TournamentGameRow.number)
            )
            return StoredTournament(
                **{k: getattr(found, k) for k in _TOURNAMENT_COLUMNS},
                participants=[
                    StoredParticipant(**{k: getattr(p, k) for k in _PARTICIPANT_COLUMNS})
                    for p in participants
                ],
                games=[StoredGame(**{k: getattr(g, k) for k in _GAME_COLUMNS}) for g in games],
            )

    async def page(self, status: str | None, limit: int, offset: int) -> list[str]:
        """Tournament ids, newest first."""
        query = select(TournamentRow.id)
        if status is not None:
            query = query.where(TournamentRow.status == status)
        query = query.order_by(TournamentRow.created_at.desc(), TournamentRow.id.desc())
        async with self._reading() as connection:
            found = await connection.execute(query.limit(limit).offset(offset))
            return [row.id for row in found]

    async def active(self) -> list[str]:
        """Tournaments the runner looks after: running, paused, or with games in play."""
        playing = select(TournamentGameRow.tournament_id).where(TournamentGameRow.status == RUNNING)
        query = select(TournamentRow.id).where(
            or_(TournamentRow.status.in_(("running", "paused")), TournamentRow.id.in_(playing))
        )
        async with self._reading() as connection:
            return [row.id for row in await connection.execute(query)]

    async def join(self, tournament_id: str, participant: StoredParticipant, status: str) -> bool:
        """Add a participant while the tournament is still ``status``; False if it is not."""
        async with self._transaction() as connection:
            if not await self._bump(connection, tournament_id, None, (status,)):
                return False
            await self._add_participant(connection, tournament_id, participant)
            return True

    async def set_status(
        self, tournament_id: str, allowed: Collection[str], status: str, **times: int
    ) -> bool:
        """Move to ``status`` from one of ``allowed``; False if it was in none of them."""
        async with self._transaction() as connection:
            done = await connection.execute(
                update(TournamentRow)
                .where(TournamentRow.id == tournament_id, TournamentRow.status.in_(allowed))
                .values(status=status, version=TournamentRow.version + 1, **times)
            )
            return bool(done.rowcount == 1)

    async def schedule(
        self, tournament_id: str, version: int, games: Sequence[StoredGame], byes: list[list[Any]]
    ) -> bool:
        """Add games (and the byes, in full), if the tournament is still at ``version``."""
        async with self._transaction() as connection:
            if not await self._bump(connection, tournament_id, version, None, byes=byes):
                return False
            for game in games:
                await connection.execute(
                    insert(TournamentGameRow), {"tournament_id": tournament_id, **asdict(game)}
                )
            return True

    async def claim(
        self, tournament_id: str, version: int, number: int, battle_id: str, concurrency: int
    ) -> bool:
        """Mark a pending game running with ``battle_id``, if fewer than ``concurrency``
        games are running and the tournament is still at ``version`` (running)."""
        try:
            async with self._transaction() as connection:
                await self._claim(
                    connection, tournament_id, version, number, battle_id, concurrency
                )
        except _Lost:
            return False
        return True

    async def _claim(
        self,
        connection: AsyncConnection,
        tournament_id: str,
        version: int,
        number: int,
        battle_id: str,
        concurrency: int,
    ) -> None:
        """Raises `_Lost` (rolling the transaction back) when the claim cannot be made."""
        running = await connection.scalar(
            select(func.count()).where(
                TournamentGameRow.tournament_id == tournament_id,
                TournamentGameRow.status == RUNNING,
            )
        )
        if (running or 0) >= concurrency:
            raise _Lost()
        if not await self._bump(connection, tournament_id, version, ("running",)):
            raise _Lost()
        done = await connection.execute(
            update(TournamentGameRow)
            .where(
                TournamentGameRow.tournament_id == tournament_id,
                TournamentGameRow.number == number,
                TournamentGameRow.status == PENDING,
            )
            .values(status=RUNNING, battle_id=battle_id)
        )
        if done.rowcount != 1:
            raise _Lost()

    async def finish_game(
        self, tournament_id: str, number: int, score: float, reason: str, at: int
    ) -> bool:
        """Record a running game's result; False if it was already recorded."""
        async with self._transaction() as connection:
            done = await connection.execute(
                update(TournamentGameRow)
                .where(
                    TournamentGameRow.tournament_id == tournament_id,
                    TournamentGameRow.number == number,
                    TournamentGameRow.status == RUNNING,
                )
                .values(status=FINISHED, score=score, reason=reason, finished_at=at)
            )
            return bool(done.rowcount == 1)

    async def drop_pending(self, tournament_id: str) -> None:
        """Forget the games not started (a match decided, a tournament canceled)."""
        async with self._transaction() as connection:
            await connection.execute(
                delete(TournamentGameRow).where(
                    TournamentGameRow.tournament_id == tournament_id,
                    TournamentGameRow.status == PENDING,
                )
            )

    @staticmethod
    async def _bump(
        connection: AsyncConnection,
        tournament_id: str,
        version: int | None,
        statuses: Collection[str] | None,
        **values: Any,
    ) -> bool:
        """Count one more change of the tournament, if at ``version`` and in ``statuses``
        (each when given): the row lock serialises racing processes."""
        query = update(TournamentRow).where(TournamentRow.id == tournament_id)
        if version is not None:
            query = query.where(TournamentRow.version == version)
        if statuses is not None:
            query = query.where(TournamentRow.status.in_(statuses))
        done = await connection.execute(query.values(version=TournamentRow.version + 1, **values))
        return bool(done.rowcount == 1)

    @staticmethod
    async def _add_participant(
        connection: AsyncConnection, tournament_id: str, participant: StoredParticipant
    ) -> None:
        await connection.execute(
            insert(TournamentParticipantRow),
            {"tournament_id": tournament_id, **asdict(participant)},
        )

    def _transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return refusing_outages(self._engine.begin(), "take the change")

    def _reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return refusing_outages(self._engine.connect(), "be read")


class _Lost(Exception):
    """Another process claimed first, or there is no room: roll back."""


_TOURNAMENT_COLUMNS = (
    "id",
    "name",
    "game",
    "format",
    "status",
    "settings",
    "created_by",
    "created_at",
    "started_at",
    "finished_at",
    "version",
    "byes",
)
_PARTICIPANT_COLUMNS = tuple(StoredParticipant.__dataclass_fields__)
_GAME_COLUMNS = tuple(StoredGame.__dataclass_fields__)
