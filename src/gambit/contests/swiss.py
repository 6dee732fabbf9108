"""Swiss pairings: the next round from the results so far, by optimal matching.

A Dutch-like system. Participants are listed in seeding order (strongest first); before
each round they are ranked by points, then seed. The round is the perfect matching (with a
"bye" vertex when the count is odd) that is best under these criteria, compared
lexicographically — each one matters only among pairings equal on all earlier ones:

1. as few rematches as possible (none whenever a rematch-free round exists);
2. no second bye for anyone while someone without one can take it;
3. as few colour violations as possible: a player getting the same colour a third time in a
   row, or reaching a colour difference (whites - blacks) beyond ±2;
4. the bye to a player with as few points as possible;
5. players meet opponents on equal points: the sum of squared point differences
   (in half-points) is minimal, so floaters are few and float as little as they can;
6. as many players as possible get their colour preference (the colour that evens their
   difference, else the one they did not have last round);
7. the bye to the lowest-ranked eligible player;
8. within a score group, the top half meets the bottom half in order (1 v ½n+1, 2 v ½n+2 …,
   the Dutch pairing): the sum of ``|distance - ½ group size|`` is minimal.

Each level is an integer linear programme solved exactly with ``scipy.optimize.milp`` (HiGHS),
then fixed as a constraint for the next, so the order above is strict. Colours within a
pair: the choice with fewer violations, then more preferences met; if still equal, the
higher-ranked player gets their preference; with no preferences at all (round one), the
higher-ranked player has white on odd boards and black on even ones.

What this does not do: FIDE's full Dutch rules (C.04.3: upfloat/downfloat history,
the exact transposition order, the last-round exemption of top scorers from colour rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from gambit.contests.pairings import Pairing, Round
from gambit.contests.results import Bye, GameResult

BYE = None  # the bye vertex's partner marker


@dataclass(slots=True)
class _Player:
    name: str
    seed: int
    points: float = 0.0
    opponents: set[str] = field(default_factory=set)
    colours: list[str] = field(default_factory=list)  # "W"/"B", oldest first
    byes: int = 0

    @property
    def difference(self) -> int:
        return self.colours.count("W") - self.colours.count("B")

    @property
    def preference(self) -> str | None:
        d = self.difference
        if d < 0:
            return "W"
        if d > 0:
            return "B"
        if self.colours:
            return "B" if self.colours[-1] == "W" else "W"
        return None

    def violates(self, colour: str) -> bool:
        """Would ``colour`` be a third in a row, or push the difference beyond ±2?"""
        diff = self.difference + (1 if colour == "W" else -1)
        return abs(diff) > 2 or self.colours[-2:] == [colour, colour]


def _colour_cost(white: _Player, black: _Player) -> tuple[int, int]:
    violations = int(white.violates("W")) + int(black.violates("B"))
    misses = int(white.preference == "B") + int(black.preference == "W")
    return violations, misses


def _history(
    participants: Sequence[str], games: Iterable[GameResult], byes: Iterable[Bye]
) -> dict[str, _Player]:
    players = {p: _Player(p, k) for k, p in enumerate(participants)}
    if len(players) != len(participants):
        raise ValueError("participants must be distinct")
    ordered = sorted(
        enumerate(games), key=lambda kg: (kg[1].round if kg[1].round is not None else 0, kg[0])
    )
    for _, game in ordered:
        for me, colour in ((game.white, "W"), (game.black, "B")):
            player = players.get(me)
            if player is None:
                continue  # a withdrawn participant: its games still count for the others
            player.points += game.score_of(me)
            player.opponents.add(game.opponent_of(me))
            player.colours.append(colour)
    for bye in byes:
        if bye.participant in players:
            players[bye.participant].points += bye.points
            players[bye.participant].byes += 1
    return players


def swiss_round(
    participants: Sequence[str],
    games: Iterable[GameResult] = (),
    byes: Iterable[Bye] = (),
    *,
    number: int | None = None,
) -> Round:
    """The pairings of the next round for the ``participants`` still playing.

    ``games`` and ``byes`` are everything played so far (games in play order, or carrying
    their ``round``). ``number`` defaults to one more than the rounds played.
    """
    games = list(games)
    byes = list(byes)
    players = _history(participants, games, byes)
    if number is None:
        rounds = {g.round for g in games if g.round is not None} | {
            b.round for b in byes if b.round is not None
        }
        number = (max(rounds) if rounds else 0) + 1
    ranked = sorted(players.values(), key=lambda p: (-p.points, p.seed))
    n = len(ranked)
    if n == 0:
        return Round(number, ())
    if n == 1:
        return Round(number, (), ranked[0].name)

    groups: dict[float, list[str]] = {}
    for p in ranked:
        groups.setdefault(p.points, []).append(p.name)
    group_pos = {name: k for members in groups.values() for k, name in enumerate(members)}

    # Candidate edges: every pair (higher-ranked first), plus bye edges when n is odd.
    edges: list[tuple[int, int | None]] = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if n % 2:
        edges += [(i, BYE) for i in range(n)]
    vertices = n + (n % 2)
    levels = np.zeros((8, len(edges)))
    min_points = ranked[-1].points
    for e, (i, j) in enumerate(edges):
        a = ranked[i]
        if j is None:
            levels[1, e] = int(a.byes > 0)
            levels[3, e] = round(2 * (a.points - min_points))
            levels[6, e] = n - 1 - i
            continue
        b = ranked[j]
        levels[0, e] = int(b.name in a.opponents)
        violations, misses = min(_colour_cost(a, b), _colour_cost(b, a))
        levels[2, e] = violations
        levels[4, e] = round(2 * (a.points - b.points)) ** 2
        levels[5, e] = misses
        if a.points == b.points:
            half = len(groups[a.points]) // 2
            levels[7, e] = abs(group_pos[b.name] - group_pos[a.name] - half)

    chosen = _lexicographic_matching(levels, edges, vertices)
    pairs = [edges[e] for e in chosen]
    bye = next((ranked[i].name for i, j in pairs if j is None), None)
    games_pairs = sorted(
        ((i, j) for i, j in pairs if j is not None),
        key=lambda ij: (-max(ranked[ij[0]].points, ranked[ij[1]].points), ij[0]),
    )
    pairings: list[Pairing] = []
    for board, (i, j) in enumerate(games_pairs):
        pairings.append(_colours(ranked[i], ranked[j], board))
    return Round(number, tuple(pairings), bye)


def _colours(high: _Player, low: _Player, board: int) -> Pairing:
    """Colours for a pair; ``high`` is the higher-ranked player."""
    high_white, low_white = _colour_cost(high, low), _colour_cost(low, high)
    if high_white != low_white:
        return (
            Pairing(high.name, low.name) if high_white < low_white else Pairing(low.name, high.name)
        )
    preference = high.preference or (
        {"W": "B", "B": "W"}[low.preference] if low.preference else None
    )
    if preference is None:
        preference = "W" if board % 2 == 0 else "B"
    return Pairing(high.name, low.name) if preference == "W" else Pairing(low.name, high.name)


def _lexicographic_matching(
    levels: np.ndarray, edges: Sequence[tuple[int, int | None]], vertices: int
) -> list[int]:
    """Edge indices of the perfect matching minimizing ``levels`` lexicographically."""
    m = len(edges)
    incidence = np.zeros((vertices, m))
    for e, (i, j) in enumerate(edges):
        incidence[i, e] = 1
        incidence[vertices - 1 if j is None else j, e] = 1
    constraints = [LinearConstraint(incidence, 1, 1)]
    integrality = np.ones(m)
    bounds = Bounds(0, 1)
    x: np.ndarray | None = None
    for cost in levels:
        if not cost.any():
            continue
        result = milp(
            cost,
            constraints=constraints,
            integrality=integrality,
            bounds=bounds,
            options={"mip_rel_gap": 0.0},
        )
        if result.x is None:
            raise RuntimeError(f"Swiss pairing failed: {result.message}")
        x = np.asarray(result.x)
        best = float(cost @ np.round(x))
        constraints.append(LinearConstraint(cost.reshape(1, -1), -np.inf, best + 0.5))
    if x is None:  # nothing to prefer: any perfect matching
        result = milp(np.zeros(m), constraints=constraints, integrality=integrality, bounds=bounds)
        x = np.asarray(result.x)
    return [e for e in range(m) if x[e] > 0.5]
