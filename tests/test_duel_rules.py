"""The duel ruleset: the rules one by one, and properties of random legal play."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gambit.games import IllegalAction, InvalidOptions
from gambit.games.duel import DuelRuleset, DuelState, Fighter

RULES = DuelRuleset()


def _state(*fighters: Fighter, turn: int = 0, size: int = 7) -> DuelState:
    return DuelState(size=size, max_rounds=100, fighters=list(fighters), turn=turn)


def test_start_in_corners_with_the_first_turn_begun() -> None:
    state = RULES.initial_state(4, {}, seed=1)
    positions = [(f.x, f.y) for f in state.fighters]
    assert positions == [(0, 0), (6, 6), (6, 0), (0, 6)]
    assert [f.energy for f in state.fighters] == [7, 5, 5, 5]
    assert {f.health for f in state.fighters} == {100}
    assert state.round == 1
    assert RULES.to_move(state) == 0


@pytest.mark.parametrize(
    "options", [{"size": 4}, {"size": 16}, {"size": "7"}, {"maxRounds": 0}, {"maxRounds": 101}]
)
def test_bad_options(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidOptions):
        RULES.initial_state(2, options, seed=1)
    with pytest.raises(InvalidOptions):
        RULES.initial_state(5, {}, seed=1)


def test_moving_costs_a_tile_of_energy_each() -> None:
    state = _state(Fighter(100, 3, 0, 0), Fighter(100, 5, 6, 6))
    state, recorded = RULES.apply(state, {"type": "move", "to": {"x": 1, "y": 1}})
    assert recorded == {"type": "move", "to": {"x": 1, "y": 1}}
    assert (state.fighters[0].x, state.fighters[0].y, state.fighters[0].energy) == (1, 1, 1)
    assert RULES.to_move(state) == 1
    assert state.fighters[1].energy == 7


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"type": "move", "to": {"x": 3, "y": 0}}, "1 to 2 tiles"),
        ({"type": "move", "to": {"x": -1, "y": 0}}, "off the"),
        ({"type": "move", "to": {"x": 1, "y": 0}}, "taken"),
        ({"type": "move", "to": {"x": 2, "y": 0}}, "taken"),
        ({"type": "move", "to": {"x": "1", "y": 0}}, "needs"),
        ({"type": "attack", "target": 0}, "another fighter"),
        ({"type": "attack", "target": 2}, "reaches 1 tile"),
        ({"type": "attack", "target": 5}, "another fighter"),
        ({"type": "attack", "target": True}, "another fighter"),
        ({"type": "bolt", "target": 1}, "needs 3 energy"),
        ({"type": "dance"}, "type must be one of"),
        ({}, "type must be one of"),
    ],
)
def test_illegal_actions_say_why(action: dict[str, Any], reason: str) -> None:
    state = _state(Fighter(100, 2, 0, 0), Fighter(100, 5, 1, 0), Fighter(100, 5, 2, 0))
    before = state.copy()
    with pytest.raises(IllegalAction, match=reason):
        RULES.apply(state, action)
    assert state == before


def test_two_tile_moves_need_a_free_way() -> None:
    state = _state(Fighter(100, 5, 0, 0), Fighter(100, 5, 1, 0), Fighter(100, 5, 0, 1))
    with pytest.raises(IllegalAction, match="blocked"):
        RULES.apply(state, {"type": "move", "to": {"x": 1, "y": 1}})
    assert {"type": "move", "to": {"x": 1, "y": 1}} not in RULES.legal_actions(state)


def test_shield_halves_damage_until_the_next_own_turn() -> None:
    state = _state(Fighter(100, 5, 0, 0), Fighter(100, 5, 0, 1))
    state, _ = RULES.apply(state, {"type": "shield"})
    state, _ = RULES.apply(state, {"type": "attack", "target": 0})
    assert state.fighters[0].health == 100 - 12 // 2
    assert "shielded" not in state.fighters[0].status  # gone at the start of its turn


def test_poison_ticks_three_turns() -> None:
    state = _state(Fighter(100, 5, 0, 0), Fighter(100, 5, 0, 1))
    state, _ = RULES.apply(state, {"type": "poison", "target": 1})
    healths = [state.fighters[1].health]
    for _ in range(4):
        state, _ = RULES.apply(state, {"type": "rest"})
        state, _ = RULES.apply(state, {"type": "rest"})
        healths.append(state.fighters[1].health)
    assert healths == [95, 90, 85, 85, 85]


def test_stun_skips_the_next_turn() -> None:
    state = _state(Fighter(100, 5, 0, 0), Fighter(100, 5, 0, 2))
    state, _ = RULES.apply(state, {"type": "stun", "target": 1})
    assert RULES.to_move(state) == 0
    assert state.round == 2
    assert state.fighters[1].energy == 5  # no energy for a skipped turn
    assert state.fighters[1].status == {}


def test_heal_rest_and_caps() -> None:
    state = _state(Fighter(95, 10, 0, 0), Fighter(100, 5, 6, 6))
    state, _ = RULES.apply(state, {"type": "heal"})
    assert (state.fighters[0].health, state.fighters[0].energy) == (100, 6)
    state, _ = RULES.apply(state, {"type": "rest"})
    state, _ = RULES.apply(state, {"type": "rest"})
    assert state.fighters[0].energy == 10


def test_last_one_standing_wins() -> None:
    state = _state(Fighter(100, 5, 0, 0), Fighter(10, 5, 0, 1))
    state, _ = RULES.apply(state, {"type": "attack", "target": 1})
    outcome = RULES.outcome(state)
    assert outcome is not None
    assert outcome.winners == (0,)
    assert RULES.legal_actions(state) == []
    with pytest.raises(IllegalAction, match="over"):
        RULES.apply(state, {"type": "rest"})


def test_the_round_limit_gives_the_win_to_the_most_health() -> None:
    state = RULES.initial_state(2, {"maxRounds": 2}, seed=1)
    for _ in range(4):
        assert RULES.outcome(state) is None
        state, _ = RULES.apply(state, {"type": "rest"})
    outcome = RULES.outcome(state)
    assert outcome is not None
    assert outcome.is_draw
    state = RULES.initial_state(2, {"maxRounds": 1, "size": 5}, seed=1)
    state.fighters[1].health = 50
    state, _ = RULES.apply(state, {"type": "rest"})
    state, _ = RULES.apply(state, {"type": "rest"})
    assert RULES.outcome(state) is not None
    assert RULES.outcome(state).winners == (0,)  # type: ignore[union-attr]


def test_a_forfeit_takes_the_fighter_out_and_play_goes_on() -> None:
    state = RULES.initial_state(3, {}, seed=1)
    RULES.eliminate(state, 0)
    assert RULES.outcome(state) is None
    assert RULES.to_move(state) == 1
    RULES.eliminate(state, 2)
    outcome = RULES.outcome(state)
    assert outcome is not None
    assert outcome.winners == (1,)


# -- properties of random legal play ------------------------------------------------


@st.composite
def games(draw: st.DrawFn) -> tuple[dict[str, Any], int, list[int]]:
    seats = draw(st.integers(2, 4))
    options = {"size": draw(st.integers(5, 9)), "maxRounds": draw(st.integers(1, 40))}
    choices = draw(st.lists(st.integers(0, 10_000), min_size=0, max_size=400))
    return options, seats, choices


def _play(options: dict[str, Any], seats: int, choices: list[int]) -> list[Any]:
    """Random legal play; returns every state (as JSON) and the recorded actions."""
    state = RULES.initial_state(seats, options, seed=7)
    states, actions = [json.dumps(state.to_json())], []
    for choice in choices:
        legal = RULES.legal_actions(state)
        if not legal:
            break
        state, recorded = RULES.apply(state, legal[choice % len(legal)])
        actions.append(recorded)
        states.append(json.dumps(state.to_json()))
        _check_invariants(state)
    return [states, actions, state]


def _check_invariants(state: DuelState) -> None:
    positions = set()
    for fighter in state.fighters:
        assert 0 <= fighter.health <= 100
        assert 0 <= fighter.energy <= 10
        assert 0 <= fighter.x < state.size
        assert 0 <= fighter.y < state.size
        if fighter.alive:
            assert (fighter.x, fighter.y) not in positions
            positions.add((fighter.x, fighter.y))
        else:
            assert fighter.status == {}
    assert 1 <= state.round <= state.max_rounds
    outcome = RULES.outcome(state)
    if outcome is None:
        assert state.fighters[RULES.to_move(state)].alive
        assert sum(f.alive for f in state.fighters) >= 2
    else:
        assert len(outcome.winners) <= 1
        for winner in outcome.winners:
            assert state.fighters[winner].alive


@settings(max_examples=150, deadline=None)
@given(games())
def test_random_legal_play_keeps_the_state_legal(
    game: tuple[dict[str, Any], int, list[int]],
) -> None:
    _play(*game)


@settings(max_examples=100, deadline=None)
@given(games())
def test_replaying_the_log_reproduces_every_state(
    game: tuple[dict[str, Any], int, list[int]],
) -> None:
    options, seats, _ = game
    states, actions, _ = _play(*game)
    state = RULES.initial_state(seats, options, seed=7)
    replayed = [json.dumps(state.to_json())]
    for action in json.loads(json.dumps(actions)):  # as stored: through JSON
        state, _ = RULES.apply(state, action)
        replayed.append(json.dumps(state.to_json()))
    assert replayed == states


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(0, 2**32))
def test_games_played_to_the_end_have_one_winner_or_a_draw(seats: int, seed: int) -> None:
    import random

    rng = random.Random(seed)
    state = RULES.initial_state(seats, {"size": 5, "maxRounds": 30}, seed=seed)
    while RULES.outcome(state) is None:
        legal = RULES.legal_actions(state)
        # Favour attacks so that some games end by knock-out, not only on time.
        attacks = [a for a in legal if a["type"] in ("attack", "bolt")]
        state, _ = RULES.apply(state, rng.choice(attacks or legal))
        _check_invariants(state)
    outcome = RULES.outcome(state)
    assert outcome is not None
    assert len(outcome.winners) in (0, 1)


def test_contest_starts_are_seeded_one_a_pair_and_mirrored() -> None:
    """Each pair gets a start of its own from the seed (openings mean nothing to duel);
    its two games, seats swapped, begin alike; scores never adjudicate, maxRounds limits."""
    starts = RULES.contest_starts({"book": "builtin"}, range(10, 20), seed=42)
    assert [start.name for start in starts] == [None] * 10
    assert starts == RULES.contest_starts(None, range(10, 20), seed=42)  # pure
    assert len({start.options["start"] for start in starts}) > 1
    assert RULES.contest_starts(None, range(10, 11), seed=43) != starts[:1]
    for start in starts:
        a, b = RULES.initial_state(2, start.options, 0).fighters
        assert (a.x + b.x, a.y + b.y) == (6, 6)
        assert (a.x, a.y) != (b.x, b.y)
    assert not RULES.adjudication_by_score
    assert RULES.round_limit_option == "maxRounds"
    limited = RULES.initial_state(2, {RULES.round_limit_option: 3}, 0)
    assert limited.max_rounds == 3
