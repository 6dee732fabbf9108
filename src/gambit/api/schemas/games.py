"""Request and response bodies of the chess face (seed 003), and the game view."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from gambit.api.schemas.battles import ClockView
from gambit.api.schemas.common import (
    MAX_SEARCH_TIME_MS,
    MIN_SEARCH_TIME_MS,
    JsonModel,
    Level,
    rule_error,
)
from gambit.games.battle import Battle, SeatKind
from gambit.games.chess import UCI_MOVE, looks_like_san
from gambit.services.chess_games import COMPUTER_MOVE, PlayerSpec

HUMAN, COMPUTER = 1, 2
DEFAULT_LEVEL = 10
DEFAULT_SEARCH_TIME_MS = 1000
MAX_UNDO = 300


def _player_type(value: int) -> int:
    if value not in (HUMAN, COMPUTER):
        raise PydanticCustomError("literal_error", "", {"expected": f"{HUMAN} or {COMPUTER}"})
    return value


def _search_time(value: Any) -> Any:
    # 0 means "not given", as in the original API, whose clients send 0 for humans.
    # Checked before pydantic's rule, which would name one end of the range only.
    if type(value) is int and value and not MIN_SEARCH_TIME_MS <= value <= MAX_SEARCH_TIME_MS:
        raise rule_error(
            f"must be between {MIN_SEARCH_TIME_MS} and {MAX_SEARCH_TIME_MS} ms, "
            f"or 0 for the default {DEFAULT_SEARCH_TIME_MS} ms"
        )
    return value


def _move(value: str) -> str:
    # SAN passes, for the game to answer with the move in UCI (`ChessGames.move`).
    if value != COMPUTER_MOVE and not UCI_MOVE.fullmatch(value) and not looks_like_san(value):
        raise rule_error("must be a move in UCI notation, such as e2e4 or e7e8q, or cccc")
    return value


class PlayerConfig(JsonModel):
    type: Annotated[
        int,
        AfterValidator(_player_type),
        Field(description="1 for a human, 2 for the computer.", json_schema_extra={"enum": [1, 2]}),
    ]
    level: Level | None = Field(
        None, description=f"Computer strength 0–20 (default {DEFAULT_LEVEL})."
    )
    searchTime: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_SEARCH_TIME_MS,
            description=f"Computer thinking time in ms, 100–10000; 0 or absent means "
            f"{DEFAULT_SEARCH_TIME_MS}.",
        ),
        BeforeValidator(_search_time),
    ] = 0

    def to_spec(self) -> PlayerSpec:
        return PlayerSpec(
            computer=self.type == COMPUTER,
            level=DEFAULT_LEVEL if self.level is None else self.level,
            search_time=self.searchTime or DEFAULT_SEARCH_TIME_MS,
        )


class CreateGameRequest(JsonModel):
    white: PlayerConfig = Field(description="Who plays white.")
    black: PlayerConfig = Field(description="Who plays black.")
    fen: str | None = Field(
        None, max_length=100, description="Start position; default the usual one."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"white": {"type": 1}, "black": {"type": 2, "level": 15, "searchTime": 1000}}
            ]
        }
    )


class SetPlayersRequest(JsonModel):
    white: PlayerConfig = Field(description="Who plays white from now on.")
    black: PlayerConfig = Field(description="Who plays black from now on.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"white": {"type": 1}, "black": {"type": 2, "level": 5, "searchTime": 500}}
            ]
        }
    )


class MoveRequest(JsonModel):
    move: Annotated[
        str,
        Field(max_length=10, description="A UCI move (e2e4, e7e8q), or cccc."),
        AfterValidator(_move),
    ]

    model_config = ConfigDict(json_schema_extra={"examples": [{"move": "e2e4"}, {"move": "cccc"}]})


class UndoRequest(JsonModel):
    count: int = Field(
        0, ge=0, le=MAX_UNDO, description="Half-moves to take back; 0 or absent means 1."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"count": 1}]})


class Player(BaseModel):
    id: str = Field(
        description="The player id: a signed-in creator's user id, else one of its own."
    )
    color: Literal[1, 2] = Field(description="1 white, 2 black.")
    type: Literal[1, 2] = Field(description="1 human, 2 computer.")
    level: int | None = Field(None, description="The computer's strength 0–20.")
    searchTime: int | None = Field(None, description="The computer's thinking time, ms.")


class Players(BaseModel):
    white: Player
    black: Player


class LastMove(BaseModel):
    move: str = Field(description="The move in UCI notation.")
    playerColor: Literal["w", "b"] = Field(description="Who made it.")
    score: int | None = Field(None, description="Engine score in centipawns, mover's view.")
    mate: int | None = Field(
        None,
        description="Instead of `score` when the engine sees a forced mate: moves to mate, "
        "as UCI counts them (negative when the mover is the one mated).",
    )
    depth: int | None = Field(
        None, description="Engine search depth (for a mate, the depth that first saw it)."
    )


GameState = Literal["ongoing", "pending", "white wins", "black wins", "draw", "stalemate"]


class Game(BaseModel):
    gameId: str = Field(description="The game's id; also its battle id on the battle face.")
    fen: str = Field(description="The position, as FEN.")
    turn: Literal["w", "b"] = Field(description="The side to move.")
    state: GameState = Field(
        description="`pending` while the computer thinks; `ongoing` until the game ends."
    )
    moves: list[str] = Field(description="Every move so far, in UCI notation.")
    players: Players
    lastMove: LastMove | None = Field(None, description="Absent before the first move.")
    clock: ClockView | None = Field(
        None, description="The time control's clock (a battle made with one); else null."
    )

    @classmethod
    def of(cls, battle: Battle) -> Game:
        board = battle.state
        players = [
            Player(
                id=seat.player_id,
                color=colour,
                type=COMPUTER if seat.kind is SeatKind.AI else HUMAN,
                level=seat.level,
                searchTime=seat.search_time,
            )
            for colour, seat in zip((1, 2), battle.seats, strict=True)
        ]
        # A chess game's log holds moves, and a forfeit at most (from the battle face).
        played = [record for record in battle.actions if record.action.get("type") == "move"]
        last_move = None
        if played:
            record = played[-1]
            last_move = LastMove(
                move=record.action["move"],
                playerColor="w" if record.seat == 0 else "b",
                score=record.info.get("score"),
                mate=record.info.get("mate"),
                depth=record.info.get("depth"),
            )
        return cls(
            gameId=battle.id,
            fen=board.fen(),
            turn="w" if board.turn else "b",
            state=_state(battle),
            moves=[record.action["move"] for record in played],
            players=Players(white=players[0], black=players[1]),
            lastMove=last_move,
            clock=ClockView.of(battle.clock) if battle.clock else None,
        )


class Board(BaseModel):
    fen: str = Field(description="The position, as FEN.")
    board: str = Field(description="An ASCII diagram, ranks 8 to 1 and files a to h labelled.")


def _state(battle: Battle) -> GameState:
    if battle.thinking:
        return "pending"
    outcome = battle.outcome
    if outcome is None:
        return "ongoing"
    if outcome.winners:
        return "white wins" if outcome.winners == (0,) else "black wins"
    return "stalemate" if outcome.reason == "stalemate" else "draw"


def ascii_board(battle: Battle) -> str:
    rows: list[str] = []
    for rank, line in zip("87654321", str(battle.state).splitlines(), strict=True):
        rows.append(f"{rank} {line}")
    rows.append("  a b c d e f g h")
    return "\n".join(rows)
