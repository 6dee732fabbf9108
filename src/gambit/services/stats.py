"""Players' records: games played, won, lost and drawn, per game."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gambit.games.battle import Battle, BattleStatus


@dataclass(slots=True)
class Record:
    played: int = 0
    wins: int = 0
    losses: int = 0
    draws: int = 0

    def add(self, other: Record) -> None:
        self.played += other.played
        self.wins += other.wins
        self.losses += other.losses
        self.draws += other.draws


def records(battles: Iterable[Battle], user_id: str) -> dict[str, Record]:
    """The user's record in each game, from the finished battles they sat in."""
    by_game: dict[str, Record] = {}
    for battle in battles:
        if battle.status is not BattleStatus.FINISHED or battle.outcome is None:
            continue
        seats = [i for i, seat in enumerate(battle.seats) if seat.user_id == user_id]
        if not seats:
            continue
        record = by_game.setdefault(battle.game, Record())
        record.played += 1
        if battle.outcome.is_draw:
            record.draws += 1
        elif set(seats) & set(battle.outcome.winners):
            record.wins += 1
        else:
            record.losses += 1
    return by_game


def total(by_game: dict[str, Record]) -> Record:
    """The records of every game added up."""
    result = Record()
    for record in by_game.values():
        result.add(record)
    return result
