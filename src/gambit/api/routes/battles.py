"""The battle face of seed 000: ``/battles`` for chess and duel."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from gambit.api.auth import Caller, OptionalCaller, caller_id
from gambit.api.deps import ArenaDep
from gambit.api.routing import BattleRoute
from gambit.api.schemas.battles import (
    ActionRequest,
    BattlePage,
    BattleView,
    CreateBattleRequest,
)
from gambit.api.schemas.common import error_responses
from gambit.games.battle import BattleStatus
from gambit.services.arena import Entrant

router = APIRouter(prefix="/battles", tags=["battles"], route_class=BattleRoute)

BattleId = Annotated[uuid.UUID, Path(alias="battleId", description="The battle's id.")]


_errors = error_responses(
    {
        400: "Invalid body, options or action (`INVALID_ACTION` says why); game over.",
        401: "Missing, invalid, expired or revoked token.",
        403: "You have no seat in this battle (`FORBIDDEN`).",
        404: "No battle with this id (`BATTLE_NOT_FOUND`).",
        409: "Full, started or already seated (`CONFLICT`); not your turn (`NOT_YOUR_TURN`).",
        415: "The body is not `application/json`.",
        429: "Rate limit exceeded; see `Retry-After`.",
    }
)


@router.post(
    "",
    status_code=201,
    summary="Create a battle",
    response_model=BattleView,
    responses=_errors(400, 401, 415, 429),
)
async def create_battle(body: CreateBattleRequest, caller: Caller, arena: ArenaDep) -> BattleView:
    """Start a battle of `chess` (2 seats) or `duel` (2 to 4 seats). You take the first
    human seat; other human seats wait for players to `join`; AI seats play by themselves."""
    options = body.options.for_rules() if body.options else {}
    battle = await arena.create(
        body.game, body.seat_specs(), options, Entrant(caller.user_id, caller.username)
    )
    return BattleView.of(battle, arena.legal_actions(battle, caller.user_id))


@router.get(
    "",
    summary="List battles",
    response_model=BattlePage,
    responses=_errors(400, 429),
)
async def list_battles(
    arena: ArenaDep,
    status: Annotated[
        BattleStatus | None, Query(description="Only battles WAITING, ACTIVE or FINISHED.")
    ] = None,
    game: Annotated[
        str | None, Query(pattern="^(chess|duel)$", description="Only `chess` or `duel`.")
    ] = None,
    user_id: Annotated[
        uuid.UUID | None, Query(alias="userId", description="Only battles this user sits in.")
    ] = None,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="The `nextCursor` of the page before, for the next."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Battles per page, 1–100.")] = 20,
) -> BattlePage:
    """Battles, newest first, a page at a time. Without filters: the battles waiting for
    a player to join."""
    battles, next_cursor = await arena.page(
        status=status,
        game=game,
        user_id=str(user_id) if user_id else None,
        cursor=cursor,
        limit=limit,
    )
    return BattlePage(battles=[BattleView.of(b) for b in battles], nextCursor=next_cursor)


@router.get(
    "/{battleId}",
    summary="A battle, with your legal actions on your turn",
    response_model=BattleView,
    responses=_errors(400, 401, 404, 429),
)
async def get_battle(battle_id: BattleId, arena: ArenaDep, caller: OptionalCaller) -> BattleView:
    """The battle: its players, options and state. Signed in as the player to act, you
    also get `legalActions`, each of which you may post back as it is."""
    battle = await arena.get(str(battle_id))
    return BattleView.of(battle, arena.legal_actions(battle, caller_id(caller)))


@router.post(
    "/{battleId}/join",
    summary="Take a free seat",
    response_model=BattleView,
    responses=_errors(400, 401, 404, 409, 429),
)
async def join_battle(battle_id: BattleId, arena: ArenaDep, caller: Caller) -> BattleView:
    """Sit down in the next open human seat of a battle that is WAITING; once every seat
    is taken the battle starts (ACTIVE)."""
    battle = await arena.join(str(battle_id), Entrant(caller.user_id, caller.username))
    return BattleView.of(battle, arena.legal_actions(battle, caller.user_id))


@router.post(
    "/{battleId}/actions",
    summary="Take your turn",
    response_model=BattleView,
    responses=_errors(400, 401, 403, 404, 409, 415, 429),
)
async def act(
    battle_id: BattleId, body: ActionRequest, arena: ArenaDep, caller: Caller
) -> BattleView:
    """Play your turn: post one of your `legalActions` as `{"action": …}`. The answer is
    the battle after it, AI seats' replies still to come (watch the WebSocket, or get the
    battle again)."""
    battle = await arena.act(str(battle_id), caller.user_id, body.action)
    return BattleView.of(battle, arena.legal_actions(battle, caller.user_id))


@router.post(
    "/{battleId}/forfeit",
    summary="Give up",
    response_model=BattleView,
    responses=_errors(400, 401, 403, 404, 409, 429),
)
async def forfeit(battle_id: BattleId, arena: ArenaDep, caller: Caller) -> BattleView:
    """Give up: you lose; with more than two players the battle goes on without you."""
    return BattleView.of(await arena.forfeit(str(battle_id), caller.user_id))
