"""The chess opening book, which lives with the chess rules (`gambit.games.chess_openings`)."""

from gambit.games.chess_openings import BOOK, Opening, builtin, from_epd, from_moves, from_pgn

__all__ = ["BOOK", "Opening", "builtin", "from_epd", "from_moves", "from_pgn"]
