"""The games gambit can referee, each a pure `Ruleset`."""

from __future__ import annotations

from typing import Any

from gambit.games.base import Action, IllegalAction, InvalidOptions, Outcome, Ruleset
from gambit.games.chess import ChessRuleset
from gambit.games.duel import DuelRuleset

RULESETS: dict[str, Ruleset[Any]] = {"chess": ChessRuleset(), "duel": DuelRuleset()}

__all__ = ["RULESETS", "Action", "IllegalAction", "InvalidOptions", "Outcome", "Ruleset"]
