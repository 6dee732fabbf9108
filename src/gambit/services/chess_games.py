"""The chess face of seed 003: games with a white and a black player, human or computer.

A chess game is a battle of game ``chess``: seat 0 plays white, seat 1 black. The
computer never moves on its own here; a client asks for its move with ``cccc``.

A game created by a signed-in user belongs to them: its human sides carry their user
id, and only they may change it. Anonymous games stay open to anyone, as in seed 003.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from gambit.bus import EventBus, battle_topic
from gambit.games.battle import Battle, Seat, SeatKind
from gambit.games.chess import UCI_MOVE, not_uci
from gambit.services.ai_turns import AITurns
from gambit.services.announcer import CHANGES
from gambit.services.errors import Forbidden, InvalidRequest, NotFound, NotHumanTurn
from gambit.services.referee import Referee, ensure_open
from gambit.services.repository import BattleRepository

COMPUTER_MOVE = "cccc"
COLOURS = ("white", "black")


@dataclass(frozen=True, slots=True)
class PlayerSpec:
    """Who plays one side: a human, or the computer at a level and thinking time."""

    computer: bool
    level: int
    search_time: int


class ChessGames:
    """Use cases of the chess face, on the shared battle core."""

    def __init__(
        self,
        repository: BattleRepository,
        referee: Referee,
        ai_turns: AITurns,
        bus: EventBus,
    ) -> None:
        self._repository = repository
        self._referee = referee
        self._ai_turns = ai_turns
        self._bus = bus

    async def create(
        self, white: PlayerSpec, black: PlayerSpec, fen: str | None, user_id: str | None = None
    ) -> Battle:
        seats = [_seat(white, None, user_id), _seat(black, None, user_id)]
        return await self._referee.create("chess", seats, {"fen": fen} if fen else {})

    async def move(self, game_id: str, move: str, caller: str | None = None) -> Battle:
        """Play a human move, or with ``cccc`` start the computer thinking."""
        game = await self.get(game_id)
        computer = move == COMPUTER_MOVE
        if not computer and not UCI_MOVE.fullmatch(move):
            raise InvalidRequest(not_uci(move, game.state))

        def side(battle: Battle) -> int:
            _check_owner(battle, caller)
            ensure_open(battle)
            seat = battle.to_move()
            colour = COLOURS[seat]
            is_computer = battle.seats[seat].kind is SeatKind.AI
            owner = battle.seats[seat].user_id
            if not is_computer and owner is not None and owner != caller:
                raise Forbidden(f"{colour} is played by another user")
            if computer and not is_computer:
                raise NotHumanTurn(f"it is {colour}'s turn and {colour} is a human: send a move")
            if not computer and is_computer:
                raise NotHumanTurn(
                    f"it is {colour}'s turn and {colour} is the computer: send cccc to make it move"
                )
            return seat

        if computer:
            return await self._ai_turns.start(game_id, side)
        return await self._referee.act(game_id, side, {"type": "move", "move": move})

    async def undo(self, game_id: str, plies: int, caller: str | None = None) -> Battle:
        await self.get(game_id)
        return await self._referee.undo(game_id, plies, _owned_by(caller))

    async def set_players(
        self, game_id: str, white: PlayerSpec, black: PlayerSpec, caller: str | None = None
    ) -> Battle:
        await self.get(game_id)

        def seats(battle: Battle) -> list[Seat]:
            _check_owner(battle, caller)
            pairs = zip((white, black), battle.seats, strict=True)
            return [_seat(spec, old, caller) for spec, old in pairs]

        return await self._referee.replace_seats(game_id, seats)

    async def delete(self, game_id: str, caller: str | None = None) -> None:
        await self.get(game_id)
        await self._referee.delete(game_id, _owned_by(caller))

    async def get(self, game_id: str) -> Battle:
        """The chess game ``game_id``; a battle of another game is no game here."""
        try:
            battle = await self._repository.get(game_id)
        except NotFound:
            battle = None
        # The chess face speaks of games, whatever the battle core calls them.
        if battle is None or battle.game != "chess":
            raise NotFound(f"no game with id {game_id}")
        return battle

    async def wait_for_change(
        self, game_id: str, unchanged: Callable[[Battle], bool], timeout: float
    ) -> Battle:
        """The game once it changes, or as it is after ``timeout`` seconds.

        Returns at once when ``unchanged(game)`` is already false. Raises `NotFound`
        if the game is (or gets) deleted.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._bus.subscribe(battle_topic(game_id)) as subscription:
            # Subscribed before looking, so a change in between is not missed.
            if unchanged(await self.get(game_id)):
                while (left := deadline - asyncio.get_running_loop().time()) > 0:
                    event = await subscription.next(left)
                    # Other processes' changes are loaded by the time their update comes.
                    if event is None or event.name in CHANGES:
                        break
        return await self.get(game_id)


def _check_owner(battle: Battle, caller: str | None) -> None:
    """``caller`` may change the game: anyone when no user owns a side."""
    owners = {seat.user_id for seat in battle.seats if seat.user_id is not None}
    if owners and caller not in owners:
        raise Forbidden("this game belongs to another user")


def _owned_by(caller: str | None) -> Callable[[Battle], int]:
    def check(battle: Battle) -> int:
        _check_owner(battle, caller)
        return battle.to_move()

    return check


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
