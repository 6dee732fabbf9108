"""The chess ruleset on its own: FEN checks, actions and every way a game ends."""

from __future__ import annotations

import chess
import pytest

from gambit.games import IllegalAction, InvalidOptions, Outcome
from gambit.games.chess import ChessRuleset, parse_fen

RULES = ChessRuleset()


def _play(board: chess.Board, *moves: str) -> chess.Board:
    for move in moves:
        board, _ = RULES.apply(board, {"type": "move", "move": move})
    return board


def test_initial_state_and_seats() -> None:
    board = RULES.initial_state(2, {}, seed=1)
    assert board.fen() == chess.STARTING_FEN
    assert RULES.to_move(board) == 0
    assert RULES.to_move(_play(board, "e2e4")) == 1
    assert len(RULES.legal_actions(RULES.initial_state(2, {}, seed=1))) == 20


def test_apply_refuses_illegal_and_malformed_actions() -> None:
    board = RULES.initial_state(2, {}, seed=1)
    for action in ({"type": "move", "move": "e2e5"}, {"type": "move", "move": "zz"}, {"move": 1}):
        with pytest.raises(IllegalAction):
            RULES.apply(board, action)
    assert board.move_stack == []


def test_legal_actions_post_back_unchanged() -> None:
    board = RULES.initial_state(2, {"fen": "8/4P1k1/8/8/8/8/8/4K3 w - - 0 1"}, seed=1)
    for action in RULES.legal_actions(board):
        copy = RULES.copy(board)
        _, recorded = RULES.apply(copy, action)
        assert recorded == action


@pytest.mark.parametrize(
    ("fen", "moves", "outcome"),
    [
        (chess.STARTING_FEN, ["f2f3", "e7e5", "g2g4", "d8h4"], Outcome((1,), "checkmate")),
        ("k7/8/8/1Q6/8/8/8/K7 w - - 0 1", ["b5b6"], Outcome((), "stalemate")),
        ("k7/8/8/8/8/8/1r6/KB6 w - - 0 1", ["a1b2"], Outcome((), "insufficient material")),
        ("k7/8/8/8/8/8/8/K6R w - - 149 100", ["h1h2"], Outcome((), "seventy-five-move rule")),
        (
            chess.STARTING_FEN,
            ["g1f3", "g8f6", "f3g1", "f6g8"] * 4,
            Outcome((), "fivefold repetition"),
        ),
    ],
)
def test_game_endings(fen: str, moves: list[str], outcome: Outcome) -> None:
    board = RULES.initial_state(2, {"fen": fen}, seed=1)
    assert RULES.outcome(board) is None
    assert RULES.outcome(_play(board, *moves)) == outcome


def test_threefold_repetition_is_not_an_automatic_draw() -> None:
    board = _play(chess.Board(), *(["g1f3", "g8f6", "f3g1", "f6g8"] * 2))
    assert RULES.outcome(board) is None


@pytest.mark.parametrize(
    "fen",
    [
        "",
        " rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1\n",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR  w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1\tgo",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 0",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNQ w KQkq - 0 1",
        "8/8/8/8/8/8/8/8 w - - 0 1",
        "P3k3/8/8/8/8/8/8/4K3 w - - 0 1",
    ],
)
def test_parse_fen_refuses(fen: str) -> None:
    with pytest.raises(InvalidOptions, match="invalid FEN"):
        parse_fen(fen)


def test_a_copy_keeps_what_repetitions_need() -> None:
    """Copies hold only the moves since the last capture or pawn move: still enough to
    see a position come back a fifth time."""
    rules = ChessRuleset()
    state = rules.initial_state(2, {}, 0)
    for move in ["e2e4", "e7e5", *["g1f3", "g8f6", "f3g1", "f6g8"] * 4]:
        assert rules.outcome(state) is None
        state, _ = rules.apply(rules.copy(state), {"type": "move", "move": move})
    assert rules.outcome(state) == Outcome((), "fivefold repetition")
    assert len(rules.copy(state).move_stack) == 16  # none from before e7e5


def test_contest_starts_take_the_book_in_turn_and_may_be_judged_on_scores() -> None:
    """A contest's pairs start from the organiser's openings, round the list; the
    engines' scores may adjudicate; chess has no round limit."""
    epd = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1\n"
    epd += "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2\n"
    starts = RULES.contest_starts({"epd": epd}, range(3, 6), seed=7)
    fens = [start.options["fen"] for start in starts]
    assert [fen.split()[1] for fen in fens] == ["w", "b", "w"]  # pairs 3, 4, 5: lines 2, 1, 2
    assert fens[0] == fens[2]
    assert [start.name for start in starts] == fens  # an EPD position is named by its FEN
    for start in starts:
        RULES.initial_state(2, start.options, 0)
    builtin = RULES.contest_starts(None, range(2), seed=0)
    assert builtin[0].name == "e4 e5 Nf3 Nc6 Bb5 a6"
    assert builtin == RULES.contest_starts({"book": "builtin"}, range(2), seed=99)
    with pytest.raises(InvalidOptions, match="line 1"):
        RULES.contest_starts({"epd": "not a position"}, range(0), seed=0)
    assert RULES.adjudication_by_score
    assert RULES.round_limit_option is None
