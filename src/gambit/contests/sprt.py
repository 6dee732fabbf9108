"""The sequential probability ratio test of a two-player match, as fastchess and fishtest run it.

The question: is the first player at least ``elo1`` stronger (H1) or at most ``elo0`` (H0)?
After every game (trinomial: win/draw/loss counts) or every pair of games with colours
swapped (pentanomial: pairs scoring 0, ½, 1, 1½, 2 points), compute the log-likelihood ratio
and stop once it leaves ``(lower, upper)``, Wald's bounds ``ln(β / (1 - alpha))`` and
``ln((1 - β) / alpha)``.

The LLR is the generalized SPRT (GSPRT) one of Michel Van den Bergh's notes ("Comments on
normalized Elo", https://www.cantate.be/Fishtest/normalized_elo_practical.pdf), which fishtest
and fastchess use: the outcome distribution is not parametrized by Elo alone, so under each
hypothesis take the maximum-likelihood distribution ``p`` over the outcomes that satisfies the
hypothesis, and ``LLR = N · Σ p̂_k ln(p1_k / p0_k)`` with ``p̂`` the observed frequencies.

* ``"logistic"`` Elo: the hypothesis fixes the mean score, ``Σ p_k a_k = 1 / (1 + 10^(-elo/400))``.
  The constrained MLE is ``p_k = p̂_k / (1 + θ (a_k - s))``, with θ the root of
  ``Σ p̂_k (a_k - s) / (1 + θ (a_k - s)) = 0`` (proposition 1.1 of the notes).
* ``"normalized"`` Elo: the hypothesis fixes ``t = (μ - ½) / sigma``, the score's mean in units of
  its standard deviation (per game; per pair for pentanomial, scaled by √2), with
  ``t = nelo / (800 / ln 10)``. The MLE comes from the fixed-point iteration of section 4.1.
* ``"bayesian"`` (trinomial only): BayesElo's model, the draw Elo estimated from the data;
  elo0/elo1 become expected scores and the logistic LLR follows (as fastchess does).

Counts of zero are replaced by 1e-3 before the frequencies are taken (fastchess's and
fishtest's regularization), so the LLR is defined from the first game on. All roots are found
by ``scipy.optimize.brentq``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from scipy.optimize import brentq

from gambit.contests.elo import Pentanomial

Model = Literal["normalized", "logistic", "bayesian"]
Decision = Literal["H0", "H1"]
NELO_SCALE = 800 / math.log(10)
_REGULARIZE = 1e-3
TRINOMIAL_SCORES = (0.0, 0.5, 1.0)
PENTANOMIAL_SCORES = (0.0, 0.25, 0.5, 0.75, 1.0)


def sprt_bounds(alpha: float, beta: float) -> tuple[float, float]:
    """Wald's stopping bounds ``(ln(β / (1 - alpha)), ln((1 - β) / alpha))``."""
    if not (0 < alpha < 1 and 0 < beta < 1 and alpha + beta < 1):
        raise ValueError("alpha and beta must lie in (0, 1) with alpha + beta < 1")
    return math.log(beta / (1 - alpha)), math.log((1 - beta) / alpha)


def _frequencies(counts: Sequence[float]) -> tuple[float, list[float]]:
    regular = [c if c > 0 else _REGULARIZE for c in counts]
    total = sum(regular)
    return total, [c / total for c in regular]


def _solve_theta(phi: Sequence[float], freq: Sequence[float]) -> float:
    """The root θ of ``Σ f_k φ_k / (1 + θ φ_k) = 0`` with every ``1 + θ φ_k > 0``.

    The function falls from +∞ to -∞ across ``(-1/max φ, -1/min φ)``, so the root is
    unique; it is bracketed just inside the poles.
    """
    lo_phi, hi_phi = min(phi), max(phi)
    if not lo_phi < 0 < hi_phi:
        raise ValueError("the hypothesis lies outside the range of possible scores")

    def f(theta: float) -> float:
        return sum(fk * pk / (1.0 + theta * pk) for fk, pk in zip(freq, phi, strict=True))

    a, b = -1.0 / hi_phi, -1.0 / lo_phi
    width = b - a
    shrink = 1e-9
    while True:
        lo, hi = a + shrink * width, b - shrink * width
        if f(lo) > 0 > f(hi):
            return float(brentq(f, lo, hi, xtol=1e-15, rtol=1e-13, maxiter=500))
        shrink /= 1000
        if shrink < 1e-300:
            raise ArithmeticError("could not bracket the Lagrange multiplier")


def _mle_mean(scores: Sequence[float], freq: Sequence[float], s: float) -> list[float]:
    """The distribution closest to ``freq`` (max likelihood) with mean score ``s``."""
    phi = [a - s for a in scores]
    theta = _solve_theta(phi, freq)
    return [fk / (1.0 + theta * pk) for fk, pk in zip(freq, phi, strict=True)]


def _mle_t_value(
    scores: Sequence[float], freq: Sequence[float], t: float, mu_ref: float = 0.5
) -> list[float]:
    """The max-likelihood distribution with ``(μ - mu_ref) / sigma = t`` (Van den Bergh §4.1)."""
    n = len(scores)
    p = [1.0 / n] * n
    for _ in range(1000):
        mu = sum(pk * a for pk, a in zip(p, scores, strict=True))
        var = sum(pk * (a - mu) ** 2 for pk, a in zip(p, scores, strict=True))
        sigma = math.sqrt(var)
        phi = [a - mu_ref - 0.5 * t * sigma * (1.0 + ((a - mu) / sigma) ** 2) for a in scores]
        theta = _solve_theta(phi, freq)
        new = [fk / (1.0 + theta * pk) for fk, pk in zip(freq, phi, strict=True)]
        change = max(abs(x - y) for x, y in zip(new, p, strict=True))
        p = new
        if change < 1e-10:
            break
    # Near-degenerate data (e.g. every pair won) can leave the last digits cycling in
    # floating-point noise; the estimate is then as good as it gets.
    return p


def _llr(total: float, freq: Sequence[float], p0: Sequence[float], p1: Sequence[float]) -> float:
    return total * sum(
        f * (math.log(b) - math.log(a)) for f, a, b in zip(freq, p0, p1, strict=True)
    )


def _logistic_score(elo: float) -> float:
    return 1.0 / (1.0 + math.pow(10.0, -elo / 400.0))


def _bayeselo_score(elo: float, draw_elo: float) -> float:
    win = 1.0 / (1.0 + math.pow(10.0, (-elo + draw_elo) / 400.0))
    loss = 1.0 / (1.0 + math.pow(10.0, (elo + draw_elo) / 400.0))
    return win + 0.5 * (1.0 - win - loss)


def llr_trinomial(
    wins: int, draws: int, losses: int, elo0: float, elo1: float, model: Model = "normalized"
) -> float:
    """The GSPRT log-likelihood ratio of H1 (elo1) against H0 (elo0) from game counts."""
    total, freq = _frequencies((losses, draws, wins))
    if model == "normalized":
        t0, t1 = elo0 / NELO_SCALE, elo1 / NELO_SCALE
        p0 = _mle_t_value(TRINOMIAL_SCORES, freq, t0)
        p1 = _mle_t_value(TRINOMIAL_SCORES, freq, t1)
    elif model == "logistic":
        p0 = _mle_mean(TRINOMIAL_SCORES, freq, _logistic_score(elo0))
        p1 = _mle_mean(TRINOMIAL_SCORES, freq, _logistic_score(elo1))
    elif model == "bayesian":
        if wins == 0 or losses == 0:
            return 0.0  # BayesElo's draw Elo is undefined without wins and losses
        loss_f, win_f = freq[0], freq[2]
        draw_elo = 200.0 * math.log10((1 - loss_f) / loss_f * (1 - win_f) / win_f)
        p0 = _mle_mean(TRINOMIAL_SCORES, freq, _bayeselo_score(elo0, draw_elo))
        p1 = _mle_mean(TRINOMIAL_SCORES, freq, _bayeselo_score(elo1, draw_elo))
    else:
        raise ValueError(f"unknown SPRT model {model!r}")
    return _llr(total, freq, p0, p1)


def llr_pentanomial(
    penta: Pentanomial, elo0: float, elo1: float, model: Model = "normalized"
) -> float:
    """The GSPRT log-likelihood ratio from pentanomial pair counts (see module doc)."""
    total, freq = _frequencies(penta.by_points())
    if model == "normalized":
        # Per-pair sigma is 1/√2 of the per-game one for independent games: t scales by √2.
        t0, t1 = math.sqrt(2) * elo0 / NELO_SCALE, math.sqrt(2) * elo1 / NELO_SCALE
        p0 = _mle_t_value(PENTANOMIAL_SCORES, freq, t0)
        p1 = _mle_t_value(PENTANOMIAL_SCORES, freq, t1)
    elif model == "logistic":
        p0 = _mle_mean(PENTANOMIAL_SCORES, freq, _logistic_score(elo0))
        p1 = _mle_mean(PENTANOMIAL_SCORES, freq, _logistic_score(elo1))
    else:
        raise ValueError(f"model {model!r} has no pentanomial form")
    return _llr(total, freq, p0, p1)


@dataclass(frozen=True, slots=True)
class SprtStep:
    """The state of the test after one more pair (or game)."""

    pairs: int  # pairs (pentanomial) or games (trinomial) so far
    llr: float
    decision: Decision | None


@dataclass(frozen=True, slots=True)
class Sprt:
    """An SPRT configuration: H0 ``elo ≤ elo0`` against H1 ``elo ≥ elo1``."""

    elo0: float
    elo1: float
    alpha: float = 0.05
    beta: float = 0.05
    model: Model = "normalized"

    def __post_init__(self) -> None:
        if self.elo0 >= self.elo1:
            raise ValueError("elo0 must be less than elo1")
        sprt_bounds(self.alpha, self.beta)  # validates alpha and beta
        if self.model not in ("normalized", "logistic", "bayesian"):
            raise ValueError(f"unknown SPRT model {self.model!r}")

    @property
    def bounds(self) -> tuple[float, float]:
        return sprt_bounds(self.alpha, self.beta)

    @property
    def lower(self) -> float:
        return self.bounds[0]

    @property
    def upper(self) -> float:
        return self.bounds[1]

    def decide(self, llr: float) -> Decision | None:
        """``"H1"`` at or above the upper bound, ``"H0"`` at or below the lower, else None."""
        lower, upper = self.bounds
        if llr >= upper:
            return "H1"
        if llr <= lower:
            return "H0"
        return None

    def llr(self, penta: Pentanomial) -> float:
        return llr_pentanomial(penta, self.elo0, self.elo1, self.model)

    def llr_games(self, wins: int, draws: int, losses: int) -> float:
        return llr_trinomial(wins, draws, losses, self.elo0, self.elo1, self.model)

    def trace(self, pairs: Iterable[tuple[float, float]]) -> list[SprtStep]:
        """The LLR after each pair (the first player's two scores), up to the decision.

        The list stops at the first pair that decides the test: a match run by this
        stops there too.
        """
        counts = {"ll": 0, "ld": 0, "wl": 0, "dd": 0, "wd": 0, "ww": 0}
        steps: list[SprtStep] = []
        for k, pair in enumerate(pairs, start=1):
            one = Pentanomial.from_pairs([pair])
            for key in counts:
                counts[key] += getattr(one, key)
            value = self.llr(Pentanomial(**counts))
            decision = self.decide(value)
            steps.append(SprtStep(k, value, decision))
            if decision is not None:
                break
        return steps
