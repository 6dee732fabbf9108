"""The opening book and organisers' uploads."""

from __future__ import annotations

import chess
import pytest

from gambit.games import chess_openings as book
from gambit.games.duel import DuelRuleset


def test_the_builtin_book_has_forty_distinct_legal_lines() -> None:
    openings = book.builtin()
    assert len(openings) == 40
    assert len({o.fen for o in openings}) == 40
    for opening in openings:
        assert 4 <= len(opening.name.split()) <= 8
        board = chess.Board(opening.fen)
        assert board.is_valid()
        assert not board.is_game_over()


def test_epd_lines_and_pgn_games_become_openings() -> None:
    epd = '# a comment\nrnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - id "e4";\n\n'
    epd += "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2\n"
    assert [o.fen.split()[1] for o in book.from_epd(epd)] == ["b", "w"]
    games = book.from_pgn("1. d4 d5 2. c4 *\n\n1. e4 c5 *\n")
    assert [o.name for o in games] == ["d4 d5 c4", "e4 c5"]


@pytest.mark.parametrize(
    ("parse", "text", "why"),
    [
        (book.from_epd, "not a position", "line 1"),
        (book.from_epd, "\n\n", "no positions"),
        (book.from_pgn, "1. e4 e5 2. Ke3 *", "PGN game 1"),
        (book.from_pgn, "", "no games"),
    ],
)
def test_broken_uploads_say_what_is_wrong(parse: object, text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse(text)  # type: ignore[operator]


def test_a_duel_start_number_gives_mirrored_starts() -> None:
    rules = DuelRuleset()
    for start in range(60):
        a, b = rules.initial_state(2, {"start": start}, 0).fighters
        assert (a.x + b.x, a.y + b.y) == (6, 6)
        assert (a.x, a.y) != (b.x, b.y)
    assert rules.initial_state(2, {}, 0).fighters[0].x == 0  # corners without one
