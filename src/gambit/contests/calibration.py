"""What gambit's built-in engine levels are worth, in Elo with 95% intervals.

Produced by ``bench/calibrate_levels.py`` (a round-robin of levels from the built-in
book, each opening twice with colours swapped, fitted by `fit_elo` with one virtual draw
per pair, anchored on level 10 at 0). Values below are from a quick run on the
development machine: 2 openings (4 games) per pair of levels, 50 ms per move; wide
intervals — run the bench with more openings for a sharper table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Calibrated:
    engine: str
    level: int
    search_time: int  # ms per move
    elo: float
    low: float
    high: float
    anchor: bool = False


TABLE: tuple[Calibrated, ...] = (
    Calibrated("stockfish", 0, 50, -411, -717, -106),
    Calibrated("stockfish", 5, 50, -195, -438, 49),
    Calibrated("stockfish", 10, 50, 0, 0, 0, anchor=True),
    Calibrated("stockfish", 15, 50, 38, -188, 265),
    Calibrated("stockfish", 20, 50, 256, -13, 524),
)
"""The duel AI's levels are not calibrated yet: the bench plays chess only."""
