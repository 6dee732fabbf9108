"""Glicko-2 against Glickman's worked example, and the direction ratings move."""

from __future__ import annotations

import pytest

from gambit.rating import MAX_DEVIATION, MIN_DEVIATION, Rating, Result, update


def test_glickmans_example() -> None:
    player = Rating(1500, 200, 0.06)
    results = [
        Result(Rating(1400, 30), 1),
        Result(Rating(1550, 100), 0),
        Result(Rating(1700, 300), 0),
    ]
    after = update(player, results)
    assert after.rating == pytest.approx(1464.06, abs=0.01)
    assert after.deviation == pytest.approx(151.52, abs=0.01)
    assert after.volatility == pytest.approx(0.05999, abs=0.00001)


def test_a_win_raises_a_loss_lowers_a_draw_between_equals_keeps() -> None:
    new = Rating()
    assert update(new, [Result(Rating(), 1)]).rating > 1500
    assert update(new, [Result(Rating(), 0)]).rating < 1500
    assert update(new, [Result(Rating(), 0.5)]).rating == pytest.approx(1500)


def test_beating_a_stronger_player_is_worth_more() -> None:
    player = Rating(1500, 100)
    against_weak = update(player, [Result(Rating(1300, 50), 1)])
    against_strong = update(player, [Result(Rating(1700, 50), 1)])
    assert against_strong.rating - 1500 > against_weak.rating - 1500 > 0


def test_games_shrink_the_deviation_and_idle_periods_grow_it() -> None:
    player = Rating(1500, 200)
    assert update(player, [Result(Rating(), 1)]).deviation < 200
    assert update(player, []).deviation > 200


def test_the_deviation_stays_within_bounds() -> None:
    settled = Rating(1500, MIN_DEVIATION, 0.0001)
    for _ in range(50):
        settled = update(settled, [Result(Rating(1500, 30), 0.5)])
    assert settled.deviation == MIN_DEVIATION
    assert update(Rating(1500, MAX_DEVIATION), []).deviation == MAX_DEVIATION
