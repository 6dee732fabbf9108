"""Bodies of the battle face (seed 000): battles, their players and game states."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from gambit.api.schemas.common import JsonModel, rule_error
from gambit.games.battle import ActionRecord, Battle, SeatKind, to_public
from gambit.games.clock import (
    CLOCK,
    DAYS,
    MAX_INCREMENT_SECONDS,
    MAX_LIMIT_SECONDS,
    START_SECONDS,
    Clock,
)
from gambit.services.analysis import Hint
from gambit.services.arena import SeatSpec
from gambit.services.clock import TURN_SECONDS
from gambit.services.replays import Step, current_step

GameName = Literal["chess", "duel"]  # the keys of gambit.games.RULESETS
Speed = Literal[  # gambit.games.clock.SPEEDS
    "untimed", "ultraBullet", "bullet", "blitz", "rapid", "classical", "correspondence"
]
Days = Literal[1, 2, 3, 5, 7, 10, 14]  # gambit.games.clock.DAYS_CHOICES
TIME_LIMITS = (TURN_SECONDS, CLOCK, DAYS)  # a battle has one kind of time limit at most


class HumanSeat(JsonModel):
    type: Literal["human"]


class AISeat(JsonModel):
    type: Literal["ai"]
    level: int = Field(10, ge=0, le=20, description="Strength 0–20.")
    searchTime: int = Field(1000, ge=100, le=10_000, description="Thinking time, ms.")


SeatRequest = Annotated[HumanSeat | AISeat, Field(discriminator="type")]


class ClockOption(JsonModel):
    """A real-time clock, in lichess's units."""

    limit: int = Field(
        ge=0, le=MAX_LIMIT_SECONDS, description="Each side's starting time, seconds (may be 0)."
    )
    increment: int = Field(
        0, ge=0, le=MAX_INCREMENT_SECONDS, description="Seconds added after each own move."
    )

    @model_validator(mode="after")
    def _some_time(self) -> ClockOption:
        if self.limit == self.increment == 0:
            raise rule_error("needs a limit or an increment above 0")
        return self


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
    clock: ClockOption | None = Field(
        None,
        description="A time control, lichess's rules: the clock runs once every side has "
        f"moved (a first move must come within {START_SECONDS} s or the game is aborted); "
        "a move costs its time, then earns the increment; who runs out of time loses "
        "(chess: a draw if the opponent cannot mate; duel: is out). AI seats are timed too.",
    )
    days: Days | None = Field(
        None,
        description="Correspondence: days for each move (a first move too, or the game is "
        "aborted); who runs out loses as with `clock`.",
    )

    @model_validator(mode="after")
    def _one_time_limit(self) -> BattleOptions:
        chosen = [name for name in TIME_LIMITS if getattr(self, name) is not None]
        if len(chosen) > 1:
            raise rule_error(
                f"can have only one of {', '.join(TIME_LIMITS)}; this battle asks for "
                + " and ".join(chosen)
            )
        return self

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


class ClockView(BaseModel):
    """A time control and each seat's remaining time. The seat `running` has
    `remaining[running] - (now - at)` ms left now; the others' times stand still."""

    limit: int | None = Field(description="Starting time, seconds; null for correspondence.")
    increment: int | None = Field(description="Seconds added per move; null likewise.")
    days: int | None = Field(description="Correspondence: days per move; else null.")
    remaining: list[int] = Field(description="Milliseconds left per seat, measured at `at`.")
    running: int | None = Field(
        description="The seat whose time is running; null before every seat has moved "
        "(the first move has its own limit) and once the battle is over."
    )
    at: int = Field(description="Epoch milliseconds `remaining` was measured at.")

    @classmethod
    def of(cls, clock: Clock) -> ClockView:
        control, real_time = clock.control, clock.control.days is None
        return cls(
            limit=control.limit if real_time else None,
            increment=control.increment if real_time else None,
            days=control.days,
            remaining=list(clock.remaining),
            running=clock.running,
            at=clock.at,
        )


class GameState(BaseModel):
    """A battle's state: whose turn, the players' states; chess adds `fen` and `moves`, a
    time control `clock`."""

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
    clock: ClockView | None = Field(
        None,
        description="The time control's clock as the battle stands; null without a time "
        "control, and in earlier states of a history.",
    )


class BattleView(BaseModel):
    id: str
    game: GameName
    players: list[PlayerView]
    options: dict[str, Any] = Field(
        description="The options it was created with (`size`, `turnSeconds`, `clock`, …)."
    )
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
            options={k: v for k, v in battle.options.items() if k in BattleOptions.model_fields},
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
    now = step.seq == len(battle.actions)
    return GameState(
        battleId=battle.id,
        status=step.status.value,
        lastAction=last,
        result=result,
        round=view.round,
        currentTurn=None if finished else ids[battle.ruleset.to_move(step.state)],
        players=view.players,
        clock=ClockView.of(battle.clock) if battle.clock and now else None,
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
