"""Elo from game results: the two-player difference, LOS, and a multi-player fit.

Three tools, all on the logistic Elo scale (an Elo difference ``d`` means an expected score
``1 / (1 + 10 ** (-d / 400))``):

* :func:`elo_difference` — cutechess-cli's and fastchess's "Elo difference: X +/- Y" for a
  two-player match from wins/draws/losses, and :func:`elo_difference_pentanomial`, fastchess's
  variant from pentanomial pair counts. The interval maps the 95% normal interval of the mean
  score (empirical variance of the per-game, or per-pair, score) through the Elo curve, and
  reports half its width as the ± margin, exactly as those tools do.
* :func:`los` — the likelihood of superiority of a head-to-head record,
  ``Φ((W - L) / √(W + L))`` (chessprogramming wiki "Match Statistics"; draws do not matter).
* :func:`fit_elo` — a maximum-likelihood Bradley-Terry fit of every participant at once.

The model of :func:`fit_elo`: participant ``i`` has an Elo ``r_i``; the first seat's expected
score against the second is ``sigma(c (r_i - r_j))`` with ``c = ln 10 / 400`` and ``sigma`` the
logistic function; a game scoring ``s`` (1, ½, 0) contributes ``s ln p + (1 - s) ln(1 - p)``
to the log-likelihood, i.e. a draw counts as half a win and half a loss (the usual
Bradley-Terry treatment of ties as half-points, as in Elo's own rating system). There is
no first-move advantage term: contests balance colours, so it cancels out.

The maximum is found by ``scipy.optimize.minimize`` (trust-region, analytic gradient and
Hessian), finished where it stalls on rounding by ``scipy.optimize.root`` on the score
equations. Intervals are Wald intervals ``r ± 1.96 se`` from the observed Fisher information
(the Hessian of the negative log-likelihood at the maximum); with ``interval="sandwich"`` the
robust covariance ``H⁻¹ J H⁻¹`` is used instead, ``J`` summing the squared per-game score
residuals — narrower when draws are common, and the multi-player analogue of cutechess's
two-player margin. Ratings are anchored on ``anchor`` (its Elo fixed at ``anchor_elo``, its
interval zero width) or, without one, centred so their mean is ``mean_elo``.

**Unbounded ratings.** The likelihood has a finite maximum only when the "took points from"
graph (an edge i→j when i won or drew at least once against j) is strongly connected. When it
is not, e.g. a participant that won every game, no finite rating is the maximum. The fit then
reports the truth instead of inventing a number: the strongly connected component holding the
anchor (or, without one, the largest) is fitted on its own games; a component that took
points from it but gave none back is ``+inf`` ("above"), one that only gave points is
``-inf`` ("below"), and one not connected to it either way is ``nan`` ("undetermined");
their intervals are open (``nan`` on the unknown side). Pass ``prior_draws > 0`` to add that
many virtual draws to every pair that met (BayesElo's idea of a draw prior) when finite
numbers are wanted at the price of a little shrinkage toward equality.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize, root
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

from gambit.contests.results import GameResult

Z95 = 1.959963984540054  # Φ⁻¹(0.975)
C = math.log(10) / 400  # natural-log units per Elo point
NELO_SCALE = 800 / math.log(10)  # normalized Elo: (score - ½) / sigma times this

Status = Literal["fitted", "above", "below", "undetermined"]
FloatArray = npt.NDArray[np.float64]


def normal_cdf(x: float) -> float:
    """Φ(x), the standard normal distribution function."""
    return float(0.5 * (1.0 + math.erf(x / math.sqrt(2.0))))


def score_to_elo(score: float) -> float:
    """The logistic Elo difference whose expected score is ``score`` (±inf at 1 and 0)."""
    if score <= 0.0:
        return -math.inf
    if score >= 1.0:
        return math.inf
    return -400.0 * math.log10(1.0 / score - 1.0)


def elo_to_score(elo: float) -> float:
    """The expected score of a player ``elo`` points stronger."""
    return 1.0 / (1.0 + math.pow(10.0, -elo / 400.0))


def los(wins: int, losses: int) -> float:
    """Likelihood of superiority of a head-to-head record: ``Φ((W - L) / √(W + L))``.

    The chessprogramming wiki's "Match Statistics" formula (Kai Laskos), also used by
    cutechess-cli; draws carry no information about which side is stronger. ½ when there
    are no decisive games.
    """
    if wins < 0 or losses < 0:
        raise ValueError("counts cannot be negative")
    if wins + losses == 0:
        return 0.5
    return normal_cdf((wins - losses) / math.sqrt(wins + losses))


@dataclass(frozen=True, slots=True)
class EloDifference:
    """A two-player Elo difference with its 95% interval and the normalized Elo."""

    elo: float  # the estimate
    error: float  # the ± margin: half the width of [low, high]
    low: float
    high: float
    nelo: float  # normalized Elo: (score - ½) / sigma · 800 / ln 10
    nelo_error: float
    los: float  # likelihood of superiority
    score: float  # mean score of the first player
    games: int  # games (or pairs, for pentanomial counts)


def _difference(
    values: Sequence[float], counts: Sequence[int], sigma_scale: float, los_value: float | None
) -> EloDifference:
    n = sum(counts)
    if n <= 0:
        raise ValueError("no games")
    freq = [k / n for k in counts]
    score = sum(v * f for v, f in zip(values, freq, strict=True))
    variance = sum(f * (v - score) ** 2 for v, f in zip(values, freq, strict=True))
    se = math.sqrt(variance / n)
    lo_score, hi_score = score - Z95 * se, score + Z95 * se
    low, high = score_to_elo(lo_score), score_to_elo(hi_score)
    if variance > 0:
        sd = math.sqrt(sigma_scale * variance)
        nelo = (score - 0.5) / sd * NELO_SCALE
        nelo_error = Z95 * se / sd * NELO_SCALE
    else:  # every game (pair) scored the same: no spread to normalize by
        nelo = 0.0 if score == 0.5 else math.copysign(math.inf, score - 0.5)
        nelo_error = 0.0
    if los_value is None:
        los_value = 0.5 if se == 0 else normal_cdf((score - 0.5) / se)
    return EloDifference(
        elo=score_to_elo(score),
        error=(high - low) / 2.0,
        low=low,
        high=high,
        nelo=nelo,
        nelo_error=nelo_error,
        los=los_value,
        score=score,
        games=n,
    )


def elo_difference(wins: int, draws: int, losses: int) -> EloDifference:
    """The first player's Elo advantage from its wins, draws and losses, as cutechess prints.

    ``error`` is cutechess-cli's "+/-": the 95% interval of the mean score,
    ``μ ± 1.96 · √(Σ f_k (s_k - μ)² / N)``, mapped to Elo, halved. ``los`` is :func:`los`.
    """
    return _difference(
        (1.0, 0.5, 0.0), (wins, draws, losses), sigma_scale=1.0, los_value=los(wins, losses)
    )


@dataclass(frozen=True, slots=True)
class Pentanomial:
    """Counts of game pairs by the first player's points in the pair: 0, ½, 1, 1½, 2.

    ``wl`` and ``dd`` both score 1 point (a win and a loss, or two draws); the statistics
    pool them, but they are kept apart because the split says how decisive the openings are.
    """

    ll: int = 0  # 0 points: lost both
    ld: int = 0  # ½: a loss and a draw
    wl: int = 0  # 1: a win and a loss
    dd: int = 0  # 1: two draws
    wd: int = 0  # 1½: a win and a draw
    ww: int = 0  # 2: won both

    @property
    def pairs(self) -> int:
        return self.ll + self.ld + self.wl + self.dd + self.wd + self.ww

    def by_points(self) -> tuple[int, int, int, int, int]:
        """The five counts by pair points 0, ½, 1, 1½, 2 (``wl`` and ``dd`` pooled)."""
        return (self.ll, self.ld, self.wl + self.dd, self.wd, self.ww)

    def flipped(self) -> Pentanomial:
        """The same pairs from the other player's side."""
        return Pentanomial(self.ww, self.wd, self.wl, self.dd, self.ld, self.ll)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[float, float]]) -> Pentanomial:
        """Counts from the first player's two scores in each pair (each 1, ½ or 0)."""
        counts = {"ll": 0, "ld": 0, "wl": 0, "dd": 0, "wd": 0, "ww": 0}
        for a, b in pairs:
            if a not in (0.0, 0.5, 1.0) or b not in (0.0, 0.5, 1.0):
                raise ValueError(f"scores must be 0, 0.5 or 1, not {(a, b)!r}")
            total = a + b
            if total == 1.0:
                key = "dd" if a == 0.5 else "wl"
            else:
                key = {0.0: "ll", 0.5: "ld", 1.5: "wd", 2.0: "ww"}[total]
            counts[key] += 1
        return cls(**counts)

    @classmethod
    def from_games(cls, games: Iterable[GameResult], player: str) -> Pentanomial:
        """Counts for ``player`` from games grouped by their ``pair`` key.

        Only complete pairs (two games, both with ``player``) count; unpaired games and
        pairs still in progress are left out, as fastchess does.
        """
        by_pair: dict[object, list[float]] = {}
        for game in games:
            if game.pair is None or player not in (game.white, game.black):
                continue
            by_pair.setdefault(game.pair, []).append(game.score_of(player))
        return cls.from_pairs((s[0], s[1]) for s in by_pair.values() if len(s) == 2)


def elo_difference_pentanomial(penta: Pentanomial) -> EloDifference:
    """fastchess's Elo difference from pentanomial counts (per-pair score variance).

    The mean is the per-game score averaged over pairs (0, ¼, ½, ¾, 1 per pair); the 95%
    interval uses the variance of those pair scores over the number of pairs, and the LOS is
    ``Φ((μ - ½) / se)`` as fastchess prints it.
    """
    return _difference(
        (0.0, 0.25, 0.5, 0.75, 1.0), penta.by_points(), sigma_scale=2.0, los_value=None
    )


# --- the multi-player fit ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EloEstimate:
    """One participant's fitted Elo, its standard error and 95% interval."""

    elo: float
    stderr: float
    low: float
    high: float
    games: int
    points: float
    status: Status  # "fitted", or why it has no finite rating


@dataclass(frozen=True, slots=True)
class EloFit:
    """The result of :func:`fit_elo`. ``covariance`` is over ``participants`` (nan outside
    the fitted component)."""

    participants: tuple[str, ...]
    ratings: Mapping[str, EloEstimate]
    covariance: FloatArray
    anchor: str | None
    interval: Literal["fisher", "sandwich"]

    def __getitem__(self, participant: str) -> EloEstimate:
        return self.ratings[participant]

    def difference_stderr(self, a: str, b: str) -> float:
        """The standard error of ``elo(a) - elo(b)``."""
        i, j = self.participants.index(a), self.participants.index(b)
        cov = self.covariance
        var = float(cov[i, i] + cov[j, j] - 2.0 * cov[i, j])
        return math.sqrt(max(var, 0.0)) if not math.isnan(var) else math.nan

    def los(self, a: str, b: str) -> float:
        """Likelihood that ``a`` is stronger than ``b``: ``Φ((r_a - r_b) / se(r_a - r_b))``."""
        ra, rb = self.ratings[a].elo, self.ratings[b].elo
        if math.isnan(ra) or math.isnan(rb):
            return math.nan
        diff = ra - rb if not (math.isinf(ra) and ra == rb) else math.nan
        if math.isnan(diff):
            return math.nan
        if math.isinf(diff):
            return 1.0 if diff > 0 else 0.0
        se = self.difference_stderr(a, b)
        if se == 0.0:
            return 0.5 if diff == 0 else (1.0 if diff > 0 else 0.0)
        return normal_cdf(diff / se)

    def los_matrix(self) -> dict[str, dict[str, float]]:
        """LOS for every ordered pair of distinct participants."""
        return {
            a: {b: self.los(a, b) for b in self.participants if b != a} for a in self.participants
        }


def _pair_table(
    participants: Sequence[str], games: Iterable[GameResult]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per ordered pair (i, j): games i played with j, points i took, Σ squares of i's scores."""
    index = {p: k for k, p in enumerate(participants)}
    if len(index) != len(participants):
        raise ValueError("participants must be distinct")
    n = len(participants)
    count, points, squares = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    for game in games:
        try:
            i, j = index[game.white], index[game.black]
        except KeyError as exc:
            raise ValueError(f"unknown participant {exc.args[0]!r}") from None
        for a, b, s in ((i, j, game.score), (j, i, 1.0 - game.score)):
            count[a, b] += 1
            points[a, b] += s
            squares[a, b] += s * s
    return count, points, squares


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def _neg_log_likelihood(
    free: FloatArray, count: FloatArray, points: FloatArray, fixed: int
) -> tuple[float, FloatArray, FloatArray]:
    """-log L, its gradient and Hessian in the free strengths (``fixed`` held at 0).

    Strengths are in natural-log odds units (Elo times ``C``) so the gradient is in points
    and the optimizer's tolerance means the same at any rating spread. Summing
    ``points[i, j] * ln p_ij`` over ordered pairs counts each game once: a game scoring
    ``s`` for i adds ``s ln p_ij + (1 - s) ln p_ji``.
    """
    x = np.insert(free, fixed, 0.0)
    d = x[:, None] - x[None, :]
    value = float(np.sum(points * np.logaddexp(0.0, -d)))  # -sum s ln sigmoid(d)
    p = _sigmoid(d)
    grad = -(points - count * p).sum(axis=1)
    hess = _laplacian(count * p * (1.0 - p))
    return value, np.delete(grad, fixed), np.delete(np.delete(hess, fixed, 0), fixed, 1)


def _laplacian(weights: FloatArray) -> FloatArray:
    """``Σ_pairs w_ij (e_i - e_j)(e_i - e_j)ᵀ`` for a symmetric weight matrix."""
    lap = -weights.copy()
    np.fill_diagonal(lap, 0.0)
    np.fill_diagonal(lap, -lap.sum(axis=1))
    return lap


def _covariance(
    r: FloatArray,
    count: FloatArray,
    points: FloatArray,
    squares: FloatArray,
    fixed: int | None,
    interval: Literal["fisher", "sandwich"],
) -> FloatArray:
    """Covariance of the ratings: anchored on ``fixed``, else under the mean-zero constraint."""
    size = r.size
    if size == 1:
        return np.zeros((1, 1))
    p = _sigmoid(C * (r[:, None] - r[None, :]))
    info = _laplacian(C * C * count * p * (1.0 - p))  # observed Fisher information
    # Σ over games of (s - p)², from the per-pair sums of s and s².
    meat = _laplacian(C * C * (squares - 2.0 * p * points + count * p * p))
    if fixed is None:
        # The information matrix has the all-ones vector as its null space (shifting every
        # rating changes nothing): its pseudo-inverse is the mean-zero covariance.
        bread = np.linalg.pinv(info, hermitian=True)
        return np.asarray(bread if interval == "fisher" else bread @ meat @ bread)
    keep = [k for k in range(size) if k != fixed]
    bread_red = np.linalg.inv(info[np.ix_(keep, keep)])
    cov_red = (
        bread_red if interval == "fisher" else bread_red @ meat[np.ix_(keep, keep)] @ bread_red
    )
    cov = np.zeros((size, size))
    cov[np.ix_(keep, keep)] = cov_red
    return cov


def fit_elo(
    participants: Sequence[str],
    games: Iterable[GameResult],
    *,
    anchor: str | None = None,
    anchor_elo: float = 0.0,
    mean_elo: float = 0.0,
    prior_draws: float = 0.0,
    interval: Literal["fisher", "sandwich"] = "fisher",
) -> EloFit:
    """Maximum-likelihood Elo for every participant, with 95% intervals (see module doc)."""
    parts = tuple(participants)
    if anchor is not None and anchor not in parts:
        raise ValueError(f"anchor {anchor!r} is not a participant")
    if prior_draws < 0:
        raise ValueError("prior_draws cannot be negative")
    count, points, squares = _pair_table(parts, games)
    n = len(parts)
    games_played = count.sum(axis=1)
    points_taken = points.sum(axis=1)
    met = count > 0
    if prior_draws > 0:
        count = count + prior_draws * met
        points = points + 0.5 * prior_draws * met
        squares = squares + 0.25 * prior_draws * met

    # The "took points from" graph and its strongly connected components.
    took = csr_matrix((points > 0).astype(np.int8))
    n_comp, labels = connected_components(took, directed=True, connection="strong")
    ref_label = _reference_component(parts, anchor, labels, n_comp, games_played)
    members = np.flatnonzero(labels == ref_label)

    elo = np.full(n, math.nan)
    cov = np.full((n, n), math.nan)
    status: list[Status] = ["undetermined"] * n

    # Fit the reference component on its own games.
    sub = np.ix_(members, members)
    sub_count, sub_points, sub_squares = count[sub], points[sub], squares[sub]
    fixed = 0 if anchor is None else int(np.flatnonzero(members == parts.index(anchor))[0])
    if members.size > 1:

        def objective(x: FloatArray) -> tuple[float, FloatArray, FloatArray]:
            return _neg_log_likelihood(x, sub_count, sub_points, fixed)

        result = minimize(
            lambda x: objective(x)[0],
            np.zeros(members.size - 1),
            jac=lambda x: objective(x)[1],
            hess=lambda x: objective(x)[2],
            method="trust-exact",
            options={"gtol": 1e-9},
        )
        if float(np.max(np.abs(objective(result.x)[1]))) > 1e-6:
            # Near the optimum of a long match the likelihood changes by less than its
            # rounding, so line searches and trust regions stall there: solve the score
            # equations (gradient = 0) from where they stopped instead.
            result = root(
                lambda x: objective(x)[1],
                result.x,
                jac=lambda x: objective(x)[2],
                method="hybr",
            )
            if float(np.max(np.abs(objective(result.x)[1]))) > 1e-6:
                raise RuntimeError(f"Elo fit did not converge: {result.message}")
        r = np.insert(np.asarray(result.x, dtype=np.float64), fixed, 0.0) / C
    else:
        r = np.zeros(1)
    sub_cov = _covariance(
        r, sub_count, sub_points, sub_squares, None if anchor is None else fixed, interval
    )
    r = r - (r.mean() - mean_elo if anchor is None else r[fixed] - anchor_elo)
    elo[members] = r
    cov[np.ix_(members, members)] = sub_cov
    for m in members:
        status[m] = "fitted"

    # Everyone else: above, below, or not comparable with the reference component.
    graph = csr_matrix((points > 0).astype(np.int8))
    below = set(breadth_first_order(graph, int(members[0]), directed=True)[0].tolist())
    above = set(breadth_first_order(graph.T.tocsr(), int(members[0]), directed=True)[0].tolist())
    for k in range(n):
        if status[k] == "fitted":
            continue
        if k in above and k not in below:
            status[k], elo[k] = "above", math.inf
        elif k in below and k not in above:
            status[k], elo[k] = "below", -math.inf

    ratings: dict[str, EloEstimate] = {}
    for k, name in enumerate(parts):
        se = math.sqrt(max(float(cov[k, k]), 0.0)) if status[k] == "fitted" else math.nan
        if status[k] == "fitted":
            low, high = float(elo[k]) - Z95 * se, float(elo[k]) + Z95 * se
        elif status[k] == "above":
            low, high, se = math.nan, math.inf, math.inf
        elif status[k] == "below":
            low, high, se = -math.inf, math.nan, math.inf
        else:
            low = high = math.nan
        ratings[name] = EloEstimate(
            elo=float(elo[k]),
            stderr=se,
            low=low,
            high=high,
            games=int(games_played[k]),
            points=float(points_taken[k]),
            status=status[k],
        )
    return EloFit(parts, ratings, cov, anchor, interval)


def _reference_component(
    parts: Sequence[str],
    anchor: str | None,
    labels: npt.NDArray[np.int32],
    n_comp: int,
    games_played: FloatArray,
) -> int:
    """The anchor's component, else the largest (then most games, then listed first)."""
    if anchor is not None:
        return int(labels[parts.index(anchor)])
    best: tuple[int, float, int] | None = None
    best_label = 0
    for label in range(n_comp):
        idx = np.flatnonzero(labels == label)
        key = (idx.size, float(games_played[idx].sum()), -int(idx[0]))
        if best is None or key > best:
            best, best_label = key, label
    return best_label
