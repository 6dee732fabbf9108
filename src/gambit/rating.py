"""Glicko-2 ratings (Glickman, "Example of the Glicko-2 system", 2013), one game at a time.

Pure arithmetic, no I/O. Each finished battle is its own rating period for the players
in it, as on most game servers: a player's rating moves after every game, against the
ratings their opponents had when the game began.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SCALE = 173.7178  # Glicko-2's ratio between the Glicko scale and its own
TAU = 0.5  # how much volatility may change; Glickman suggests 0.3 to 1.2
EPSILON = 0.000001
MIN_DEVIATION, MAX_DEVIATION = 30.0, 350.0  # a floor keeps ratings from freezing


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating on the familiar 1500 scale, its deviation (uncertainty) and volatility."""

    rating: float = 1500.0
    deviation: float = MAX_DEVIATION
    volatility: float = 0.06


@dataclass(frozen=True, slots=True)
class Result:
    """One game against one opponent: ``score`` 1 for a win, 0.5 a draw, 0 a loss."""

    opponent: Rating
    score: float


def _g(phi: float) -> float:
    return 1 / math.sqrt(1 + 3 * phi * phi / (math.pi * math.pi))


def _expected(mu: float, mu_j: float, phi_j: float) -> float:
    return 1 / (1 + math.exp(-_g(phi_j) * (mu - mu_j)))


def update(player: Rating, results: Sequence[Result], tau: float = TAU) -> Rating:
    """The player's rating after the ``results`` of one rating period."""
    mu = (player.rating - 1500) / SCALE
    phi = player.deviation / SCALE
    sigma = player.volatility
    if not results:  # step 6 alone: uncertainty grows
        phi_star = math.sqrt(phi * phi + sigma * sigma)
        return Rating(player.rating, _bounded(phi_star * SCALE), sigma)

    variance_inverse = 0.0
    improvement_sum = 0.0
    for result in results:
        mu_j = (result.opponent.rating - 1500) / SCALE
        phi_j = result.opponent.deviation / SCALE
        g = _g(phi_j)
        expected = _expected(mu, mu_j, phi_j)
        variance_inverse += g * g * expected * (1 - expected)
        improvement_sum += g * (result.score - expected)
    v = 1 / variance_inverse
    delta = v * improvement_sum

    new_sigma = _volatility(phi, sigma, v, delta, tau)
    phi_star = math.sqrt(phi * phi + new_sigma * new_sigma)
    new_phi = 1 / math.sqrt(1 / (phi_star * phi_star) + 1 / v)
    new_mu = mu + new_phi * new_phi * improvement_sum
    return Rating(new_mu * SCALE + 1500, _bounded(new_phi * SCALE), new_sigma)


def _volatility(phi: float, sigma: float, v: float, delta: float, tau: float) -> float:
    """Step 5: the new volatility, by the Illinois algorithm."""
    a = math.log(sigma * sigma)

    def f(x: float) -> float:
        ex = math.exp(x)
        return ex * (delta * delta - phi * phi - v - ex) / (2 * (phi * phi + v + ex) ** 2) - (
            x - a
        ) / (tau * tau)

    low = a
    if delta * delta > phi * phi + v:
        high = math.log(delta * delta - phi * phi - v)
    else:
        k = 1
        while f(a - k * tau) < 0:
            k += 1
        high = a - k * tau
    f_low, f_high = f(low), f(high)
    while abs(high - low) > EPSILON:
        middle = low + (low - high) * f_low / (f_high - f_low)
        f_middle = f(middle)
        if f_middle * f_high <= 0:
            low, f_low = high, f_high
        else:
            f_low /= 2
        high, f_high = middle, f_middle
    return math.exp(low / 2)


def _bounded(deviation: float) -> float:
    return min(MAX_DEVIATION, max(MIN_DEVIATION, deviation))
