"""Challenges in the database: created, then accepted, declined or canceled exactly once."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gambit.store.errors import refusing_outages
from gambit.store.models import ChallengeRow

CREATED = "created"


@dataclass(frozen=True, slots=True)
class StoredChallenge:
    id: str
    challenger_id: str
    dest_user_id: str
    status: str
    rated: bool
    color: str
    final_color: str
    variant: str
    fen: str | None
    clock_limit: int | None
    clock_increment: int | None
    days: int | None
    decline_reason: str | None
    created_at: int
    engine_level: int | None = None  # lichess's 1-8: gambit's engine plays the challenger's side


class ChallengeStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, challenge: StoredChallenge) -> None:
        async with self._transaction() as connection:
            await connection.execute(insert(ChallengeRow), asdict(challenge))

    async def get(self, challenge_id: str) -> StoredChallenge | None:
        async with self._reading() as connection:
            found = await connection.execute(
                select(ChallengeRow).where(ChallengeRow.id == challenge_id)
            )
            row = found.first()
        return None if row is None else _challenge(row)

    async def pending(self, user_id: str) -> list[StoredChallenge]:
        """The open challenges to or from the user, oldest first."""
        chosen = (
            select(ChallengeRow)
            .where(
                or_(ChallengeRow.dest_user_id == user_id, ChallengeRow.challenger_id == user_id),
                ChallengeRow.status == CREATED,
            )
            .order_by(ChallengeRow.created_at, ChallengeRow.id)
        )
        async with self._reading() as connection:
            return [_challenge(row) for row in await connection.execute(chosen)]

    async def settle(self, challenge_id: str, status: str, reason: str | None = None) -> bool:
        """Move an open challenge to ``status``; False if it was no longer open (another
        request settled it first)."""
        async with self._transaction() as connection:
            done = await connection.execute(
                update(ChallengeRow)
                .where(ChallengeRow.id == challenge_id, ChallengeRow.status == CREATED)
                .values(status=status, decline_reason=reason)
            )
            return bool(done.rowcount == 1)

    async def reopen(self, challenge_id: str) -> None:
        """Open an accepted challenge again: its game could not be made."""
        async with self._transaction() as connection:
            await connection.execute(
                update(ChallengeRow).where(ChallengeRow.id == challenge_id).values(status=CREATED)
            )

    def _transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return refusing_outages(self._engine.begin(), "take the change")

    def _reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return refusing_outages(self._engine.connect(), "be read")


def _challenge(row: Any) -> StoredChallenge:
    return StoredChallenge(
        id=row.id,
        challenger_id=row.challenger_id,
        dest_user_id=row.dest_user_id,
        status=row.status,
        rated=row.rated,
        color=row.color,
        final_color=row.final_color,
        variant=row.variant,
        fen=row.fen,
        clock_limit=row.clock_limit,
        clock_increment=row.clock_increment,
        days=row.days,
        decline_reason=row.decline_reason,
        created_at=row.created_at,
        engine_level=row.engine_level,
    )
