"""Players' records and Glicko-2 ratings per game, settled when a battle ends.

Only seats taken by signed-in users have stats. Their opponents count with the rating
they had when the battle ended: another user's current rating, a fixed nominal rating
for an AI seat by level, the starting rating for an anonymous player. With three or
more players each pair is one game: a winner beats every other player, and players
who did not win draw with each other. A battle in which nobody acted does not count,
and a battle counts once even if moves are taken back after its end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from gambit.games import RULESETS
from gambit.games.battle import Battle, Seat, SeatKind
from gambit.rating import Rating, Result, update
from gambit.store import StoredStats

PROVISIONAL_DEVIATION = 110  # above it a rating is still settling (lichess's threshold)


def ai_rating(level: int) -> Rating:
    """An AI seat's nominal rating: level 10 is the 1500 of a new player."""
    return Rating(700 + 80 * level, 100.0)


class Stats:
    """Every user's record and rating, held in memory and written with the battles."""

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str], StoredStats] = {}

    def load(self, stored: Iterable[StoredStats]) -> None:
        for entry in stored:
            self._stats[entry.user_id, entry.game] = entry

    def of(self, user_id: str) -> dict[str, StoredStats]:
        """The user's stats in every game, zero where they have not played."""
        return {game: self._get(user_id, game) for game in RULESETS}

    def settle(self, battle: Battle) -> list[StoredStats]:
        """Count ``battle``'s result, if it has ended and is not counted yet; returns the
        changed stats, for the store to write with the battle."""
        outcome = battle.outcome
        if outcome is None or battle.rated or not battle.actions:
            return []
        battle.rated = True
        winners = set(outcome.winners)
        before = [self._rating(battle.game, seat) for seat in battle.seats]
        seats_of: dict[str, set[int]] = {}
        for index, seat in enumerate(battle.seats):
            if seat.user_id is not None:
                seats_of.setdefault(seat.user_id, set()).add(index)
        changed = []
        for user_id, own in seats_of.items():
            won = bool(own & winners)
            results = [
                Result(before[other], _score(won, other in winners))
                for other in range(len(battle.seats))
                if other not in own  # a game against oneself moves no rating
            ]
            current = self._get(user_id, battle.game)
            entry = replace(
                current,
                played=current.played + 1,
                wins=current.wins + won,
                losses=current.losses + (bool(winners) and not won),
                draws=current.draws + (not winners),
                rating=update(current.rating, results) if results else current.rating,
            )
            self._stats[user_id, battle.game] = entry
            changed.append(entry)
        return changed

    def _get(self, user_id: str, game: str) -> StoredStats:
        return self._stats.get((user_id, game)) or StoredStats(user_id, game)

    def _rating(self, game: str, seat: Seat) -> Rating:
        if seat.kind is SeatKind.AI:
            return ai_rating(seat.level or 0)
        if seat.user_id is None:
            return Rating()
        return self._get(seat.user_id, game).rating


def _score(won: bool, other_won: bool) -> float:
    """A player's score against one other: 1 a win, 0 a loss, 0.5 a draw."""
    if won == other_won:
        return 0.5
    return 1.0 if won else 0.0
