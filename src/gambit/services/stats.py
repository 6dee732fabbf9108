"""Players' records and Glicko-2 ratings per game and speed: settled when a battle ends,
read by query.

Speeds are lichess's (`gambit.games.clock`): a battle's time control puts it in one, and
battles without a time control count in their game's ``untimed`` rating, the rating
every battle counted in before time controls.

Only seats taken by signed-in users have stats. Their opponents count with the rating
they had when the battle ended: another user's current rating, a fixed nominal rating
for an AI seat by level, the starting rating for an anonymous player. With three or
more players each pair is one game: a winner beats every other player, and players
who did not win draw with each other. A battle in which nobody acted, or aborted, does not count,
and a battle counts once even if moves are taken back after its end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from gambit.games import RULESETS
from gambit.games.battle import Battle, Seat, SeatKind
from gambit.games.clock import ABORTED, UNTIMED, speed
from gambit.rating import Rating, Result, update
from gambit.store import BattleStore, Ranked, Settle, StoredStats

PROVISIONAL_DEVIATION = 110  # above it a rating is still settling (lichess's threshold)


def ai_rating(level: int) -> Rating:
    """An AI seat's nominal rating: level 10 is the 1500 of a new player."""
    return Rating(700 + 80 * level, 100.0)


def settlement(battle: Battle) -> Settle | None:
    """How ``battle``'s result changes its players' stats, if it has ended and is not
    counted yet (it is marked counted); the store applies it to the stats it holds,
    in the transaction that stores the end."""
    outcome = battle.outcome
    if outcome is None or battle.rated or not battle.actions or outcome.reason == ABORTED:
        return None
    battle.rated = True
    game, seats, winners = battle.game, list(battle.seats), set(outcome.winners)
    pace = speed(battle.options)

    def settle(current: Mapping[str, StoredStats]) -> list[StoredStats]:
        def stats(user_id: str) -> StoredStats:
            return current.get(user_id) or StoredStats(user_id, game, pace)

        def rating(seat: Seat) -> Rating:
            if seat.kind is SeatKind.AI:
                return ai_rating(seat.level or 0)
            return Rating() if seat.user_id is None else stats(seat.user_id).rating

        before = [rating(seat) for seat in seats]
        seats_of: dict[str, set[int]] = {}
        for index, seat in enumerate(seats):
            if seat.user_id is not None:
                seats_of.setdefault(seat.user_id, set()).add(index)
        changed = []
        for user_id, own in seats_of.items():
            won = bool(own & winners)
            results = [
                Result(before[other], _score(won, other in winners))
                for other in range(len(seats))
                if other not in own  # a game against oneself moves no rating
            ]
            entry = stats(user_id)
            changed.append(
                replace(
                    entry,
                    played=entry.played + 1,
                    wins=entry.wins + won,
                    losses=entry.losses + (bool(winners) and not won),
                    draws=entry.draws + (not winners),
                    rating=update(entry.rating, results) if results else entry.rating,
                )
            )
        return changed

    return settle


class Stats:
    """Records, ratings and leaderboards, as stored."""

    def __init__(self, store: BattleStore) -> None:
        self._store = store

    async def of(self, user_id: str) -> dict[str, dict[str, StoredStats]]:
        """The user's stats by game and speed: every game's ``untimed`` stats (zero where
        they have not played), and the other speeds they have played."""
        by_game: dict[str, dict[str, StoredStats]] = {
            game: {UNTIMED: StoredStats(user_id, game)} for game in RULESETS
        }
        for entry in await self._store.stats(user_id):
            by_game.setdefault(entry.game, {})[entry.speed] = entry
        return by_game

    async def rating(self, user_id: str, game: str, pace: str) -> Rating:
        """The user's rating in ``game`` at ``pace``; the starting one where none is kept."""
        kept = {(s.game, s.speed): s.rating for s in await self._store.stats(user_id)}
        return kept.get((game, pace), Rating())

    async def leaderboard(self, game: str, speed: str, offset: int, limit: int) -> list[Ranked]:
        return await self._store.leaderboard(game, speed, offset, limit)


def _score(won: bool, other_won: bool) -> float:
    """A player's score against one other: 1 a win, 0 a loss, 0.5 a draw."""
    if won == other_won:
        return 0.5
    return 1.0 if won else 0.0
