"""The facts every contest statistic is computed from: finished games and byes.

Participants are plain strings (a user id, or a built-in engine's spec key); the runner
decides what they mean. A game has a first seat (white in chess) and a second seat, and a
score for the first seat: 1 a win, 0.5 a draw, 0 a loss. Games that belong together (the
two games of one opening with colours swapped) share a ``pair`` key.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

SCORES = (0.0, 0.5, 1.0)


@dataclass(frozen=True, slots=True)
class GameResult:
    """One finished game: ``score`` is the first seat's (white's) result, 1, 0.5 or 0."""

    white: str
    black: str
    score: float
    pair: Hashable | None = None  # games of one opening pair share this key
    round: int | None = None  # the Swiss (or round-robin) round it belongs to

    def __post_init__(self) -> None:
        if self.white == self.black:
            raise ValueError(f"a participant cannot play itself: {self.white!r}")
        if self.score not in SCORES:
            raise ValueError(f"score must be 0, 0.5 or 1, not {self.score!r}")

    def score_of(self, participant: str) -> float:
        """The result from ``participant``'s side of the board."""
        if participant == self.white:
            return self.score
        if participant == self.black:
            return 1.0 - self.score
        raise ValueError(f"{participant!r} did not play this game")

    def opponent_of(self, participant: str) -> str:
        if participant == self.white:
            return self.black
        if participant == self.black:
            return self.white
        raise ValueError(f"{participant!r} did not play this game")


@dataclass(frozen=True, slots=True)
class Bye:
    """A round without a game (odd count in a Swiss): worth ``points``, 1 by default."""

    participant: str
    round: int | None = None
    points: float = 1.0
