"""Settling a finished battle into its players' records and ratings.

The store applies a settlement to the stats it holds, in the transaction that stores
the battle's end; here a dict stands in for the table.
"""

from __future__ import annotations

from gambit.games import RULESETS
from gambit.games.base import Outcome
from gambit.games.battle import ActionRecord, Battle, BattleStatus, Seat, SeatKind
from gambit.games.clock import ABORTED, UNTIMED, speed
from gambit.services.stats import ai_rating, settlement
from gambit.store import StoredStats


class Ledger:
    """Stats by user, game and speed, settled as the store settles them."""

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str, str], StoredStats] = {}

    def settle(self, battle: Battle) -> list[StoredStats]:
        settle = settlement(battle)
        if settle is None:
            return []
        kind = (battle.game, speed(battle.options))
        current = {key[0]: e for key, e in self._stats.items() if key[1:] == kind}
        changed = settle(current)
        for entry in changed:
            self._stats[entry.user_id, entry.game, entry.speed] = entry
        return changed

    def of(self, user_id: str, pace: str = UNTIMED) -> dict[str, StoredStats]:
        return {
            g: self._stats.get((user_id, g, pace)) or StoredStats(user_id, g, pace)
            for g in RULESETS
        }


def _battle(
    game: str,
    seats: list[Seat],
    winners: tuple[int, ...],
    *,
    played: bool = True,
    options: dict[str, object] | None = None,
    reason: str = "test",
) -> Battle:
    actions = [ActionRecord(1, 0, seats[0].player_id, {"type": "rest"}, 0)] if played else []
    return Battle(
        id="b",
        game=game,
        seats=seats,
        options=options or {},
        seed=0,
        status=BattleStatus.FINISHED,
        created_at=0,
        updated_at=0,
        state=None,
        actions=actions,
        outcome=Outcome(winners, reason),
    )


def _user(name: str) -> Seat:
    return Seat(name, SeatKind.HUMAN, user_id=name)


def test_a_win_and_a_loss_between_two_users() -> None:
    stats = Ledger()
    battle = _battle("duel", [_user("ann"), _user("bob")], (0,))
    changed = stats.settle(battle)
    assert {entry.user_id for entry in changed} == {"ann", "bob"}
    ann, bob = stats.of("ann")["duel"], stats.of("bob")["duel"]
    assert (ann.played, ann.wins, ann.losses, ann.draws) == (1, 1, 0, 0)
    assert (bob.played, bob.wins, bob.losses, bob.draws) == (1, 0, 1, 0)
    assert ann.rating.rating > 1500 > bob.rating.rating
    assert stats.of("ann")["chess"].played == 0  # other games untouched


def test_a_battle_counts_once() -> None:
    stats = Ledger()
    battle = _battle("chess", [_user("ann"), _user("bob")], ())
    assert stats.settle(battle)
    assert battle.rated
    assert stats.settle(battle) == []
    assert stats.of("ann")["chess"].draws == 1


def test_a_battle_nobody_acted_in_does_not_count() -> None:
    stats = Ledger()
    assert stats.settle(_battle("chess", [_user("ann"), _user("bob")], (), played=False)) == []
    assert stats.of("ann")["chess"].played == 0


def test_beating_a_strong_ai_is_worth_more_than_a_weak_one() -> None:
    strong, weak = Ledger(), Ledger()
    ai = Seat("ai", SeatKind.AI, level=20)
    strong.settle(_battle("duel", [_user("ann"), ai], (0,)))
    weak.settle(_battle("duel", [_user("ann"), Seat("ai", SeatKind.AI, level=0)], (0,)))
    assert strong.of("ann")["duel"].rating.rating > weak.of("ann")["duel"].rating.rating
    assert ai_rating(20).rating > ai_rating(10).rating == 1500 > ai_rating(0).rating


def test_with_more_players_the_winner_beats_all_and_the_rest_draw() -> None:
    stats = Ledger()
    stats.settle(_battle("duel", [_user("ann"), _user("bob"), _user("cy")], (2,)))
    ann, bob, cy = (stats.of(name)["duel"] for name in ("ann", "bob", "cy"))
    assert (cy.wins, ann.losses, bob.losses) == (1, 1, 1)
    assert cy.rating.rating > 1500 > ann.rating.rating
    assert ann.rating.rating == bob.rating.rating


def test_playing_yourself_counts_but_moves_no_rating() -> None:
    stats = Ledger()
    stats.settle(_battle("chess", [_user("ann"), _user("ann")], (1,)))
    ann = stats.of("ann")["chess"]
    assert (ann.played, ann.wins) == (1, 1)
    assert ann.rating.rating == 1500


def test_a_timed_battle_counts_in_its_speed_alone() -> None:
    stats = Ledger()
    # 180 + 40 x 2 = 260 s: blitz
    blitz: dict[str, object] = {"clock": {"limit": 180, "increment": 2}}
    stats.settle(_battle("chess", [_user("ann"), _user("bob")], (0,), options=blitz))
    assert stats.of("ann", "blitz")["chess"].wins == 1
    assert stats.of("ann", "blitz")["chess"].rating.rating > 1500
    assert stats.of("ann")["chess"].played == 0  # the untimed rating is untouched
    daily: dict[str, object] = {"days": 3}
    stats.settle(_battle("chess", [_user("ann"), _user("bob")], (1,), options=daily))
    assert stats.of("bob", "correspondence")["chess"].wins == 1


def test_lichess_speeds_by_estimated_duration() -> None:
    def of(limit: int, increment: int) -> str:
        return speed({"clock": {"limit": limit, "increment": increment}})

    assert of(15, 0) == "ultraBullet"
    assert (of(60, 0), of(0, 1), of(120, 1)) == ("bullet", "bullet", "bullet")
    assert (of(180, 0), of(300, 3)) == ("blitz", "blitz")
    assert (of(600, 0), of(900, 10)) == ("rapid", "rapid")
    assert (of(1500, 0), of(1800, 20)) == ("classical", "classical")
    assert speed({"days": 14}) == "correspondence"
    assert speed({}) == UNTIMED


def test_an_aborted_battle_is_not_rated() -> None:
    stats = Ledger()
    seats = [_user("ann"), _user("bob")]
    assert stats.settle(_battle("chess", seats, (), options={"days": 1}, reason=ABORTED)) == []
