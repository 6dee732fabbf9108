"""Crosstable and standings: points, games, Buchholz and Sonneborn-Berger.

Tie-breaks, as this module computes them:

* **Buchholz** — the sum of the final points of every opponent met, once per game (so a
  double round-robin counts each opponent twice).
* **Sonneborn-Berger** — the sum over games of the points scored in the game times the
  opponent's final points: a win adds the opponent's points, a draw half of them.
* A **bye** is worth its points (1 by default) to the player, but has no opponent: it adds
  nothing to either tie-break. (FIDE's 2023 tie-break rules value unplayed rounds against a
  virtual opponent instead; that refinement is not implemented.)

Standings sort by points, then the tie-breaks in the order given (Buchholz, then
Sonneborn-Berger by default), then by the order participants were listed in (their seeding).
Participants equal on every criterion share a rank (1, 2, 2, 4…).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from gambit.contests.results import Bye, GameResult

TieBreak = Literal["buchholz", "sonneborn_berger"]


@dataclass(frozen=True, slots=True)
class Cell:
    """What the row participant scored against the column one."""

    points: float = 0.0
    games: int = 0


@dataclass(frozen=True, slots=True)
class Crosstable:
    """Participant x participant points; ``cells[a][b]`` is a's score against b."""

    participants: tuple[str, ...]
    cells: dict[str, dict[str, Cell]]

    def __getitem__(self, key: tuple[str, str]) -> Cell:
        a, b = key
        return self.cells[a][b]


def crosstable(participants: Sequence[str], games: Iterable[GameResult]) -> Crosstable:
    """The crosstable of ``games`` among ``participants``."""
    parts = tuple(participants)
    if len(set(parts)) != len(parts):
        raise ValueError("participants must be distinct")
    raw: dict[str, dict[str, list[float]]] = {a: {b: [0.0, 0.0] for b in parts} for a in parts}
    for game in games:
        for me in (game.white, game.black):
            if me not in raw:
                raise ValueError(f"unknown participant {me!r}")
            cell = raw[me][game.opponent_of(me)]
            cell[0] += game.score_of(me)
            cell[1] += 1
    cells = {
        a: {b: Cell(points=v[0], games=int(v[1])) for b, v in row.items() if b != a}
        for a, row in raw.items()
    }
    return Crosstable(parts, cells)


@dataclass(frozen=True, slots=True)
class Standing:
    """One row of the standings."""

    rank: int
    participant: str
    points: float
    games: int  # games played (byes not counted)
    wins: int
    draws: int
    losses: int
    byes: int
    buchholz: float
    sonneborn_berger: float


def standings(
    participants: Sequence[str],
    games: Iterable[GameResult],
    byes: Iterable[Bye] = (),
    *,
    tiebreaks: Sequence[TieBreak] = ("buchholz", "sonneborn_berger"),
) -> list[Standing]:
    """Rows sorted by points, then ``tiebreaks``, then listing order (see module doc)."""
    parts = list(participants)
    seed = {p: k for k, p in enumerate(parts)}
    if len(seed) != len(parts):
        raise ValueError("participants must be distinct")
    games = list(games)
    points = dict.fromkeys(parts, 0.0)
    record = {p: [0, 0, 0, 0] for p in parts}  # wins, draws, losses, byes
    for game in games:
        for me in (game.white, game.black):
            if me not in seed:
                raise ValueError(f"unknown participant {me!r}")
            s = game.score_of(me)
            points[me] += s
            record[me][0 if s == 1.0 else 1 if s == 0.5 else 2] += 1
    for bye in byes:
        if bye.participant not in seed:
            raise ValueError(f"unknown participant {bye.participant!r}")
        points[bye.participant] += bye.points
        record[bye.participant][3] += 1
    buchholz = dict.fromkeys(parts, 0.0)
    sonneborn = dict.fromkeys(parts, 0.0)
    for game in games:
        for me in (game.white, game.black):
            opponent_points = points[game.opponent_of(me)]
            buchholz[me] += opponent_points
            sonneborn[me] += game.score_of(me) * opponent_points
    values = {"buchholz": buchholz, "sonneborn_berger": sonneborn}

    def key(p: str) -> tuple[float, ...]:
        return (-points[p], *(-values[t][p] for t in tiebreaks))

    ordered = sorted(parts, key=lambda p: (key(p), seed[p]))
    rows: list[Standing] = []
    for position, p in enumerate(ordered, start=1):
        rank = rows[-1].rank if rows and key(rows[-1].participant) == key(p) else position
        w, d, loss, b = record[p]
        rows.append(
            Standing(
                rank=rank,
                participant=p,
                points=points[p],
                games=w + d + loss,
                wins=w,
                draws=d,
                losses=loss,
                byes=b,
                buchholz=buchholz[p],
                sonneborn_berger=sonneborn[p],
            )
        )
    return rows
