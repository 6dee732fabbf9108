"""The chess face of seed 003: games with a white and a black player, human or computer.

A chess game is a battle of game ``chess``: seat 0 plays white, seat 1 black. The
computer never moves on its own here; a client asks for its move with ``cccc``.

A game created by a signed-in user belongs to them: its human sides carry their user
id, and only they may change it. Anonymous games stay open to anyone, as in seed 003.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from gambit.games import RULESETS
from gambit.games.battle import Battle, Seat, SeatKind
from gambit.services.battles import BattleService
from gambit.services.errors import Forbidden, NotFound, NotHumanTurn

COMPUTER_MOVE = "cccc"
COLOURS = ("white", "black")


@dataclass(frozen=True, slots=True)
class PlayerSpec:
    """Who plays one side: a human, or the computer at a level and thinking time."""

    computer: bool
    level: int
    search_time: int


class ChessGames:
    """Use cases of the chess face, on the shared battle service."""

    def __init__(self, battles: BattleService) -> None:
        self.battles = battles

    async def create(
        self, white: PlayerSpec, black: PlayerSpec, fen: str | None, user_id: str | None = None
    ) -> Battle:
        seats = [_seat(white, None, user_id), _seat(black, None, user_id)]
        return await self.battles.create("chess", seats, {"fen": fen} if fen else {})

    async def move(self, game_id: str, move: str, caller: str | None = None) -> Battle:
        """Play a human move, or with ``cccc`` start the computer thinking."""
        battle = self._changeable(game_id, caller)
        self.battles.ensure_open(battle)
        seat = RULESETS["chess"].to_move(battle.state)
        colour = COLOURS[seat]
        is_computer = battle.seats[seat].kind is SeatKind.AI
        owner = battle.seats[seat].user_id
        if not is_computer and owner is not None and owner != caller:
            raise Forbidden(f"{colour} is played by another user")
        if move == COMPUTER_MOVE:
            if not is_computer:
                raise NotHumanTurn(f"it is {colour}'s turn and {colour} is a human: send a move")
            await self.battles.start_thinking(battle)
        else:
            if is_computer:
                raise NotHumanTurn(
                    f"it is {colour}'s turn and {colour} is the computer: send cccc to make it move"
                )
            await self.battles.act(battle, seat, {"type": "move", "move": move})
        return battle

    async def undo(self, game_id: str, plies: int, caller: str | None = None) -> Battle:
        battle = self._changeable(game_id, caller)
        await self.battles.undo(battle, plies)
        return battle

    async def set_players(
        self, game_id: str, white: PlayerSpec, black: PlayerSpec, caller: str | None = None
    ) -> Battle:
        battle = self._changeable(game_id, caller)
        seats = [
            _seat(spec, old, caller) for spec, old in zip((white, black), battle.seats, strict=True)
        ]
        await self.battles.replace_seats(battle, seats)
        return battle

    async def delete(self, game_id: str, caller: str | None = None) -> None:
        await self.battles.delete(self._changeable(game_id, caller))

    def get(self, game_id: str) -> Battle:
        """The chess game ``game_id``; a battle of another game is no game here."""
        battle = self.battles.get(game_id)
        if battle.game != "chess":
            raise NotFound(f"no chess game with id {game_id}")
        return battle

    def _changeable(self, game_id: str, caller: str | None) -> Battle:
        """The game, if ``caller`` may change it: anyone when no user owns a side."""
        battle = self.get(game_id)
        owners = {seat.user_id for seat in battle.seats if seat.user_id is not None}
        if owners and caller not in owners:
            raise Forbidden("this game belongs to another user")
        return battle


def _seat(spec: PlayerSpec, previous: Seat | None, user_id: str | None) -> Seat:
    """A seat for ``spec``; a side that keeps its kind keeps its player (and owner).

    A new human side is the signed-in user's (player id = user id), else anonymous.
    """
    kind = SeatKind.AI if spec.computer else SeatKind.HUMAN
    if previous is not None and previous.kind is kind:
        if spec.computer:
            return replace(previous, level=spec.level, search_time=spec.search_time)
        return previous
    if spec.computer:
        return Seat(
            f"ai-player-{uuid.uuid4()}", kind, level=spec.level, search_time=spec.search_time
        )
    return Seat(user_id or str(uuid.uuid4()), kind, user_id=user_id)
