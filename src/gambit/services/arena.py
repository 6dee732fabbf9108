"""The battle face of seed 000: battles people create, join, fight and forfeit.

Battles here are made of seats: the creator takes the first human seat, other human
seats wait for players to join, AI seats take their turns by themselves.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gambit.ai.engine import DEFAULT_LEVEL, DEFAULT_SEARCH_TIME_MS
from gambit.games import RULESETS
from gambit.games import IllegalAction as IllegalByRules
from gambit.games.base import Action
from gambit.games.battle import Battle, BattleStatus, Seat, SeatKind, to_public, to_rules
from gambit.games.clock import speed
from gambit.services.ai_turns import AUTO_AI
from gambit.services.errors import (
    Forbidden,
    IllegalAction,
    InvalidRequest,
    NotFound,
    NotYourTurn,
    Unauthorized,
)
from gambit.services.referee import Referee, ensure_open
from gambit.services.repository import BattleRepository
from gambit.services.stats import Stats
from gambit.store import BattleQuery, BattleStore


@dataclass(frozen=True, slots=True)
class Entrant:
    """A signed-in user taking a seat."""

    user_id: str
    username: str


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """A seat asked for at creation: a human, or an AI at a level and search time."""

    ai: bool
    level: int = DEFAULT_LEVEL
    search_time: int = DEFAULT_SEARCH_TIME_MS


class Arena:
    def __init__(self, repository: BattleRepository, referee: Referee, store: BattleStore) -> None:
        self._repository = repository
        self._referee = referee
        self._store = store
        self._stats = Stats(store)

    async def create(
        self, game: str, seats: list[SeatSpec], options: Mapping[str, Any], user: Entrant
    ) -> Battle:
        ruleset = RULESETS[game]
        if not ruleset.min_seats <= len(seats) <= ruleset.max_seats:
            raise InvalidRequest(
                "validation failed",
                f"Seats: {game} takes {ruleset.min_seats} to {ruleset.max_seats} players",
            )
        placed: list[Seat] = []
        creator_seated = False
        for spec in seats:
            if spec.ai:
                placed.append(
                    Seat(
                        f"ai-player-{uuid.uuid4()}",
                        SeatKind.AI,
                        level=spec.level,
                        search_time=spec.search_time,
                    )
                )
            elif not creator_seated:
                placed.append(await self._seat(user, game, speed(options)))
                creator_seated = True
            else:
                placed.append(Seat("", SeatKind.HUMAN))
        return await self._referee.create(game, placed, {**options, AUTO_AI: True})

    async def page(
        self,
        *,
        status: BattleStatus | None,
        game: str | None,
        user_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Battle], str | None]:
        """Battles of the face, newest first, filtered; with the cursor of the next page.

        With no filter at all: the battles waiting for a player.
        """
        if status is None and game is None and user_id is None:
            status = BattleStatus.WAITING
        after = _decode_cursor(cursor) if cursor else None
        ids = await self._store.page(BattleQuery(status, game, user_id, after, limit))
        page = await self._repository.get_many(ids[:limit])
        more = len(ids) > limit
        return page, (_encode_cursor(page[-1]) if more and page else None)

    async def get(self, battle_id: str) -> Battle:
        return await self._repository.get(battle_id)

    async def current(self, user_id: str | None, battle_id: str | None) -> Battle:
        """The battle ``battle_id``, or else the caller's most recently active battle."""
        if battle_id is not None:
            return await self._repository.get(battle_id)
        if user_id is None:
            raise Unauthorized("sign in, or name the battle with battleId")
        latest = await self._store.latest_active(user_id)
        if latest is None:
            raise NotFound("you have no active battle; name one with battleId")
        return await self._repository.get(latest)

    async def playing(self, user_id: str) -> list[str]:
        """The battles waiting or in play in which ``user_id`` has a seat."""
        return [
            battle_id
            for status in (BattleStatus.WAITING, BattleStatus.ACTIVE)
            for battle_id in await self._store.seated(user_id, status)
        ]

    async def join(self, battle_id: str, user: Entrant) -> Battle:
        battle = await self._repository.get(battle_id)
        taken = await self._seat(user, battle.game, speed(battle.options))
        return await self._referee.take_seat(battle_id, taken)

    async def _seat(self, user: Entrant, game: str, pace: str) -> Seat:
        """A user's seat, with their rating in ``game`` at the battle's speed."""
        rating = await self._stats.rating(user.user_id, game, pace)
        return Seat.of_user(user.user_id, user.username, rating.rating)

    async def act(self, battle_id: str, user_id: str, action: Mapping[str, Any]) -> Battle:
        def actor(battle: Battle) -> int:
            seat = _seat(battle, user_id)
            ensure_open(battle)
            if battle.to_move() != seat:
                raise NotYourTurn("it is not your turn")
            return seat

        def ruled(battle: Battle) -> Action:
            try:
                return to_rules(battle, action)
            except IllegalByRules as exc:
                raise IllegalAction(str(exc)) from exc

        return await self._referee.act(battle_id, actor, action, translate=ruled)

    async def forfeit(self, battle_id: str, user_id: str) -> Battle:
        return await self._referee.forfeit(battle_id, lambda battle: _seat(battle, user_id))

    @staticmethod
    def legal_actions(battle: Battle, user_id: str | None) -> list[Action] | None:
        """The actions the caller may post now, or None when it is not their turn."""
        if user_id is None or battle.status is not BattleStatus.ACTIVE or battle.thinking:
            return None
        seat = seat_of(battle, user_id)
        if seat is None or battle.to_move() != seat:
            return None
        return [to_public(battle, action) for action in battle.ruleset.legal_actions(battle.state)]


def seat_of(battle: Battle, user_id: str) -> int | None:
    return next((i for i, seat in enumerate(battle.seats) if seat.user_id == user_id), None)


def _seat(battle: Battle, user_id: str) -> int:
    seat = seat_of(battle, user_id)
    if seat is None:
        raise Forbidden("you have no seat in this battle")
    return seat


def _encode_cursor(battle: Battle) -> str:
    return base64.urlsafe_b64encode(f"{battle.created_at}:{battle.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        created, _, battle_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return int(created), battle_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("invalid cursor", "use the nextCursor of a previous page") from None
