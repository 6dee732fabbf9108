"""The chess face of seed 003: games with a white and a black player, human or computer.

A chess game is a battle of game ``chess``: seat 0 plays white, seat 1 black. The
computer never moves on its own here; a client asks for its move with ``cccc``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gambit.games import RULESETS
from gambit.games.battle import Battle, Seat, SeatKind
from gambit.services.battles import BattleService
from gambit.services.errors import NotHumanTurn

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

    async def create(self, white: PlayerSpec, black: PlayerSpec, fen: str | None) -> Battle:
        seats = [_seat(white, None), _seat(black, None)]
        return await self.battles.create("chess", seats, {"fen": fen} if fen else {})

    async def move(self, game_id: str, move: str) -> Battle:
        """Play a human move, or with ``cccc`` start the computer thinking."""
        battle = self.battles.get(game_id)
        self.battles.ensure_open(battle)
        seat = RULESETS["chess"].to_move(battle.state)
        colour = COLOURS[seat]
        is_computer = battle.seats[seat].kind is SeatKind.AI
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

    async def undo(self, game_id: str, plies: int) -> Battle:
        battle = self.battles.get(game_id)
        await self.battles.undo(battle, plies)
        return battle

    async def set_players(self, game_id: str, white: PlayerSpec, black: PlayerSpec) -> Battle:
        battle = self.battles.get(game_id)
        seats = [_seat(spec, old) for spec, old in zip((white, black), battle.seats, strict=True)]
        await self.battles.replace_seats(battle, seats)
        return battle

    async def delete(self, game_id: str) -> None:
        await self.battles.delete(self.battles.get(game_id))


def _seat(spec: PlayerSpec, previous: Seat | None) -> Seat:
    """A seat for ``spec``; a side that keeps its kind keeps its player id."""
    kind = SeatKind.AI if spec.computer else SeatKind.HUMAN
    if previous is not None and previous.kind is kind:
        player_id = previous.player_id
    elif spec.computer:
        player_id = f"ai-player-{uuid.uuid4()}"
    else:
        player_id = str(uuid.uuid4())
    if not spec.computer:
        return Seat(player_id, kind)
    return Seat(player_id, kind, level=spec.level, search_time=spec.search_time)
