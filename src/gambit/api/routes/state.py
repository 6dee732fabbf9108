"""Game state, history and replays (``/state…``), and seed 000's usage paths
``/game/state`` and ``/ai/action``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from gambit.api.auth import Caller, OptionalCaller, caller_id
from gambit.api.deps import ArenaDep, ServicesDep
from gambit.api.routing import BattleRoute
from gambit.api.schemas.battles import (
    ActionView,
    AIActionRequest,
    AIActionView,
    BattleView,
    GameActionRequest,
    GameState,
    Replay,
    StateHistory,
    game_state,
)
from gambit.api.schemas.common import error_responses
from gambit.services.replays import steps

router = APIRouter(prefix="/state", tags=["state"], route_class=BattleRoute)
usage_router = APIRouter(tags=["state"], route_class=BattleRoute)

ChosenBattle = Annotated[
    uuid.UUID | None,
    Query(alias="battleId", description="The battle; by default your most recently active one."),
]

_errors = error_responses(
    {
        400: "Invalid id, body, state or action (`INVALID_ACTION` says why); game over.",
        401: "No battleId and no token, or a missing, invalid, expired or revoked token.",
        403: "You have no seat in this battle (`FORBIDDEN`).",
        404: "No such battle, or you have no active battle (`BATTLE_NOT_FOUND`).",
        409: "Not your turn (`NOT_YOUR_TURN`).",
        415: "The body is not `application/json`.",
        429: "Rate limit exceeded; see `Retry-After`.",
        503: "The engine could not answer (`ENGINE_ERROR`).",
    }
)


def _id(battle_id: uuid.UUID | None) -> str | None:
    return str(battle_id) if battle_id else None


@router.get(
    "",
    summary="Current game state",
    response_model=GameState,
    responses=_errors(400, 401, 404, 429),
)
async def get_state(
    arena: ArenaDep, caller: OptionalCaller, battle_id: ChosenBattle = None
) -> GameState:
    """The state of `battleId`, or of your most recently active battle."""
    return game_state(await arena.current(caller_id(caller), _id(battle_id)))


@router.get(
    "/history",
    summary="Every state of a battle",
    response_model=StateHistory,
    responses=_errors(400, 401, 404, 429),
)
async def get_history(
    arena: ArenaDep, caller: OptionalCaller, battle_id: ChosenBattle = None
) -> StateHistory:
    """The start, then one state per action, re-simulated from the battle's log."""
    battle = await arena.current(caller_id(caller), _id(battle_id))
    return StateHistory(
        battleId=battle.id, states=[game_state(battle, step) for step in steps(battle)]
    )


@router.get(
    "/replay/{battleId}",
    summary="A battle's replay",
    response_model=Replay,
    responses=_errors(400, 404, 429),
)
async def get_replay(
    battle_id: Annotated[uuid.UUID, Path(alias="battleId")], services: ServicesDep
) -> Replay:
    """The header, the initial state, the ordered action log and the result; for chess
    also the PGN. Replaying the log on the initial state gives every state of
    `/state/history`."""
    battle = await services.arena.get(str(battle_id))
    view = BattleView.of(battle)
    initial = game_state(battle, next(steps(battle)))
    return Replay(
        battle=view,
        initialState=initial,
        actions=[ActionView.of(battle, record) for record in battle.actions],
        result=view.state.result,
        pgn=await services.replays.pgn(battle),
    )


usage_router.add_api_route(
    "/game/state",
    get_state,
    methods=["GET"],
    summary="Current game state (the same, at `/game/state`)",
    description="The same as `GET /state`.",
    response_model=GameState,
    responses=_errors(400, 401, 404, 429),
)


@usage_router.post(
    "/game/state",
    summary="Act in your current battle",
    response_model=GameState,
    responses=_errors(400, 401, 403, 404, 409, 415, 429),
)
async def post_game_state(body: GameActionRequest, arena: ArenaDep, caller: Caller) -> GameState:
    """Your turn in `battleId`, or in your most recently active battle: the same action
    and rules as `POST /battles/{battleId}/actions`. Answers the new state."""
    battle = await arena.current(caller.user_id, _id(body.battleId))
    return game_state(await arena.act(battle.id, caller.user_id, body.action))


@usage_router.post(
    "/ai/action",
    summary="Ask the AI for an action",
    response_model=AIActionView,
    responses=_errors(400, 401, 404, 415, 429, 503),
)
async def ai_action(body: AIActionRequest, services: ServicesDep, caller: Caller) -> AIActionView:
    """What the AI would play in a battle (`battleId`) or a position (`game` and
    `state`), with its evaluation, without playing it: hints, analysis, agents."""
    analysis = services.analysis
    if body.battleId is not None:
        hint = await analysis.of_battle(str(body.battleId), body.level, body.searchTime)
    else:
        assert body.game is not None
        assert body.state is not None
        hint = await analysis.of_position(body.game, body.state, body.level, body.searchTime)
    return AIActionView.of(hint)
