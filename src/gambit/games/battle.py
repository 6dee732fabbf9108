"""The game-agnostic battle: seats, the action log and the live state of one game.

A `Battle` is plain data. The services change it, the store persists it, and its
state can always be rebuilt by replaying ``actions`` on the ruleset's initial state.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gambit.games import RULESETS
from gambit.games.base import Action, IllegalAction, Outcome, Ruleset
from gambit.games.clock import Clock


class BattleStatus(enum.StrEnum):
    WAITING = "WAITING"
    ACTIVE = "ACTIVE"
    FINISHED = "FINISHED"


class SeatKind(enum.StrEnum):
    HUMAN = "human"
    AI = "ai"


@dataclass(slots=True)
class Seat:
    """One player's place in a battle. AI seats carry their engine settings."""

    player_id: str
    kind: SeatKind
    user_id: str | None = None
    level: int | None = None
    search_time: int | None = None  # milliseconds
    name: str | None = None  # a user's name and rating as they sat down, as lichess shows them
    rating: int | None = None

    @classmethod
    def of_user(cls, user_id: str, name: str, rating: float) -> Seat:
        """A user's seat, with their name and rating as they sit down."""
        return cls(user_id, SeatKind.HUMAN, user_id=user_id, name=name, rating=round(rating))

    @property
    def is_open(self) -> bool:
        """A human seat nobody has taken yet."""
        return self.kind is SeatKind.HUMAN and not self.player_id

    def to_json(self) -> dict[str, Any]:
        return {
            "playerId": self.player_id,
            "kind": self.kind.value,
            "userId": self.user_id,
            "level": self.level,
            "searchTime": self.search_time,
            "name": self.name,
            "rating": self.rating,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Seat:
        return cls(
            player_id=data["playerId"],
            kind=SeatKind(data["kind"]),
            user_id=data.get("userId"),
            level=data.get("level"),
            search_time=data.get("searchTime"),
            name=data.get("name"),
            rating=data.get("rating"),
        )


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One played turn: who acted, what they did, when, and what an engine reported."""

    seq: int  # 1-based position in the log
    seat: int
    player_id: str
    action: Action
    at: int  # epoch milliseconds
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChatLine:
    """A line said at the table: in the players' or the spectators' ``room``."""

    room: str
    username: str
    text: str
    at: int  # epoch milliseconds


@dataclass(frozen=True, slots=True)
class Table:
    """What the players say besides their moves: offers, chat, and who has left.

    Kept small: the last ``CHAT_LINES`` lines (``said`` counts every line, so a reader
    knows how many it has missed), the seats offering a draw or a take-back, and since
    when (epoch ms) each absent seat has had no connection to the game.
    """

    draw: frozenset[int] = frozenset()
    takeback: frozenset[int] = frozenset()
    chat: tuple[ChatLine, ...] = ()
    said: int = 0
    away: tuple[tuple[int, int], ...] = ()  # (seat, since)

    @property
    def has_offers(self) -> bool:
        return bool(self.draw or self.takeback)

    def away_since(self, seat: int) -> int | None:
        return next((since for who, since in self.away if who == seat), None)

    def to_json(self) -> dict[str, Any] | None:
        if self == EMPTY_TABLE:
            return None
        return {
            "draw": sorted(self.draw),
            "takeback": sorted(self.takeback),
            "chat": [[line.room, line.username, line.text, line.at] for line in self.chat],
            "said": self.said,
            "away": [list(pair) for pair in self.away],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Table:
        if not data:
            return EMPTY_TABLE
        return cls(
            draw=frozenset(data["draw"]),
            takeback=frozenset(data["takeback"]),
            chat=tuple(ChatLine(*line) for line in data["chat"]),
            said=data["said"],
            away=tuple((seat, since) for seat, since in data["away"]),
        )


EMPTY_TABLE = Table()
CHAT_LINES = 50


@dataclass(slots=True)
class Battle:
    """A battle of any game, with its live ruleset state."""

    id: str
    game: str
    seats: list[Seat]
    options: dict[str, Any]
    seed: int
    status: BattleStatus
    created_at: int
    updated_at: int
    state: Any
    actions: list[ActionRecord] = field(default_factory=list)
    outcome: Outcome | None = None
    thinking: bool = False  # an AI seat is choosing its action
    rated: bool = False  # its result is in the players' stats (once, even if undone)
    turn_started_at: int = 0  # epoch ms the current turn began, for the turn clock
    clock: Clock | None = None  # with a time control: the seats' remaining times
    table: Table = EMPTY_TABLE  # offers, chat and absences; immutable, so copies share it
    version: int = 0  # stored changes so far; a change is stored on the version it was made on

    @property
    def ruleset(self) -> Ruleset[Any]:
        return RULESETS[self.game]

    def copy(self) -> Battle:
        """An independent copy to change, leaving this one as it is until the change is stored."""
        return replace(
            self,
            seats=list(self.seats),
            options=dict(self.options),
            state=self.ruleset.copy(self.state),
            actions=list(self.actions),
        )

    def to_move(self) -> int:
        return int(self.ruleset.to_move(self.state))

    def everyone_moved(self) -> bool:
        """Every seat has acted (or left): a time control's clock runs from then on."""
        return {record.seat for record in self.actions} >= set(range(len(self.seats)))


FORFEIT = "forfeit"
"""The type of the log entry a forfeit leaves; any seat may forfeit, in turn or not."""


def replay(ruleset: Ruleset[Any], battle: Battle) -> Any:
    """The state reached by replaying the battle's action log from its initial state."""
    *_, (_, state) = replay_steps(ruleset, battle)
    return state


def replay_steps(
    ruleset: Ruleset[Any], battle: Battle
) -> Iterator[tuple[ActionRecord | None, Any]]:
    """The initial state (with no record), then the state after each logged action.

    A ruleset may change a state in place, so a caller that keeps the states it is
    given must copy them.
    """
    state = ruleset.initial_state(len(battle.seats), battle.options, battle.seed)
    yield None, state
    for record in battle.actions:
        if record.action.get("type") == FORFEIT:
            state = forfeit(ruleset, state, record.seat)
        else:
            state, _ = ruleset.apply(state, record.action)
        yield record, state


def forfeit(ruleset: Ruleset[Any], state: Any, seat: int) -> Any:
    """``seat`` leaves: games that go on without it take it out; the others keep their
    state, and the battle's outcome records the forfeit."""
    left = ruleset.eliminate(state, seat)
    return state if left is None else left


# Rulesets name other players by seat number (a duel ``target``); players name them by
# player id, so actions are translated on the way in and out.


def _seat_fields(game: str) -> tuple[str, ...]:
    return RULESETS[game].seat_fields


def name_seats(game: str, ids: Sequence[str], action: Mapping[str, Any]) -> Action:
    """An action with the seat numbers of ``game`` replaced by the players' ``ids``."""
    named = dict(action)
    for name in _seat_fields(game):
        if isinstance(named.get(name), int) and 0 <= named[name] < len(ids):
            named[name] = ids[named[name]]
    return named


def name_line(game: str, ids: Sequence[str], info: Mapping[str, Any]) -> dict[str, Any]:
    """An AI's report (``score``, ``depth``, ``pv``) with the actions of its line named."""
    line = info.get("pv", [])
    return {**info, "pv": [name_seats(game, ids, a) if isinstance(a, dict) else a for a in line]}


def player_ids(battle: Battle) -> list[str]:
    return [seat.player_id for seat in battle.seats]


def to_public(battle: Battle, action: Mapping[str, Any]) -> Action:
    """An action as players see it: seat numbers become player ids."""
    return name_seats(battle.game, player_ids(battle), action)


def to_rules(battle: Battle, action: Mapping[str, Any]) -> Action:
    """An action as the ruleset takes it: player ids become seat numbers."""
    ruled = dict(action)
    for name in _seat_fields(battle.game):
        if name in ruled:
            ids = player_ids(battle)
            if ruled[name] not in ids or not ruled[name]:
                raise IllegalAction(f"{name} must be the player id of a player in this battle")
            ruled[name] = ids.index(ruled[name])
    return ruled
