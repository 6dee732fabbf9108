"""Bodies of the battle face (seed 000): battles, their players and game states."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import chess
from pydantic import BaseModel, ConfigDict, Field

from gambit.api.schemas.common import JsonModel
from gambit.games.battle import Battle, SeatKind
from gambit.games.duel import DuelState
from gambit.services.arena import SeatSpec, to_public

PIECE_VALUES = {chess.PAWN: 1, chess.KNIGHT: 3, chess.BISHOP: 3, chess.ROOK: 5, chess.QUEEN: 9}


class HumanSeat(JsonModel):
    type: Literal["human"]


class AISeat(JsonModel):
    type: Literal["ai"]
    level: int = Field(10, ge=0, le=20, description="Strength 0–20.")
    searchTime: int = Field(1000, ge=100, le=10_000, description="Thinking time, ms.")


SeatRequest = Annotated[HumanSeat | AISeat, Field(discriminator="type")]


class BattleOptions(JsonModel):
    size: int | None = Field(None, ge=5, le=15, description="Duel: board size (default 7).")
    maxRounds: int | None = Field(None, ge=1, le=100, description="Duel: round limit (100).")
    fen: str | None = Field(None, max_length=100, description="Chess: start position.")

    def for_rules(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CreateBattleRequest(JsonModel):
    game: Literal["chess", "duel"]
    seats: list[SeatRequest] = Field(min_length=2, max_length=4)
    options: BattleOptions | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"game": "duel", "seats": [{"type": "human"}, {"type": "ai", "level": 10}]},
                {"game": "chess", "seats": [{"type": "human"}, {"type": "human"}]},
            ]
        }
    )

    def seat_specs(self) -> list[SeatSpec]:
        return [
            SeatSpec(ai=True, level=seat.level, search_time=seat.searchTime)
            if isinstance(seat, AISeat)
            else SeatSpec(ai=False)
            for seat in self.seats
        ]


class ActionRequest(JsonModel):
    action: dict[str, Any] = Field(
        description='Chess: `{"type": "move", "move": "e2e4"}`. Duel: `{"type": "move", '
        '"to": {"x": 1, "y": 0}}`, `{"type": "attack", "target": "<playerId>"}`, bolt, '
        "poison, stun (with a target), shield, heal, rest."
    )


class PlayerView(BaseModel):
    id: str | None = Field(description="The player id; null for a seat still open.")
    userId: str | None = None
    seat: int
    type: Literal["human", "ai"]
    level: int | None = None
    searchTime: int | None = None


class ActionView(BaseModel):
    seq: int
    playerId: str
    action: dict[str, Any]
    at: int = Field(description="Epoch milliseconds.")


class GameState(BaseModel):
    """Seed 000's GameState; chess adds `fen` and `moves`."""

    battleId: str
    round: int
    currentTurn: str | None = Field(description="The player id to act; null when over.")
    players: dict[str, dict[str, Any]] = Field(
        description="Per player id: duel `{health, energy, status, position}`, "
        "chess `{color, inCheck, material}`."
    )
    status: Literal["WAITING", "ACTIVE", "FINISHED"]
    lastAction: ActionView | None = None
    result: dict[str, Any] | None = Field(
        None, description="When finished: `winners` (player ids) and `reason`."
    )
    fen: str | None = None
    moves: list[str] | None = None


class BattleView(BaseModel):
    id: str
    game: Literal["chess", "duel"]
    players: list[PlayerView]
    state: GameState
    status: Literal["WAITING", "ACTIVE", "FINISHED"]
    createdAt: int
    updatedAt: int
    legalActions: list[dict[str, Any]] | None = Field(
        None, description="What you may post now, when it is your turn."
    )

    @classmethod
    def of(cls, battle: Battle, legal: list[dict[str, Any]] | None = None) -> BattleView:
        return cls(
            id=battle.id,
            game=battle.game,
            players=[
                PlayerView(
                    id=seat.player_id or None,
                    userId=seat.user_id,
                    seat=index,
                    type="ai" if seat.kind is SeatKind.AI else "human",
                    level=seat.level,
                    searchTime=seat.search_time,
                )
                for index, seat in enumerate(battle.seats)
            ],
            state=game_state(battle),
            status=battle.status.value,
            createdAt=battle.created_at,
            updatedAt=battle.updated_at,
            legalActions=legal,
        )


class BattlePage(BaseModel):
    battles: list[BattleView]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page.")


def game_state(battle: Battle) -> GameState:
    ids = [seat.player_id or f"seat-{index}" for index, seat in enumerate(battle.seats)]
    last = None
    if battle.actions:
        record = battle.actions[-1]
        last = ActionView(
            seq=record.seq,
            playerId=record.player_id,
            action=to_public(battle, record.action),
            at=record.at,
        )
    result = None
    if battle.outcome is not None:
        result = {
            "winners": [ids[seat] for seat in battle.outcome.winners],
            "reason": battle.outcome.reason,
        }
    finished = battle.outcome is not None
    common: dict[str, Any] = {
        "battleId": battle.id,
        "status": battle.status.value,
        "lastAction": last,
        "result": result,
    }
    if isinstance(battle.state, DuelState):
        duel = battle.state
        return GameState(
            **common,
            round=duel.round,
            currentTurn=None if finished else ids[duel.turn],
            players={ids[i]: f.to_json() for i, f in enumerate(duel.fighters)},
        )
    board: chess.Board = battle.state
    players = {
        ids[index]: {
            "color": "white" if colour == chess.WHITE else "black",
            "inCheck": board.turn == colour and board.is_check(),
            "material": sum(
                value * len(board.pieces(piece, colour)) for piece, value in PIECE_VALUES.items()
            ),
        }
        for index, colour in enumerate((chess.WHITE, chess.BLACK))
    }
    return GameState(
        **common,
        round=board.fullmove_number,
        currentTurn=None if finished else ids[0 if board.turn == chess.WHITE else 1],
        players=players,
        fen=board.fen(),
        moves=[r.action["move"] for r in battle.actions if r.action.get("type") == "move"],
    )
