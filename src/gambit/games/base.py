"""What every game's rules provide to the battle core: the `Ruleset` protocol.

A ruleset is pure: no I/O, no clock, no global randomness. Given the same seats,
options, seed and actions it produces the same states, which is what lets a battle
be stored as its action log and replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

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


class Ruleset(Protocol[State]):
    """The rules of one game, as the battle core drives them."""

    name: str
    min_seats: int
    max_seats: int

    def initial_state(self, seats: int, options: Mapping[str, Any], seed: int) -> State:
        """The starting state; raises `InvalidOptions` when the options cannot start a game."""
        ...

    def copy(self, state: State) -> State:
        """An independent copy, for callers that must keep a state `apply` will change."""
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
