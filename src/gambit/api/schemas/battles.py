"""Bodies of the battle face (seed 000): battles, their players and game states."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from gambit.api.schemas.common import JsonModel, rule_error
from gambit.games.battle import ActionRecord, Battle, SeatKind, to_public
from gambit.services.analysis import Hint
from gambit.services.arena import SeatSpec
from gambit.services.replays import Step, current_step

GameName = Literal["chess", "duel"]  # the keys of gambit.games.RULESETS


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
    turnSeconds: int | None = Field(
        None,
        ge=1,
        le=86_400,
        description="Time for each human turn; who runs out forfeits (chess: loses; duel: is out).",
    )

    def for_rules(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CreateBattleRequest(JsonModel):
    game: GameName
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
    username: str | None = Field(None, description="A user's name, as they sat down.")
    rating: int | None = Field(None, description="A user's rating in the game as they sat down.")


class ActionView(BaseModel):
    seq: int
    playerId: str
    action: dict[str, Any]
    at: int = Field(description="Epoch milliseconds.")

    @classmethod
    def of(cls, battle: Battle, record: ActionRecord) -> ActionView:
        return cls(
            seq=record.seq,
            playerId=record.player_id,
            action=to_public(battle, record.action),
            at=record.at,
        )


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
    game: GameName
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
                    username=seat.name,
                    rating=seat.rating,
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


def game_state(battle: Battle, step: Step | None = None) -> GameState:
    """Seed 000's GameState of ``battle`` now, or at an earlier ``step`` of its replay."""
    step = step or current_step(battle)
    ids = [seat.player_id or f"seat-{index}" for index, seat in enumerate(battle.seats)]
    last = ActionView.of(battle, step.last) if step.last is not None else None
    result = None
    if step.outcome is not None:
        result = {
            "winners": [ids[seat] for seat in step.outcome.winners],
            "reason": step.outcome.reason,
        }
    view = battle.ruleset.view(step.state, ids, [r.action for r in battle.actions[: step.seq]])
    finished = step.outcome is not None
    return GameState(
        battleId=battle.id,
        status=step.status.value,
        lastAction=last,
        result=result,
        round=view.round,
        currentTurn=None if finished else ids[battle.ruleset.to_move(step.state)],
        players=view.players,
        **view.extra,
    )


class StateHistory(BaseModel):
    battleId: str
    states: list[GameState] = Field(
        description="The start (no `lastAction`), then the state after each action, in order."
    )


class Replay(BaseModel):
    """Everything needed to re-simulate a battle: its header, start, log and result."""

    battle: BattleView = Field(description="The battle as it stands (its header).")
    initialState: GameState
    actions: list[ActionView] = Field(description="Every action in order, forfeits included.")
    result: dict[str, Any] | None = Field(description="`winners` and `reason` once finished.")
    pgn: str | None = Field(None, description="Chess: the game as PGN, with the players' names.")


# JSON has no UUID type: a battle id in a body is a string to read as a UUID.
BattleIdInBody = Annotated[uuid.UUID, Strict(False)]


class GameActionRequest(JsonModel):
    battleId: BattleIdInBody | None = Field(
        None, description="The battle; by default your most recently active one."
    )
    action: dict[str, Any] = Field(description="As for `POST /battles/{battleId}/actions`.")


class AIActionRequest(JsonModel):
    game: GameName | None = Field(None, description="With `state`: the game it is a position of.")
    state: dict[str, Any] | str | None = Field(
        None,
        description='Chess: a FEN, or `{"fen": FEN}`. Duel: a GameState (`players`, '
        "`currentTurn`, optional `size` and `round`).",
    )
    battleId: BattleIdInBody | None = Field(
        None, description="Or: the battle to analyse, as it stands."
    )
    level: int = Field(20, ge=0, le=20, description="AI strength 0–20.")
    searchTime: int = Field(1000, ge=100, le=10_000, description="Thinking time, ms.")

    @model_validator(mode="after")
    def _one_subject(self) -> AIActionRequest:
        if (self.battleId is None) == (self.state is None):
            raise rule_error("needs either battleId, or game and state")
        if self.state is not None and self.game is None:
            raise rule_error("needs game with state")
        return self


class Evaluation(BaseModel):
    score: int | float | None = Field(
        None, description="From the mover's side: chess centipawns (mate = ±100000), duel points."
    )
    depth: int | None = None
    pv: list[Any] = Field(default_factory=list, description="The expected line of play.")


class AIActionView(BaseModel):
    game: GameName
    battleId: str | None = None
    playerId: str | None = Field(None, description="Whose action it would be.")
    action: dict[str, Any] = Field(description="The chosen action; post it to play it.")
    bestMove: str | None = Field(None, description="Chess: the move in UCI notation.")
    evaluation: Evaluation

    @classmethod
    def of(cls, hint: Hint) -> AIActionView:
        return cls(
            game=hint.game,
            battleId=hint.battle_id,
            playerId=hint.player_id,
            action=hint.action,
            bestMove=hint.action.get("move"),
            evaluation=Evaluation(**hint.evaluation),
        )
