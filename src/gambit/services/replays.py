"""Replays: a battle's states re-simulated from its log, and games in their notation (PGN)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gambit.games import RULESETS
from gambit.games.base import Outcome
from gambit.games.battle import (
    ActionRecord,
    Battle,
    BattleStatus,
    SeatKind,
    replay,
    replay_steps,
)
from gambit.services.accounts import Accounts
from gambit.services.errors import NotFound


@dataclass(frozen=True, slots=True)
class Step:
    """The battle as it stood after ``seq`` actions (0: the start)."""

    seq: int
    state: Any
    last: ActionRecord | None
    outcome: Outcome | None
    status: BattleStatus


def steps(battle: Battle) -> Iterator[Step]:
    """Every state of ``battle`` in order, re-simulated from its seed and action log."""
    ruleset = RULESETS[battle.game]
    total = len(battle.actions)
    for seq, (record, state) in enumerate(replay_steps(ruleset, battle)):
        if seq == total:
            yield Step(seq, ruleset.copy(state), record, battle.outcome, battle.status)
        else:
            outcome = ruleset.outcome(state)
            status = BattleStatus.FINISHED if outcome else BattleStatus.ACTIVE
            yield Step(seq, ruleset.copy(state), record, outcome, status)


def current_step(battle: Battle) -> Step:
    """The battle as it stands, without replaying it."""
    last = battle.actions[-1] if battle.actions else None
    return Step(len(battle.actions), battle.state, last, battle.outcome, battle.status)


class Replays:
    """Replays with the players' names, which live with the accounts."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    async def names(self, battle: Battle) -> list[str]:
        """A display name per seat: the username, the AI and its level, or Anonymous."""
        names = []
        for seat in battle.seats:
            if seat.kind is SeatKind.AI:
                names.append(f"gambit AI level {seat.level}")
            elif seat.user_id is not None:
                try:
                    names.append((await self._accounts.user(seat.user_id)).username)
                except NotFound:  # the account was deleted since
                    names.append("Anonymous")
            else:
                names.append("Anonymous")
        return names

    async def pgn(self, battle: Battle, tags: Mapping[str, str] | None = None) -> str | None:
        """The game in its standard notation (chess: PGN) with the players' names; None
        for games that have none. ``tags`` add to or replace the standard ones (a
        tournament's Event and Round)."""
        created = datetime.datetime.fromtimestamp(battle.created_at / 1000, datetime.UTC)
        tags = {
            "Event": "gambit battle",
            "Site": f"gambit battle {battle.id}",
            "Date": created.strftime("%Y.%m.%d"),
            **(tags or {}),
        }
        names = await self.names(battle)
        return battle.ruleset.record(replay(battle.ruleset, battle), names, battle.outcome, tags)
