"""What every game's rules provide to the battle core: the `Ruleset` protocol.

A ruleset is pure: no I/O, no clock, no global randomness. Given the same seats,
options, seed and actions it produces the same states, which is what lets a battle
be stored as its action log and replayed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

Action = dict[str, Any]
"""A JSON object naming one turn, e.g. ``{"type": "move", "move": "e2e4"}``."""

State = TypeVar("State")


class IllegalAction(Exception):
    """The action is not allowed in this state; the message says why in plain words."""


class InvalidOptions(Exception):
    """The options for a new battle cannot start a game (e.g. an illegal chess FEN)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a finished game ended: the winning seats (none for a draw) and why."""

    winners: tuple[int, ...]
    reason: str

    @property
    def is_draw(self) -> bool:
        return not self.winners

    def to_json(self) -> dict[str, Any]:
        return {"winners": list(self.winners), "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        return cls(winners=tuple(data["winners"]), reason=data["reason"])


@dataclass(frozen=True, slots=True)
class PublicView:
    """What everyone may see of a state: the round, each player's fields by player id,
    and whatever else the game shows (chess: the FEN and the moves)."""

    round: int
    players: dict[str, dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Position(Generic[State]):
    """A position a client sent, for analysis: its state, and the players' ids by seat
    when the position names its players."""

    state: State
    ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Start:
    """Where one pair of a contest's games starts (its two games, seats swapped, start
    from the same position): the opening's name to show, None when it has none, and the
    battle options that set it up (chess ``{"fen": …}``, duel ``{"start": …}``)."""

    name: str | None
    options: dict[str, Any]


class Ruleset(Protocol[State]):
    """The rules of one game, as the battle core drives them: everything the layers
    above need to know of a game, so that none of them asks which game it is."""

    name: str
    min_seats: int
    max_seats: int
    seat_fields: tuple[str, ...]
    """Action fields that name another seat (a duel ``target``); players use player ids."""
    adjudication_by_score: bool
    """Whether its engines report scores (centipawns, the mover's own view) with their
    moves, so that a contest may end a game on them by resign and draw rules."""
    round_limit_option: str | None
    """The battle option that caps a game's rounds (duel ``maxRounds``), which a contest
    may set; None when the game has no round limit."""
    engine: str
    """The public name of the built-in engine that plays it (a contest's ``engine``)."""
    engine_title: str
    """That engine as people read it, in participant names (``Stockfish level 10``)."""

    def initial_state(self, seats: int, options: Mapping[str, Any], seed: int) -> State:
        """The starting state; raises `InvalidOptions` when the options cannot start a game."""
        ...

    def copy(self, state: State) -> State:
        """An independent copy, for callers that must keep a state `apply` will change.
        It holds what the rules need to go on, not necessarily the whole history: a
        battle's history is its action log."""
        ...

    def to_move(self, state: State) -> int:
        """The seat whose turn it is."""
        ...

    def legal_actions(self, state: State) -> list[Action]:
        """Every action the seat to move may take, each postable back unchanged."""
        ...

    def apply(self, state: State, action: Mapping[str, Any]) -> tuple[State, Action]:
        """Play ``action`` for the seat to move; returns the new state and the action as recorded.

        May change and return ``state`` itself (chess does, to stay fast). Raises
        `IllegalAction` with the reason when the action is not allowed.
        """
        ...

    def outcome(self, state: State) -> Outcome | None:
        """The result if the game is over, else None."""
        ...

    def eliminate(self, state: State, seat: int) -> State | None:
        """``seat`` leaves (it forfeited or ran out of time): the state without it when
        the game goes on without a player, or None when it cannot (the others win)."""
        ...

    def timeout(self, state: State, seat: int) -> Outcome | None:
        """The result when ``seat``'s time runs out, or None when the game goes on
        without it, as after a forfeit (see `eliminate`)."""
        ...

    def view(self, state: State, ids: Sequence[str], actions: Sequence[Action]) -> PublicView:
        """The public view of ``state``; ``ids`` are the players' ids by seat and
        ``actions`` the actions played to reach it."""
        ...

    def position(self, data: Mapping[str, Any] | str) -> Position[State]:
        """A state from the public form a client sends (what ``view`` shows); raises
        `InvalidOptions` saying what is wrong with it."""
        ...

    def record(
        self,
        state: State,
        names: Sequence[str],
        outcome: Outcome | None,
        tags: Mapping[str, str],
    ) -> str | None:
        """The game in its standard notation (chess: PGN) with the players' ``names`` by
        seat and the descriptive ``tags``; None for a game that has none."""
        ...

    def contest_starts(
        self, openings: Mapping[str, Any] | None, pairs: range, seed: int
    ) -> list[Start]:
        """The starts of a contest's pairs numbered ``pairs``, one a pair, from the
        organiser's ``openings`` settings (chess: a book, EPD or PGN, taken in turn round
        the list; duel ignores them) and ``seed`` (duel: a start of its own for each pair).
        Raises `InvalidOptions` saying what is wrong when the openings cannot be read,
        also for no pairs, which is how a contest's settings are checked."""
        ...
