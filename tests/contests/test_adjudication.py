"""Adjudication on the engines' scores: tables of games and their verdicts, the sign
convention (each score is its mover's own view), and a streak-counting oracle in the
manner of cutechess-cli's counters, checked on random games."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gambit.ai.engine import MATE_SCORE
from gambit.contests.adjudication import DrawRule, Ply, ResignRule, Rules, Verdict, judge
from gambit.games.battle import ActionRecord, Battle, BattleStatus
from gambit.services.tournaments import plies

RESIGN = Rules(resign=ResignRule(score=600, moves=3))
DRAW = Rules(draw=DrawRule(score=10, moves=2, after=4))
N = None


def game(*scores: float | None, first: int = 0) -> list[Ply]:
    """Plies in turn from seat ``first``, each score its mover's own view."""
    return [Ply((first + k) % 2, score) for k, score in enumerate(scores)]


@pytest.mark.parametrize(
    ("plies", "verdict"),
    [
        # White's engine says +700 for itself, Black's -700 for itself: White wins.
        (game(700, -700, 700, -700, 700, -700), Verdict(0)),
        # Black's engine sure it wins, White's sure it loses: Black wins.
        (game(-800, 800, -800, 800, -800, 800), Verdict(1)),
        # The bound itself counts (≤ -S and ≥ S).
        (game(600, -600, 600, -600, 600, -600), Verdict(0)),
        # A first move short of the bound is not one of the last three.
        (game(599, -600, 600, -600, 600, -600, 600, -600), Verdict(0)),
        (game(700, -700, 599, -700, 700, -700), None),
        # Only two moves each so far.
        (game(700, -700, 700, -700), None),
        (game(700, -700, 700, -700, 700), None),
        # Two-sided: the loser's engine does not agree (it thinks -500 only).
        (game(700, -500, 700, -700, 700, -700), None),
        # Two-sided: the winner's engine does not agree.
        (game(700, -700, 500, -700, 700, -700), None),
        # Both think they are winning (a score of the wrong sign): no verdict.
        (game(700, 700, 700, 700, 700, 700), None),
        # A run broken in the middle, then long enough again.
        (game(700, -700, 100, -700, 700, -700, 700, -700), None),
        (game(700, -700, 100, -700, 700, -700, 700, -700, 700, -700), Verdict(0)),
        # A move without a score (a fallback move) breaks the run.
        (game(700, -700, N, -700, 700, -700), None),
        # A side that reports nothing (a user) is never adjudicated.
        (game(N, -9000, N, -9000, N, -9000, N, -9000), None),
        (game(9000, N, 9000, N, 9000, N, 9000, N), None),
        # Mate scores are beyond any bound.
        (game(MATE_SCORE - 5, -(MATE_SCORE - 4), MATE_SCORE - 4, -700, 900, -700), Verdict(0)),
        # Black moves first (a FEN with Black to move): seats, not parity, decide.
        (game(700, -700, 700, -700, 700, -700, first=1), Verdict(1)),
        (game(-700, 700, -700, 700, -700, 700, first=1), Verdict(0)),
    ],
)
def test_resign(plies: list[Ply], verdict: Verdict | None) -> None:
    assert judge(RESIGN, plies) == verdict


@pytest.mark.parametrize(
    ("plies", "verdict"),
    [
        # Four full moves played, each side's last two scores within ±10.
        (game(50, -50, 50, -50, 0, 5, -10, 10), Verdict(None)),
        # Only three and a half full moves: not yet.
        (game(50, -50, 50, 0, 5, -10, 10), None),
        # One score just outside.
        (game(0, 0, 0, 0, 0, 11, 0, 0), None),
        (game(0, 0, 0, 0, 0, 0, -11, 0), None),
        # A score from a long time ago does not matter.
        (game(900, -900, 0, 0, 0, 0, 0, 0), Verdict(None)),
        # A move without a score breaks the run.
        (game(0, 0, 0, 0, 0, N, 0, 0), None),
        (game(N, 0, N, 0, N, 0, N, 0, N, 0), None),
    ],
)
def test_draw(plies: list[Ply], verdict: Verdict | None) -> None:
    assert judge(DRAW, plies) == verdict


def test_draw_from_the_start_and_before_resign() -> None:
    rules = Rules(resign=ResignRule(100, 1), draw=DrawRule(200, 1, 0))
    assert judge(rules, game(0, 0)) == Verdict(None)
    assert judge(rules, game(0)) is None  # Black has not moved
    # Both rules hold (a draw bound above the resign bound): the draw goes first, as in
    # cutechess; beyond the draw bound the resign rule decides.
    assert judge(rules, game(150, -150)) == Verdict(None)
    assert judge(rules, game(250, -250)) == Verdict(0)


def test_rules_from_the_settings() -> None:
    assert Rules.of(None) is None
    assert Rules.of({}) is None
    assert Rules.of({"resign": None, "draw": None, "maxRounds": 8}) is None
    full = {"resign": {"score": 600, "moves": 3}, "draw": {"score": 10, "moves": 8, "after": 40}}
    rules = Rules.of(full | {"maxRounds": None})
    assert rules == Rules(ResignRule(600, 3), DrawRule(10, 8, 40))
    assert rules.to_json() == full
    assert Rules.of(rules.to_json()) == rules
    assert Rules.of({"resign": {"score": 600, "moves": 3}}) == Rules(ResignRule(600, 3))


# -- an independent oracle: streak counters, updated move by move -----------------


def oracle(rules: Rules, plies: Sequence[Ply]) -> Verdict | None:
    """Counters of each seat's trailing moves losing, winning and drawish (from the
    first seat's view), as cutechess-cli keeps them; then the verdict on the last ply."""
    losing, winning, drawish = [0, 0], [0, 0], [0, 0]
    for ply in plies:
        seat = ply.seat
        if ply.score is None:
            losing[seat] = winning[seat] = drawish[seat] = 0
            continue
        own = ply.score
        lose = rules.resign is not None and own <= -rules.resign.score
        win = rules.resign is not None and own >= rules.resign.score
        near = rules.draw is not None and abs(own) <= rules.draw.score
        losing[seat] = losing[seat] + 1 if lose else 0
        winning[seat] = winning[seat] + 1 if win else 0
        drawish[seat] = drawish[seat] + 1 if near else 0
    draw = rules.draw
    if draw is not None and len(plies) // 2 >= draw.after and min(drawish) >= draw.moves:
        return Verdict(None)
    if rules.resign is not None:
        n = rules.resign.moves
        for loser in (0, 1):
            if losing[loser] >= n and winning[1 - loser] >= n:
                return Verdict(1 - loser)
    return None


SCORES = st.one_of(
    st.none(),
    st.sampled_from([0, 5, -5, 10, -10, 11, -11, 599, -599, 600, -600, 601, -601]),
    st.integers(-MATE_SCORE, MATE_SCORE),
)
RULES = st.builds(
    Rules,
    st.one_of(st.none(), st.builds(ResignRule, st.sampled_from([100, 600]), st.integers(1, 4))),
    st.one_of(
        st.none(),
        st.builds(DrawRule, st.sampled_from([0, 10, 700]), st.integers(1, 4), st.integers(0, 10)),
    ),
)


@settings(max_examples=500, deadline=None)
@given(RULES, st.lists(SCORES, max_size=30), st.integers(0, 1))
def test_the_rule_agrees_with_streak_counters(
    rules: Rules, scores: list[float | None], first: int
) -> None:
    plies = game(*scores, first=first)
    assert judge(rules, plies) == oracle(rules, plies)


@settings(max_examples=300, deadline=None)
@given(RULES, st.lists(SCORES, max_size=30), st.integers(0, 1))
def test_swapping_the_seats_swaps_the_winner(
    rules: Rules, scores: list[float | None], first: int
) -> None:
    """The same scores played by the other seat: the verdict is mirrored (the sign
    convention is the mover's own view, whichever seat it is)."""
    verdict = judge(rules, game(*scores, first=first))
    mirrored = judge(rules, game(*scores, first=1 - first))
    if verdict is None or verdict.winner is None:
        assert mirrored == verdict
    else:
        assert mirrored == Verdict(1 - verdict.winner)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-MATE_SCORE, MATE_SCORE), max_size=30), st.integers(0, 1))
def test_a_side_without_scores_is_never_adjudicated(scores: list[int], first: int) -> None:
    rules = Rules(ResignRule(100, 1), DrawRule(1000, 1, 0))
    silent = [Ply(p.seat, None if p.seat == 1 else p.score) for p in game(*scores, first=first)]
    assert judge(rules, silent) is None


def test_a_reported_mate_counts_as_a_score_beyond_any_material() -> None:
    records = [
        ActionRecord(1, 0, "w", {"type": "move", "move": "a1a8"}, 0, {"mate": 2, "depth": 9}),
        ActionRecord(2, 1, "b", {"type": "move", "move": "g8h8"}, 0, {"mate": -1}),
        ActionRecord(3, 0, "w", {"type": "move", "move": "a8a7"}, 0, {"score": 35}),
        ActionRecord(4, 1, "b", {"type": "move", "move": "h8g8"}, 0, {}),
    ]
    battle = Battle("b", "chess", [], {}, 0, BattleStatus.ACTIVE, 0, 0, None, records)
    assert plies(battle) == [
        Ply(0, MATE_SCORE - 2),
        Ply(1, -MATE_SCORE + 1),
        Ply(0, 35),
        Ply(1, None),
    ]
