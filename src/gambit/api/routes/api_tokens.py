"""Personal API tokens: ``/account/tokens``, made, listed and revoked by their user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from gambit.api.auth import Caller
from gambit.api.deps import AccountsDep
from gambit.api.routing import JsonRoute
from gambit.api.schemas.common import error_responses
from gambit.api.schemas.tokens import ApiTokenList, ApiTokenView, NewApiTokenView, NewTokenRequest

router = APIRouter(prefix="/account/tokens", tags=["accounts"], route_class=JsonRoute)

TokenId = Annotated[uuid.UUID, Path(alias="tokenId", description="The token's id.")]

_errors = error_responses(
    {
        400: "Invalid body or id: see `details`.",
        401: "Missing, invalid, expired or revoked token.",
        404: "You have no token with this id (`NOT_FOUND`).",
        415: "The body is not `application/json`.",
        429: "Rate limit exceeded; see `Retry-After`.",
    }
)


@router.post(
    "",
    status_code=201,
    summary="Create a personal API token",
    response_model=NewApiTokenView,
    responses=_errors(400, 401, 415, 429),
)
async def create_token(
    body: NewTokenRequest, caller: Caller, accounts: AccountsDep
) -> NewApiTokenView:
    """A long-lived token for bots and scripts (lichess-bot, berserk), sent as
    `Authorization: Bearer gbt_…`: shown in this answer only, so keep it. It acts as you
    on every endpoint; the lichess ones (`/api/…`) also need one of its scopes."""
    new = await accounts.api_tokens.create(
        caller.user_id, body.description, body.scopes, body.expiresAt
    )
    return NewApiTokenView.of_new(new)


@router.get(
    "",
    summary="My personal API tokens",
    response_model=ApiTokenList,
    responses=_errors(401, 429),
)
async def list_tokens(caller: Caller, accounts: AccountsDep) -> ApiTokenList:
    """Your personal API tokens, with their scopes and when each was last used; never the
    tokens themselves, which are shown once, when made."""
    tokens = await accounts.api_tokens.of(caller.user_id)
    return ApiTokenList(tokens=[ApiTokenView.of(token) for token in tokens])


@router.delete(
    "/{tokenId}",
    status_code=204,
    summary="Revoke a personal API token",
    responses=_errors(400, 401, 404, 429),
)
async def revoke_token(token_id: TokenId, caller: Caller, accounts: AccountsDep) -> Response:
    """The token stops working: at once on this server, within a second on every other
    server process."""
    await accounts.api_tokens.revoke(caller.user_id, str(token_id))
    return Response(status_code=204)
