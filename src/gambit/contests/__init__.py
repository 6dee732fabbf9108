"""The pure core of tournaments and matches: statistics, pairings and standings.

No I/O, no database, no asyncio: the runner, the API and the web pages build on these.

* :mod:`~gambit.contests.results` — finished games and byes, the input to everything else;
* :mod:`~gambit.contests.elo` — Elo difference and LOS of a match, pentanomial counts, and a
  maximum-likelihood Elo fit of many participants with 95% intervals;
* :mod:`~gambit.contests.sprt` — the SPRT of a two-player match (fastchess's GSPRT);
* :mod:`~gambit.contests.pairings` — round-robin, gauntlet, openings with colours swapped;
* :mod:`~gambit.contests.swiss` — Swiss rounds by lexicographically optimal matching;
* :mod:`~gambit.contests.standings` — crosstable, Buchholz, Sonneborn-Berger, standings.
"""

from gambit.contests.elo import (
    EloDifference,
    EloEstimate,
    EloFit,
    Pentanomial,
    elo_difference,
    elo_difference_pentanomial,
    fit_elo,
    los,
)
from gambit.contests.pairings import (
    Pairing,
    Round,
    ScheduledGame,
    gauntlet,
    round_robin,
    with_openings,
)
from gambit.contests.results import Bye, GameResult
from gambit.contests.sprt import Sprt, SprtStep, llr_pentanomial, llr_trinomial, sprt_bounds
from gambit.contests.standings import Crosstable, Standing, crosstable, standings
from gambit.contests.swiss import swiss_round

__all__ = [
    "Bye",
    "Crosstable",
    "EloDifference",
    "EloEstimate",
    "EloFit",
    "GameResult",
    "Pairing",
    "Pentanomial",
    "Round",
    "ScheduledGame",
    "Sprt",
    "SprtStep",
    "Standing",
    "crosstable",
    "elo_difference",
    "elo_difference_pentanomial",
    "fit_elo",
    "gauntlet",
    "llr_pentanomial",
    "llr_trinomial",
    "los",
    "round_robin",
    "sprt_bounds",
    "standings",
    "swiss_round",
    "with_openings",
]
