"""The SPRT against fastchess's and cutechess's published figures, an independent
constrained optimizer, and the normal approximation; and its monotonicity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from gambit.contests.elo import Pentanomial
from gambit.contests.sprt import Sprt, llr_pentanomial, llr_trinomial, sprt_bounds


def test_bounds() -> None:
    """Wald's bounds: alpha = beta = 0.05 gives +/- ln 19 = 2.944 (fastchess prints
    "(-2.94, 2.94)"); cutechess's projects/lib/tests/sprt/tst_sprt.cpp expects +/- 4.6 for
    alpha = beta = 0.01."""
    assert sprt_bounds(0.05, 0.05) == pytest.approx((-math.log(19), math.log(19)))
    lower, upper = sprt_bounds(0.01, 0.01)
    assert lower == pytest.approx(-4.60, abs=0.01)
    assert upper == pytest.approx(4.60, abs=0.01)
    with pytest.raises(ValueError, match="alpha"):
        sprt_bounds(0.6, 0.5)
    with pytest.raises(ValueError, match="elo0"):
        Sprt(elo0=5, elo1=0)


# fastchess, app/tests/sprt_test.cpp (github.com/Disservin/fastchess): Stats(W, L, D) or
# Stats(LL, LD, WL, DD, WD, WW), alpha = beta = 0.05, expected LLR to 1 %.
TRINOMIAL = [
    # (wins, losses, draws, elo0, elo1, model, llr)
    (36433, 36027, 68692, 0.0, 2.0, "normalized", 0.92),
    (10871, 10650, 20431, -1.75, 0.25, "normalized", 2.30),
    (21404, 21184, 40708, 0.5, 2.5, "logistic", -1.57),
    (57433, 57030, 106593, 0.0, 2.0, "logistic", -2.59),
    (68965, 68526, 128429, 0.0, 2.0, "bayesian", -1.26),
    (21629, 21484, 41111, 0.5, 2.5, "bayesian", -1.13),
]
PENTANOMIAL = [
    ((365, 16618, 36029, 200, 16974, 390), 0.0, 2.0, "normalized", 2.25),
    ((127, 4883, 10311, 401, 5150, 104), -1.75, 0.25, "normalized", 3.01),
    ((223, 9863, 20279, 1000, 10037, 246), 0.5, 2.5, "logistic", -3.07),
    ((871, 26175, 55003, 980, 26678, 821), 0.0, 2.0, "logistic", -4.98),
]


@pytest.mark.parametrize(("w", "losses", "d", "elo0", "elo1", "model", "llr"), TRINOMIAL)
def test_trinomial_llr_matches_fastchess(
    w: int, losses: int, d: int, elo0: float, elo1: float, model: str, llr: float
) -> None:
    value = llr_trinomial(w, d, losses, elo0, elo1, model)  # type: ignore[arg-type]
    assert value == pytest.approx(llr, rel=0.01, abs=0.005)


@pytest.mark.parametrize(("counts", "elo0", "elo1", "model", "llr"), PENTANOMIAL)
def test_pentanomial_llr_matches_fastchess(
    counts: tuple[int, ...], elo0: float, elo1: float, model: str, llr: float
) -> None:
    value = llr_pentanomial(Pentanomial(*counts), elo0, elo1, model)  # type: ignore[arg-type]
    assert value == pytest.approx(llr, rel=0.01, abs=0.005)


def _one_dimensional_llr(
    wins: int, draws: int, losses: int, elo0: float, elo1: float, model: str
) -> float:
    """The trinomial GSPRT LLR by a different road. With three outcomes and two constraints
    (total 1, the hypothesis) the feasible distributions form a curve with one parameter:

    * logistic, mean score s: draw rate x, so p_w = s - x/2, p_l = 1 - s - x/2;
    * normalized, t = (mu - 1/2) / sigma: decisive rate x, delta = p_w - p_l; the variance is
      x/4 - delta^2/4, so delta = t sqrt(x / (1 + t^2)), p_w = (x + delta)/2, p_d = 1 - x.

    Maximize sum f ln p along the curve with a bounded scalar search (no secular equation)."""
    counts = np.array([c if c > 0 else 1e-3 for c in (wins, draws, losses)], dtype=float)
    total, freq = counts.sum(), counts / counts.sum()

    def curve(h: float, x: float) -> np.ndarray:
        if model == "logistic":
            return np.array([h - x / 2, x, 1 - h - x / 2])
        delta = h * math.sqrt(x / (1 + h * h))
        return np.array([(x + delta) / 2, 1 - x, (x - delta) / 2])

    def best(h: float) -> np.ndarray:
        # The curve stays inside the simplex on these bounds (p_l >= 0 needs x >= delta).
        bounds = (0.0, 2 * min(h, 1 - h)) if model == "logistic" else (h * h / (1 + h * h), 1.0)
        result = minimize_scalar(
            lambda x: -float(freq @ np.log(np.maximum(curve(h, x), 1e-300))),
            bounds=bounds,
            method="bounded",
            options={"xatol": 1e-14},
        )
        return curve(h, float(result.x))

    if model == "logistic":
        h0, h1 = (1 / (1 + 10 ** (-e / 400)) for e in (elo0, elo1))
    else:
        h0, h1 = (e / (800 / math.log(10)) for e in (elo0, elo1))
    return float(total * (freq @ (np.log(best(h1)) - np.log(best(h0)))))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 5000),
    st.integers(0, 5000),
    st.integers(0, 5000),
    st.sampled_from([(0.0, 5.0), (-3.0, 1.0), (0.5, 2.5)]),
    st.sampled_from(["logistic", "normalized"]),
)
def test_trinomial_llr_agrees_with_a_one_dimensional_search(
    w: int, d: int, loss: int, elos: tuple[float, float], model: str
) -> None:
    value = llr_trinomial(w, d, loss, *elos, model)  # type: ignore[arg-type]
    expected = _one_dimensional_llr(w, d, loss, *elos, model)
    assert value == pytest.approx(expected, abs=1e-4 * max(1.0, abs(expected)))


def test_degenerate_counts_follow_the_exact_mle() -> None:
    """fastchess's tests also list two degenerate cases, all 16700 games drawn (LLR 2.97,
    normalized, elo0=0 elo1=5) and all 104 pairs won twice (LLR 2.94), which depend on its
    stopping tolerances (its normalized-Elo iteration stops at a change of 1e-4 while some
    probabilities are 1e-7). This implementation solves to machine precision instead and
    agrees with the one-dimensional search: all draws support H0 (elo 0 over elo 5)."""
    draws = llr_trinomial(0, 16700, 0, 0.0, 5.0)
    assert draws == pytest.approx(_one_dimensional_llr(0, 16700, 0, 0.0, 5.0, "normalized"))
    assert draws == pytest.approx(-3.45, abs=0.01)
    assert llr_pentanomial(Pentanomial(ww=104), 0.0, 5.0) > 0  # all wins support H1


def test_llr_is_close_to_the_normal_approximation() -> None:
    """For many games the GSPRT LLR approaches N (s1 - s0)(2 s - s0 - s1) / (2 var), the
    classic normal approximation (fishtest's LLR_alt2 idea): a different formula."""
    w, d, loss = 21404, 40708, 21184
    n = w + d + loss
    s = (w + d / 2) / n
    var = (w * (1 - s) ** 2 + d * (0.5 - s) ** 2 + loss * s**2) / n
    s0, s1 = (1 / (1 + 10 ** (-e / 400)) for e in (0.5, 2.5))
    approx = n * (s1 - s0) * (2 * s - s0 - s1) / (2 * var)
    assert llr_trinomial(w, d, loss, 0.5, 2.5, "logistic") == pytest.approx(approx, rel=0.01)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 400), st.integers(0, 400), st.integers(1, 400))
def test_llr_grows_with_wins(w: int, d: int, loss: int) -> None:
    """Turning a loss into a win, or a draw into a win, never lowers the LLR."""
    for model in ("normalized", "logistic"):
        base = llr_trinomial(w, d, loss, 0.0, 5.0, model)
        assert llr_trinomial(w + 1, d, loss - 1, 0.0, 5.0, model) >= base - 1e-9
        if d:
            assert llr_trinomial(w + 1, d - 1, loss, 0.0, 5.0, model) >= base - 1e-9


def test_sprt_trace_stops_at_the_decision() -> None:
    sprt = Sprt(elo0=0, elo1=10, alpha=0.05, beta=0.05)
    strong = [(1.0, 0.5)] * 400
    steps = sprt.trace(strong)
    assert steps[-1].decision == "H1"
    assert steps[-1].llr >= sprt.upper
    assert all(step.decision is None for step in steps[:-1])
    assert [s.pairs for s in steps] == list(range(1, len(steps) + 1))
    weak = sprt.trace([(0.0, 0.5)] * 400)
    assert weak[-1].decision == "H0"
    assert weak[-1].llr <= sprt.lower
    assert sprt.decide(0.0) is None
    assert sprt.llr(Pentanomial(ww=3, wl=5, ll=2)) == llr_pentanomial(
        Pentanomial(ww=3, wl=5, ll=2), 0, 10
    )
