"""Chess on python-chess: seat 0 plays white, seat 1 black; actions are UCI moves."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import chess
import chess.pgn

from gambit.games.base import (
    Action,
    IllegalAction,
    InvalidOptions,
    Outcome,
    Position,
    PublicView,
    Start,
)
from gambit.games.chess_openings import from_settings
from gambit.games.clock import TIMEOUT

UCI_MOVE = re.compile(r"[a-h][1-8][a-h][1-8][qrbn]?")
_CASTLING = re.compile(r"[O0]-[O0](-[O0])?[+#]?")
_SQUARE_TO_SQUARE = re.compile(r"[a-h][1-8][-x]?[a-h][1-8]")

PIECE_VALUES = {chess.PAWN: 1, chess.KNIGHT: 3, chess.BISHOP: 3, chess.ROOK: 5, chess.QUEEN: 9}
COLOURS = (chess.WHITE, chess.BLACK)  # by seat
PGN_RESULTS = {(0,): "1-0", (1,): "0-1", (): "1/2-1/2"}

_DRAW_REASONS = {
    chess.Termination.STALEMATE: "stalemate",
    chess.Termination.INSUFFICIENT_MATERIAL: "insufficient material",
    chess.Termination.SEVENTYFIVE_MOVES: "seventy-five-move rule",
    chess.Termination.FIVEFOLD_REPETITION: "fivefold repetition",
}


def looks_like_san(text: str) -> bool:
    """True for text written as a SAN move (``e4``, ``Nf3``, ``O-O``, ``exd8=Q+``), and
    not as a square to square, which is UCI gone wrong (``e2e4k``, ``e2-e4``)."""
    if _SQUARE_TO_SQUARE.match(text):
        return False
    return bool(chess.SAN_REGEX.match(text) or _CASTLING.fullmatch(text))


def not_uci(text: str, board: chess.Board | None = None) -> str:
    """Why ``text`` is refused as a move, for a person who may have written SAN: with
    the position, a legal SAN move is given back in UCI."""
    if not looks_like_san(text):
        return f"{text!r} is not a move in UCI notation, such as e2e4 or e7e8q"
    try:
        move = board.parse_san(text) if board is not None else None
    except ValueError:  # SAN, but no legal move here
        move = None
    if move:
        return f"{text} is SAN; send it in UCI: {move.uci()}"
    return f"{text} is SAN; send moves in UCI, such as e2e4 or e7e8q"


def parse_fen(fen: str) -> chess.Board:
    """A board for ``fen``, which must be one well-formed FEN of a legal position.

    Raises `InvalidOptions` otherwise. python-chess is lenient about surrounding
    whitespace and missing counters, so anything but the printable FEN alphabet is
    refused first: no newline or other control text can ever reach an engine.
    """
    if not re.fullmatch(r"[A-Za-z0-9/\- ]+", fen) or fen != fen.strip() or "  " in fen:
        raise InvalidOptions(f"invalid FEN: {fen!r} has characters a FEN cannot contain")
    try:
        board = chess.Board(fen)
    except ValueError as exc:
        raise InvalidOptions(f"invalid FEN: {exc}") from exc
    status = board.status()
    if status != chess.STATUS_VALID:
        problems = [
            str(flag.name).lower().replace("_", " ") for flag in chess.Status if flag & status
        ]
        raise InvalidOptions("invalid FEN: illegal position (" + ", ".join(problems) + ")")
    return board


class ChessRuleset:
    """Standard chess. Options: ``{"fen": str}`` to start from a position."""

    name = "chess"
    min_seats = 2
    max_seats = 2
    seat_fields: tuple[str, ...] = ()
    adjudication_by_score: bool = True
    round_limit_option: str | None = None
    engine = "stockfish"
    engine_title = "Stockfish"

    def initial_state(self, seats: int, options: Mapping[str, Any], seed: int) -> chess.Board:
        fen = options.get("fen")
        return parse_fen(fen) if fen else chess.Board()

    def copy(self, state: chess.Board) -> chess.Board:
        """A copy with the moves since the last capture or pawn move: all the rules look
        back at (repetitions), and far cheaper than the whole game's."""
        return state.copy(stack=state.halfmove_clock)

    def to_move(self, state: chess.Board) -> int:
        return 0 if state.turn == chess.WHITE else 1

    def legal_actions(self, state: chess.Board) -> list[Action]:
        return [{"type": "move", "move": move.uci()} for move in state.legal_moves]

    def apply(self, state: chess.Board, action: Mapping[str, Any]) -> tuple[chess.Board, Action]:
        text = action.get("move")
        if action.get("type") != "move" or not isinstance(text, str):
            raise IllegalAction('a chess action is {"type": "move", "move": "<uci>"}')
        if not UCI_MOVE.fullmatch(text):
            raise IllegalAction(not_uci(text, state))
        move = chess.Move.from_uci(text)
        if not state.is_legal(move):
            raise IllegalAction(f"{text} is not a legal move in this position")
        state.push(move)
        return state, {"type": "move", "move": text}

    def outcome(self, state: chess.Board) -> Outcome | None:
        result = state.outcome(claim_draw=False)
        if result is None:
            return None
        if result.winner is not None:
            return Outcome(winners=(0 if result.winner == chess.WHITE else 1,), reason="checkmate")
        return Outcome(winners=(), reason=_DRAW_REASONS.get(result.termination, "draw"))

    def eliminate(self, state: chess.Board, seat: int) -> None:
        """Chess cannot go on without a side: who leaves loses."""
        return

    def timeout(self, state: chess.Board, seat: int) -> Outcome:
        """The side out of time loses, unless its opponent cannot possibly mate: a draw."""
        opponent = 1 - seat
        if state.has_insufficient_material(COLOURS[opponent]):
            return Outcome(winners=(), reason=TIMEOUT)
        return Outcome(winners=(opponent,), reason=TIMEOUT)

    def view(self, state: chess.Board, ids: Sequence[str], actions: Sequence[Action]) -> PublicView:
        players = {
            ids[seat]: {
                "color": "white" if colour == chess.WHITE else "black",
                "inCheck": state.turn == colour and state.is_check(),
                "material": sum(
                    value * len(state.pieces(piece, colour))
                    for piece, value in PIECE_VALUES.items()
                ),
            }
            for seat, colour in enumerate(COLOURS)
        }
        moves = [action["move"] for action in actions if action.get("type") == "move"]
        return PublicView(state.fullmove_number, players, {"fen": state.fen(), "moves": moves})

    def position(self, data: Mapping[str, Any] | str) -> Position[chess.Board]:
        fen = data.get("fen") if isinstance(data, Mapping) else data
        if not isinstance(fen, str):
            raise InvalidOptions('a chess position is a FEN, or {"fen": FEN}')
        return Position(parse_fen(fen))

    def record(
        self,
        state: chess.Board,
        names: Sequence[str],
        outcome: Outcome | None,
        tags: Mapping[str, str],
    ) -> str:
        """PGN, with White and Black named and the result and its reason."""
        game = chess.pgn.Game.from_board(state)
        game.headers.update(tags)
        game.headers["White"], game.headers["Black"] = names[0], names[1]
        game.headers["Result"] = PGN_RESULTS.get(outcome.winners, "*") if outcome else "*"
        if outcome is not None:
            game.headers["Termination"] = outcome.reason
        exporter = chess.pgn.StringExporter(headers=True, variations=False, comments=False)
        return game.accept(exporter)

    def contest_starts(
        self, openings: Mapping[str, Any] | None, pairs: range, seed: int
    ) -> list[Start]:
        """The book's openings in turn, pair after pair: the built-in book unless the
        settings give EPD lines or PGN games (`gambit.games.chess_openings`)."""
        try:
            book = from_settings(openings)
        except ValueError as exc:
            raise InvalidOptions(str(exc)) from None
        chosen = (book[pair % len(book)] for pair in pairs)
        return [Start(opening.name, {"fen": opening.fen}) for opening in chosen]
