"""Adjudication of two-player games on the engines' own scores, as cutechess-cli does it.

The input is the game so far, one `Ply` a move: the seat that moved (0 first, 1 second)
and the score its engine reported for the position it moved from, in centipawns from
its *own* point of view (positive: the mover thinks it is better), or None when the move
carried no score (a user's move, a book move, a move played as a fallback). Scores are
turned to the first seat's point of view before they are compared.

* **Resign** (cutechess-cli's ``-resign movecount=N score=S twosided=true``): for each
  side's last N moves, the losing side's own score was ≤ -S and the winner's own score
  ≥ S (both engines agree the game is lost) → the losing side loses.
* **Draw** (``-draw movenumber=M movecount=N score=S``): at least M full moves have been
  played in this game (plies ÷ 2, counted from the game's start position, as cutechess
  counts from an EPD opening), and each side's last N scores are within ±S → a draw.

A move without a score breaks the run, as cutechess resets its counters on moves that
carry no evaluation: a game where a side reports no scores at all is never adjudicated.
The draw rule is tried first, as cutechess does (both can hold only if the draw bound is
at least the resign bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ADJUDICATION = "adjudication"
"""The reason of a game ended by these rules."""


@dataclass(frozen=True, slots=True)
class Ply:
    """One move: the seat that made it and its engine's score, from that seat's view."""

    seat: int
    score: float | None = None


@dataclass(frozen=True, slots=True)
class ResignRule:
    score: int  # centipawns, > 0
    moves: int  # each side's last moves, ≥ 1


@dataclass(frozen=True, slots=True)
class DrawRule:
    score: int  # centipawns within zero, ≥ 0
    moves: int  # each side's last moves, ≥ 1
    after: int = 0  # full moves played at least


@dataclass(frozen=True, slots=True)
class Rules:
    resign: ResignRule | None = None
    draw: DrawRule | None = None

    @classmethod
    def of(cls, settings: Mapping[str, Any] | None) -> Rules | None:
        """The rules in a tournament's ``adjudication`` settings (the API's shape:
        ``{"resign": {score, moves}, "draw": {score, moves, after}}``); None if neither."""
        settings = settings or {}
        resign, draw = settings.get("resign"), settings.get("draw")
        if not resign and not draw:
            return None
        return cls(
            ResignRule(resign["score"], resign["moves"]) if resign else None,
            DrawRule(draw["score"], draw["moves"], draw.get("after", 0)) if draw else None,
        )

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        if self.resign:
            shown["resign"] = {"score": self.resign.score, "moves": self.resign.moves}
        if self.draw:
            draw = self.draw
            shown["draw"] = {"score": draw.score, "moves": draw.moves, "after": draw.after}
        return shown


@dataclass(frozen=True, slots=True)
class Verdict:
    """The game is adjudicated: ``winner`` is the winning seat, None for a draw."""

    winner: int | None


def _last_scores(plies: Sequence[Ply], seat: int, count: int) -> list[float] | None:
    """The first seat's view of ``seat``'s last ``count`` scores; None unless it has
    made that many moves and all of them carry a score."""
    own = [ply.score for ply in plies if ply.seat == seat][-count:]
    if len(own) < count or any(score is None for score in own):
        return None
    sign = 1 if seat == 0 else -1
    return [sign * score for score in own if score is not None]


def judge(rules: Rules, plies: Sequence[Ply]) -> Verdict | None:
    """The verdict on a two-player game after ``plies``, or None: play on."""
    if rules.draw is not None:
        draw = rules.draw
        if len(plies) // 2 >= draw.after:
            runs = [_last_scores(plies, seat, draw.moves) for seat in (0, 1)]
            if all(run is not None and all(abs(s) <= draw.score for s in run) for run in runs):
                return Verdict(None)
    if rules.resign is not None:
        resign = rules.resign
        runs = [_last_scores(plies, seat, resign.moves) for seat in (0, 1)]
        first, second = runs
        if first is not None and second is not None:
            seen = first + second  # the first seat's view, both engines
            if all(s <= -resign.score for s in seen):
                return Verdict(1)
            if all(s >= resign.score for s in seen):
                return Verdict(0)
    return None
