"""Chess openings for contests: a built-in book of balanced lines, and the organiser's own.

Each opening is played twice with colours swapped, so a line need only be roughly
balanced; these are well-known main lines, 4 to 8 plies, in SAN. Organisers may upload
EPD (one FEN or EPD record a line) or PGN (each game's moves are one opening).
Pure python-chess: the chess ruleset's contest starts (`ChessRuleset.contest_starts`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import chess
import chess.pgn

BOOK: tuple[str, ...] = (
    "e4 e5 Nf3 Nc6 Bb5 a6",  # Ruy Lopez, Morphy Defence
    "e4 e5 Nf3 Nc6 Bb5 Nf6",  # Ruy Lopez, Berlin
    "e4 e5 Nf3 Nc6 Bc4 Bc5",  # Italian, Giuoco Piano
    "e4 e5 Nf3 Nc6 Bc4 Nf6",  # Two Knights
    "e4 e5 Nf3 Nc6 d4 exd4 Nxd4",  # Scotch
    "e4 e5 Nf3 Nf6 Nxe5 d6",  # Petrov
    "e4 e5 Nc3 Nf6 f4 d5",  # Vienna
    "e4 e5 Nf3 Nc6 Nc3 Nf6",  # Four Knights
    "e4 c5 Nf3 d6 d4 cxd4 Nxd4 Nf6",  # Sicilian, Open
    "e4 c5 Nf3 Nc6 d4 cxd4 Nxd4 Nf6",  # Sicilian, Classical
    "e4 c5 Nf3 e6 d4 cxd4 Nxd4 a6",  # Sicilian, Kan
    "e4 c5 Nc3 Nc6 g3 g6",  # Sicilian, Closed
    "e4 c5 c3 Nf6 e5 Nd5",  # Sicilian, Alapin
    "e4 e6 d4 d5 Nc3 Bb4",  # French, Winawer
    "e4 e6 d4 d5 Nd2 Nf6",  # French, Tarrasch
    "e4 e6 d4 d5 e5 c5",  # French, Advance
    "e4 c6 d4 d5 Nc3 dxe4 Nxe4 Bf5",  # Caro-Kann, Classical
    "e4 c6 d4 d5 e5 Bf5",  # Caro-Kann, Advance
    "e4 d6 d4 Nf6 Nc3 g6",  # Pirc
    "e4 d5 exd5 Qxd5 Nc3 Qa5",  # Scandinavian
    "e4 Nf6 e5 Nd5 d4 d6",  # Alekhine
    "d4 d5 c4 e6 Nc3 Nf6",  # Queen's Gambit Declined
    "d4 d5 c4 c6 Nf3 Nf6",  # Slav
    "d4 d5 c4 dxc4 Nf3 Nf6",  # Queen's Gambit Accepted
    "d4 d5 c4 c6 Nc3 Nf6 Nf3 e6",  # Semi-Slav
    "d4 Nf6 c4 e6 Nc3 Bb4",  # Nimzo-Indian
    "d4 Nf6 c4 e6 Nf3 b6",  # Queen's Indian
    "d4 Nf6 c4 g6 Nc3 Bg7 e4 d6",  # King's Indian
    "d4 Nf6 c4 g6 Nc3 d5",  # Grünfeld
    "d4 Nf6 c4 c5 d5 e6",  # Modern Benoni
    "d4 Nf6 c4 e6 g3 d5",  # Catalan
    "d4 f5 g3 Nf6 Bg2 g6",  # Dutch, Leningrad
    "d4 Nf6 Nf3 e6 Bf4 c5",  # London System
    "d4 d5 Nf3 Nf6 e3 e6",  # Colle
    "c4 e5 Nc3 Nf6 Nf3 Nc6",  # English, Four Knights
    "c4 c5 Nc3 Nc6 g3 g6",  # English, Symmetrical
    "c4 Nf6 Nc3 e6 e4 d5",  # English, Mikenas
    "Nf3 d5 g3 Nf6 Bg2 c6",  # Réti
    "Nf3 Nf6 c4 g6 Nc3 Bg7",  # Réti into King's Indian
    "b3 e5 Bb2 Nc6 e3 Nf6",  # Nimzo-Larsen
)


@dataclass(frozen=True, slots=True)
class Opening:
    """A start for one pair of games: its name (the moves, or the FEN) and its FEN."""

    name: str
    fen: str


def from_moves(moves: str) -> Opening:
    """The position after ``moves`` (SAN or UCI, space-separated) from the start."""
    board = chess.Board()
    for move in moves.split():
        board.push(board.parse_san(move))
    return Opening(moves, board.fen())


def builtin() -> list[Opening]:
    return [from_moves(line) for line in BOOK]


def from_epd(text: str) -> list[Opening]:
    """One opening per non-empty line of FEN or EPD; raises ValueError naming a bad line."""
    openings: list[Opening] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        board = chess.Board()
        try:
            if len(line.split()) >= 6 and line.split()[4].isdigit():
                board.set_fen(" ".join(line.split()[:6]))
            else:
                board.set_epd(line)
        except ValueError as exc:
            raise ValueError(f"EPD line {number} is not a position: {exc}") from None
        if not board.is_valid() or board.is_game_over():
            raise ValueError(f"EPD line {number} is not a playable position")
        openings.append(Opening(board.fen(), board.fen()))
    if not openings:
        raise ValueError("the EPD has no positions")
    return openings


def from_pgn(text: str) -> list[Opening]:
    """Each game's main line is one opening; raises ValueError on a broken game."""
    stream = io.StringIO(text)
    openings: list[Opening] = []
    while (game := chess.pgn.read_game(stream)) is not None:
        if game.errors:
            raise ValueError(f"PGN game {len(openings) + 1}: {game.errors[0]}")
        board = game.board()
        sans: list[str] = []
        for move in game.mainline_moves():
            sans.append(board.san(move))
            board.push(move)
        if board.is_game_over():
            raise ValueError(f"PGN game {len(openings) + 1} ends the game")
        openings.append(Opening(" ".join(sans) or board.fen(), board.fen()))
    if not openings:
        raise ValueError("the PGN has no games")
    return openings


def from_settings(settings: Mapping[str, Any] | None) -> list[Opening]:
    """The openings a contest's settings ask for (``{"book": "builtin"}``, the default;
    ``{"epd": lines}``; ``{"pgn": games}``); raises ValueError if they cannot be read."""
    if not settings or settings.get("book") == "builtin":
        return builtin()
    if settings.get("epd"):
        return from_epd(settings["epd"])
    if settings.get("pgn"):
        return from_pgn(settings["pgn"])
    raise ValueError('give {"book": "builtin"}, {"epd": lines} or {"pgn": games}')
