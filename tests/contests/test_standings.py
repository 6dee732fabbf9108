"""Crosstable, Buchholz and Sonneborn-Berger against a hand-computed example."""

from __future__ import annotations

from gambit.contests.results import Bye, GameResult
from gambit.contests.standings import crosstable, standings


def test_standings_by_hand() -> None:
    """Four players, a round-robin: a beats b, a draws c, a beats d, b beats c, b draws d,
    c beats d. Points: a 2.5, b 1.5, c 1.5, d 0.5.
    Buchholz (opponents' points): a 1.5+1.5+0.5 = 3.5; b 2.5+1.5+0.5 = 4.5;
    c 2.5+1.5+0.5 = 4.5; d 2.5+1.5+1.5 = 5.5.
    Sonneborn-Berger (points scored x opponent's points): a 1.5 + 0.75 + 0.5 = 2.75;
    b 0 + 1.5 + 0.25 = 1.75; c 1.25 + 0 + 0.5 = 1.75; d 0 + 0.75 + 0 = 0.75.
    b and c tie on everything: they share rank 2, listed in seeding order."""
    games = [
        GameResult("a", "b", 1.0),
        GameResult("c", "a", 0.5),
        GameResult("a", "d", 1.0),
        GameResult("b", "c", 1.0),
        GameResult("d", "b", 0.5),
        GameResult("c", "d", 1.0),
    ]
    rows = standings(["a", "b", "c", "d"], games)
    table = {r.participant: (r.rank, r.points, r.buchholz, r.sonneborn_berger) for r in rows}
    assert table == {
        "a": (1, 2.5, 3.5, 2.75),
        "b": (2, 1.5, 4.5, 1.75),
        "c": (2, 1.5, 4.5, 1.75),
        "d": (4, 0.5, 5.5, 0.75),
    }
    assert [r.participant for r in rows] == ["a", "b", "c", "d"]
    assert (rows[0].wins, rows[0].draws, rows[0].losses, rows[0].games) == (2, 1, 0, 3)
    cross = crosstable(["a", "b", "c", "d"], games)
    assert cross["a", "c"].points == 0.5
    assert cross["c", "a"].games == 1
    for x in "abcd":
        for y in "abcd":
            if x != y:
                assert cross[x, y].points + cross[y, x].points == cross[x, y].games


def test_a_bye_is_a_point_without_an_opponent() -> None:
    games = [GameResult("a", "b", 0.5, round=1)]
    rows = standings(["a", "b", "c"], games, [Bye("c", round=1)])
    c = next(r for r in rows if r.participant == "c")
    assert (c.points, c.games, c.byes, c.buchholz, c.sonneborn_berger) == (1.0, 0, 1, 0.0, 0.0)
    assert rows[0].participant == "c"


def test_tiebreak_order_is_configurable() -> None:
    """a and b both have 1 point. a lost to s (3 points) and beat w (0): Buchholz 3,
    Sonneborn-Berger 0. b drew m1 and m2 (1 point each): Buchholz 2, Sonneborn-Berger 1."""
    games = [
        GameResult("s", "a", 1.0),
        GameResult("a", "w", 1.0),
        GameResult("b", "m1", 0.5),
        GameResult("m2", "b", 0.5),
        GameResult("m1", "m2", 0.5),
        GameResult("s", "f1", 1.0),
        GameResult("f2", "s", 0.0),
    ]
    players = ["b", "a", "s", "w", "m1", "m2", "f1", "f2"]
    order = [r.participant for r in standings(players, games)]
    assert order.index("a") < order.index("b")
    by_sb = [r.participant for r in standings(players, games, tiebreaks=("sonneborn_berger",))]
    assert by_sb.index("b") < by_sb.index("a")
