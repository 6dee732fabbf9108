"""The Elo statistics against published figures and hand computations, and their symmetries."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gambit.contests.elo import (
    Pentanomial,
    elo_difference,
    elo_difference_pentanomial,
    fit_elo,
    los,
)
from gambit.contests.results import GameResult

# --- two-player Elo difference ------------------------------------------------------------


def test_elo_difference_matches_fastchess_wdl_examples() -> None:
    """fastchess, app/tests/elo_test.cpp, "EloWDL 2": W=136 L=96 D=111 gives
    Elo 40.70 +/- 30.43 and nElo 49.77 +/- 36.77; "EloWDL 1": W=76 L=89 D=123 gives
    nElo -20.76 +/- 40.13 (github.com/Disservin/fastchess; doctest epsilon 1%)."""
    two = elo_difference(wins=136, draws=111, losses=96)
    assert two.elo == pytest.approx(40.70, abs=0.01)
    assert two.error == pytest.approx(30.43, abs=0.01)
    assert two.nelo == pytest.approx(49.77, abs=0.01)
    assert two.nelo_error == pytest.approx(36.77, abs=0.01)
    one = elo_difference(wins=76, draws=123, losses=89)
    assert one.nelo == pytest.approx(-20.76, abs=0.01)
    assert one.nelo_error == pytest.approx(40.13, abs=0.01)


def test_elo_difference_by_hand() -> None:
    """W=50 L=30 D=20, by hand (cutechess-cli's method, projects/lib/src/elo.cpp):
    N=100, score mu = (50 + 10)/100 = 0.6; Elo = -400 log10(1/0.6 - 1) = 70.44.
    Per-game variance = 0.5(1-0.6)^2 + 0.2(0.5-0.6)^2 + 0.3(0-0.6)^2 = 0.19;
    se = sqrt(0.19/100) = 0.043589; mu +/- 1.95996 se = 0.514567 .. 0.685433;
    their Elo: -400 log10(1/0.514567 - 1) = 10.13, -400 log10(1/0.685433 - 1) = 135.30;
    margin = (135.30 - 10.13)/2 = 62.59. LOS = Phi((50-30)/sqrt(80)) = Phi(2.2361) = 0.98733.
    """
    d = elo_difference(wins=50, draws=20, losses=30)
    assert d.score == pytest.approx(0.6)
    assert d.elo == pytest.approx(70.44, abs=0.01)
    assert d.low == pytest.approx(10.13, abs=0.01)
    assert d.high == pytest.approx(135.30, abs=0.01)
    assert d.error == pytest.approx(62.59, abs=0.01)
    assert d.los == pytest.approx(0.98733, abs=1e-5)


def test_elo_difference_pentanomial_matches_fastchess() -> None:
    """fastchess, app/tests/elo_test.cpp, "EloPentanomial 1": LL=34 LD=54 WL=31 DD=32 WD=64
    WW=75 gives Elo 55.58 +/- 27.65, nElo 57.94 +/- 28.28; "EloPentanomial 2": 332, 433,
    457, 41, 333, 334 gives Elo -8.64 +/- 10.33, nElo -9.17 +/- 10.96, LOS 5.05 %."""
    one = elo_difference_pentanomial(Pentanomial(34, 54, 31, 32, 64, 75))
    assert [one.elo, one.error, one.nelo, one.nelo_error] == pytest.approx(
        [55.58, 27.65, 57.94, 28.28], abs=0.01
    )
    two = elo_difference_pentanomial(Pentanomial(332, 433, 457, 41, 333, 334))
    assert [two.elo, two.error, two.nelo, two.nelo_error] == pytest.approx(
        [-8.64, 10.33, -9.17, 10.96], abs=0.01
    )
    assert round(100 * two.los, 2) == 5.05


def test_degenerate_scores() -> None:
    assert elo_difference(10, 0, 0).elo == math.inf
    assert elo_difference(0, 0, 10).elo == -math.inf
    even = elo_difference(0, 10, 0)
    assert (even.elo, even.error, even.los) == (0.0, 0.0, 0.5)
    with pytest.raises(ValueError, match="no games"):
        elo_difference(0, 0, 0)


@given(st.integers(1, 500), st.integers(0, 500), st.integers(1, 500))
def test_swapping_the_players_negates_the_difference(w: int, d: int, loss: int) -> None:
    ab, ba = elo_difference(w, d, loss), elo_difference(loss, d, w)
    assert ab.elo == pytest.approx(-ba.elo, abs=1e-9)
    assert ab.error == pytest.approx(ba.error, rel=1e-9)
    assert ab.los + ba.los == pytest.approx(1.0)


# --- LOS -------------------------------------------------------------------------------


def test_los_laskos_example() -> None:
    """Kai Laskos on talkchess ("Calculating the LOS from results", Jan 2014), the formula
    on chessprogramming wiki's Match Statistics page: W=5975 L=6077 D=26894 (a fishtest
    run) has LOS 0.176424 computed exactly; the normal formula gives 0.17641 (the erf
    approximation differs in the 5th decimal)."""
    assert los(5975, 6077) == pytest.approx(0.176424, abs=2e-5)
    assert los(0, 0) == 0.5


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_los_is_complementary(w: int, loss: int) -> None:
    assert los(w, loss) + los(loss, w) == pytest.approx(1.0)


# --- pentanomial counts ------------------------------------------------------------------


def test_pentanomial_counts_from_pairs_and_games() -> None:
    pairs = [(1.0, 1.0), (1.0, 0.5), (0.5, 1.0), (1.0, 0.0), (0.5, 0.5), (0.0, 0.5), (0.0, 0.0)]
    penta = Pentanomial.from_pairs(pairs)
    assert penta == Pentanomial(ll=1, ld=1, wl=1, dd=1, wd=2, ww=1)
    assert penta.by_points() == (1, 1, 2, 2, 1)
    assert penta.pairs == 7
    games = []
    for k, (a, b) in enumerate(pairs):
        games.append(GameResult("a", "b", a, pair=k))
        games.append(GameResult("b", "a", 1.0 - b, pair=k))
    games.append(GameResult("a", "b", 1.0, pair=99))  # an unfinished pair: left out
    assert Pentanomial.from_games(games, "a") == penta
    assert Pentanomial.from_games(games, "b") == penta.flipped()


# --- the maximum-likelihood fit ----------------------------------------------------------


def _games(a: str, b: str, wins: int, draws: int, losses: int) -> list[GameResult]:
    """Colour-balanced games with a's wins/draws/losses against b."""
    out = []
    for k, score in enumerate([1.0] * wins + [0.5] * draws + [0.0] * losses):
        out.append(GameResult(a, b, score) if k % 2 == 0 else GameResult(b, a, 1.0 - score))
    return out


def test_fit_two_players_matches_the_closed_form() -> None:
    """Two players: the ML difference is 400 log10(s / (1 - s)) and its Fisher standard
    error (400 / ln 10) / sqrt(N s (1 - s)). W=60 D=20 L=20 of N=100, s=0.7:
    d = 400 log10(7/3) = 147.19, se = 173.72 / sqrt(21) = 37.91 (hand computation)."""
    games = _games("a", "b", 60, 20, 20)
    anchored = fit_elo(["a", "b"], games, anchor="b")
    assert anchored["b"].elo == 0.0
    assert anchored["b"].stderr == 0.0
    assert anchored["a"].elo == pytest.approx(147.19, abs=0.01)
    assert anchored["a"].stderr == pytest.approx(37.91, abs=0.01)
    assert anchored["a"].low == pytest.approx(147.19 - 1.96 * 37.91, abs=0.05)
    centred = fit_elo(["a", "b"], games)
    assert centred["a"].elo == pytest.approx(73.60, abs=0.01)
    assert centred["b"].elo == pytest.approx(-73.60, abs=0.01)
    assert centred.difference_stderr("a", "b") == pytest.approx(37.91, abs=0.01)
    offset = fit_elo(["a", "b"], games, anchor="b", anchor_elo=1500)
    assert offset["a"].elo == pytest.approx(1647.19, abs=0.01)


def test_fit_converges_on_a_long_one_sided_match() -> None:
    """900 games, a scoring 714.5 (700 wins, 29 draws) and one virtual draw: the
    likelihood is so flat near its maximum at this size that trust regions stall on
    rounding; the fit still lands on -400 log10(715 / 186) = -233.98 for b."""
    games = _games("a", "b", 700, 29, 171)
    fit = fit_elo(["a", "b"], games, anchor="a", prior_draws=1.0)
    assert fit["b"].elo == pytest.approx(-400 * math.log10(715 / 186), abs=1e-6)


def test_fit_reproduces_a_consistent_elo_table() -> None:
    """An Elo table built by hand: odds 3:1 for a over b and b over c, 9:1 for a over c
    (logistic odds multiply). 100 games each: a-b 75:25, b-c 75:25, a-c 90:10. The ML fit
    reproduces it exactly: a - b = b - c = 400 log10 3 = 190.85, a - c = 381.70."""
    games = _games("a", "b", 75, 0, 25) + _games("b", "c", 75, 0, 25) + _games("a", "c", 90, 0, 10)
    fit = fit_elo(["a", "b", "c"], games)
    step = 400 * math.log10(3)
    assert fit["a"].elo == pytest.approx(step, abs=1e-4)
    assert fit["b"].elo == pytest.approx(0.0, abs=1e-4)
    assert fit["c"].elo == pytest.approx(-step, abs=1e-4)
    assert fit.los("a", "c") > fit.los("a", "b") > 0.99


def test_sandwich_interval_agrees_with_cutechess_for_two_players() -> None:
    """With many games the robust (sandwich) interval of the difference is cutechess's
    delta-method margin: W=400 D=400 L=200 -> cutechess +/- within 2 %."""
    games = _games("a", "b", 400, 400, 200)
    fit = fit_elo(["a", "b"], games, anchor="b", interval="sandwich")
    margin = elo_difference(400, 400, 200).error
    assert 1.95996 * fit["a"].stderr == pytest.approx(margin, rel=0.02)
    fisher = fit_elo(["a", "b"], games, anchor="b")
    assert fisher["a"].stderr > fit["a"].stderr  # draws narrow the robust interval


@st.composite
def _tournaments(draw: st.DrawFn) -> tuple[list[str], list[GameResult]]:
    n = draw(st.integers(2, 5))
    players = [f"p{k}" for k in range(n)]
    games = []
    for i in range(n):
        for j in range(i + 1, n):
            scores = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=2, max_size=8))
            # One draw per pair keeps the graph strongly connected (finite MLE).
            games.append(GameResult(players[i], players[j], 0.5))
            games += [GameResult(players[i], players[j], s) for s in scores]
    return players, games


@settings(max_examples=40, deadline=None)
@given(_tournaments())
def test_fit_satisfies_the_score_equations(data: tuple[list[str], list[GameResult]]) -> None:
    """At the maximum every participant's expected points equal its actual points."""
    players, games = data
    fit = fit_elo(players, games)
    assert sum(fit[p].elo for p in players) == pytest.approx(0.0, abs=1e-6)
    for p in players:
        expected = 0.0
        for g in games:
            if p in (g.white, g.black):
                diff = fit[p].elo - fit[g.opponent_of(p)].elo
                expected += 1 / (1 + 10 ** (-diff / 400))
        assert expected == pytest.approx(fit[p].points, abs=1e-5)
        assert fit[p].status == "fitted"
        assert fit[p].low < fit[p].elo < fit[p].high
    for a in players:
        for b in players:
            if a != b:
                assert fit.los(a, b) + fit.los(b, a) == pytest.approx(1.0)


@settings(max_examples=20, deadline=None)
@given(_tournaments())
def test_fit_is_symmetric(data: tuple[list[str], list[GameResult]]) -> None:
    """Reversing every result negates every rating; listing order does not matter."""
    players, games = data
    fit = fit_elo(players, games)
    flipped = fit_elo(players, [GameResult(g.black, g.white, g.score) for g in games])
    reordered = fit_elo(list(reversed(players)), games)
    for p in players:
        assert flipped[p].elo == pytest.approx(-fit[p].elo, abs=1e-5)
        assert flipped[p].stderr == pytest.approx(fit[p].stderr, rel=1e-5)
        assert reordered[p].elo == pytest.approx(fit[p].elo, abs=1e-5)


def test_unbounded_ratings_are_reported_not_invented() -> None:
    """A participant that won every game has no finite MLE: +inf, interval open above;
    one that lost every game is -inf; one that never played is undetermined."""
    games = (
        _games("a", "b", 3, 2, 3)
        + _games("top", "a", 2, 0, 0)
        + _games("top", "b", 2, 0, 0)
        + _games("bottom", "b", 0, 0, 4)
    )
    fit = fit_elo(["a", "b", "top", "bottom", "idle"], games)
    assert fit["a"].status == fit["b"].status == "fitted"
    assert fit["a"].elo == pytest.approx(0.0, abs=1e-6)  # 3-2-3: equal
    assert (fit["top"].status, fit["top"].elo, fit["top"].high) == ("above", math.inf, math.inf)
    assert math.isnan(fit["top"].low)
    assert (fit["bottom"].status, fit["bottom"].elo) == ("below", -math.inf)
    assert fit["idle"].status == "undetermined"
    assert math.isnan(fit["idle"].elo)
    assert fit.los("top", "a") == 1.0
    assert fit.los("bottom", "a") == 0.0
    assert math.isnan(fit.los("idle", "a"))
    # A virtual-draw prior makes everyone who played finite, in the same order.
    prior = fit_elo(["a", "b", "top", "bottom", "idle"], games, prior_draws=1)
    assert prior["top"].elo > prior["a"].elo > prior["bottom"].elo
    assert all(math.isfinite(prior[p].elo) for p in ("a", "b", "top", "bottom"))


def test_anchor_in_a_component_of_its_own() -> None:
    games = _games("anchor", "x", 4, 0, 0) + _games("x", "y", 2, 1, 2)
    fit = fit_elo(["anchor", "x", "y"], games, anchor="anchor", anchor_elo=1000)
    assert fit["anchor"].elo == 1000
    assert fit["anchor"].status == "fitted"
    assert fit["x"].status == fit["y"].status == "below"


def test_fit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="anchor"):
        fit_elo(["a"], [], anchor="b")
    with pytest.raises(ValueError, match="unknown participant"):
        fit_elo(["a", "b"], [GameResult("a", "c", 1.0)])
    with pytest.raises(ValueError, match="score"):
        GameResult("a", "b", 0.7)
