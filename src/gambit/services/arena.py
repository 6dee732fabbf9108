"""The battle face of seed 000: battles people create, join, fight and forfeit.

Battles here are made of seats: the creator takes the first human seat, other human
seats wait for players to join, AI seats take their turns by themselves.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gambit.games import RULESETS
from gambit.games import IllegalAction as IllegalByRules
from gambit.games.base import Action
from gambit.games.battle import Battle, BattleStatus, Seat, SeatKind, to_public, to_rules
from gambit.services.battles import AUTO_AI, BattleService
from gambit.services.errors import (
    Conflict,
    Forbidden,
    IllegalAction,
    InvalidRequest,
    NotFound,
    NotYourTurn,
    Unauthorized,
)


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """A seat asked for at creation: a human, or an AI at a level and search time."""

    ai: bool
    level: int = 10
    search_time: int = 1000


class Arena:
    def __init__(self, battles: BattleService) -> None:
        self.battles = battles

    async def create(
        self, game: str, seats: list[SeatSpec], options: Mapping[str, Any], user_id: str
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
                placed.append(Seat(user_id, SeatKind.HUMAN, user_id=user_id))
                creator_seated = True
            else:
                placed.append(Seat("", SeatKind.HUMAN))
        return await self.battles.create(game, placed, {**options, AUTO_AI: True})

    def page(
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
        chosen = sorted(
            (
                battle
                for battle in self.battles.all()
                if (status is None or battle.status is status)
                and (game is None or battle.game == game)
                and (user_id is None or seat_of(battle, user_id) is not None)
                and (after is None or (battle.created_at, battle.id) < after)
            ),
            key=lambda battle: (battle.created_at, battle.id),
            reverse=True,
        )
        page = chosen[:limit]
        more = len(chosen) > limit
        return page, (_encode_cursor(page[-1]) if more and page else None)

    def get(self, battle_id: str) -> Battle:
        return self.battles.get(battle_id)

    def current(self, user_id: str | None, battle_id: str | None) -> Battle:
        """The battle ``battle_id``, or else the caller's most recently active battle."""
        if battle_id is not None:
            return self.battles.get(battle_id)
        if user_id is None:
            raise Unauthorized("sign in, or name the battle with battleId")
        mine = [b for b in self.seated(user_id) if b.status is BattleStatus.ACTIVE]
        if not mine:
            raise NotFound("you have no active battle; name one with battleId")
        return max(mine, key=lambda battle: battle.updated_at)

    def seated(self, user_id: str) -> Iterator[Battle]:
        """The battles in which ``user_id`` has a seat."""
        return (battle for battle in self.battles.all() if seat_of(battle, user_id) is not None)

    async def join(self, battle_id: str, user_id: str) -> Battle:
        battle = self.battles.get(battle_id)
        if battle.status is not BattleStatus.WAITING:
            raise Conflict("the battle has already started")
        if seat_of(battle, user_id) is not None:
            raise Conflict("you already have a seat in this battle")
        free = next((i for i, seat in enumerate(battle.seats) if seat.is_open), None)
        if free is None:
            raise Conflict("the battle is full")
        await self.battles.take_seat(battle, free, user_id, user_id)
        return battle

    async def act(self, battle_id: str, user_id: str, action: Mapping[str, Any]) -> Battle:
        battle = self.battles.get(battle_id)
        seat = self._seat(battle, user_id)
        self.battles.ensure_open(battle)
        if RULESETS[battle.game].to_move(battle.state) != seat:
            raise NotYourTurn("it is not your turn")
        try:
            ruled = to_rules(battle, action)
        except IllegalByRules as exc:
            raise IllegalAction(str(exc)) from exc
        await self.battles.act(battle, seat, ruled)
        return battle

    async def forfeit(self, battle_id: str, user_id: str) -> Battle:
        battle = self.battles.get(battle_id)
        seat = self._seat(battle, user_id)
        if battle.status is BattleStatus.WAITING:
            raise Conflict("the battle has not started; there is nothing to forfeit")
        await self.battles.forfeit(battle, seat)
        return battle

    def legal_actions(self, battle: Battle, user_id: str | None) -> list[Action] | None:
        """The actions the caller may post now, or None when it is not their turn."""
        if user_id is None or battle.status is not BattleStatus.ACTIVE or battle.thinking:
            return None
        ruleset = RULESETS[battle.game]
        seat = seat_of(battle, user_id)
        if seat is None or ruleset.to_move(battle.state) != seat:
            return None
        return [to_public(battle, action) for action in ruleset.legal_actions(battle.state)]

    @staticmethod
    def _seat(battle: Battle, user_id: str) -> int:
        seat = seat_of(battle, user_id)
        if seat is None:
            raise Forbidden("you have no seat in this battle")
        return seat


def seat_of(battle: Battle, user_id: str) -> int | None:
    return next((i for i, seat in enumerate(battle.seats) if seat.user_id == user_id), None)


def _encode_cursor(battle: Battle) -> str:
    return base64.urlsafe_b64encode(f"{battle.created_at}:{battle.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        created, _, battle_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return int(created), battle_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("invalid cursor", "use the nextCursor of a previous page") from None
