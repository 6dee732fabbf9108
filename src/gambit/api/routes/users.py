"""Profiles and records: ``/users/me``, the public ``/users/{id}``, and finding a user by name."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from gambit.api.auth import Caller
from gambit.api.deps import AccountsDep, ServicesDep
from gambit.api.routing import JsonRoute
from gambit.api.schemas.common import error_responses
from gambit.api.schemas.users import Profile, PublicUser, UpdateMeRequest, UserStats

router = APIRouter(prefix="/users", tags=["users"], route_class=JsonRoute)

UserId = Annotated[uuid.UUID, Path(alias="userId", description="The user's id (a UUID).")]


_errors = error_responses(
    {
        400: "Invalid body or id: see `details`.",
        401: "Missing, invalid, expired or revoked token; or wrong `currentPassword`.",
        404: "No user with this id (`NOT_FOUND`).",
        409: "The email is taken (`CONFLICT`).",
        415: "The body is not `application/json`.",
        429: "Rate limit exceeded; see `Retry-After`.",
    }
)


@router.get("/me", summary="My profile", response_model=Profile, responses=_errors(401, 429))
async def get_me(caller: Caller, accounts: AccountsDep, services: ServicesDep) -> Profile:
    """Your own profile: what others see, plus your email, last sign-in and record."""
    user = await accounts.signed_in_user(caller)
    return Profile.of_user(user, await services.stats.of(user.id))


@router.patch(
    "/me",
    summary="Change my profile",
    response_model=Profile,
    responses=_errors(400, 401, 409, 415, 429),
)
async def update_me(
    body: UpdateMeRequest, caller: Caller, accounts: AccountsDep, services: ServicesDep
) -> Profile:
    """Change `displayName` (`""` clears it), `email`, or `password` (with
    `currentPassword`; every other login is then signed out)."""
    user = await accounts.update_profile(
        caller,
        display_name=body.displayName,
        email=body.email,
        password=body.password,
        current_password=body.currentPassword,
    )
    return Profile.of_user(user, await services.stats.of(user.id))


@router.get(
    "",
    summary="Find a user by name",
    response_model=PublicUser,
    responses=_errors(400, 404, 429),
)
async def find_user(
    username: Annotated[
        str, Query(min_length=1, max_length=40, description="The username, in any case.")
    ],
    accounts: AccountsDep,
) -> PublicUser:
    """The public profile of the user called ``username``: how a client turns a name
    someone typed into the user id the rest of the API takes."""
    return PublicUser.of(await accounts.by_name(username))


@router.get(
    "/{userId}",
    summary="A user's public profile",
    response_model=PublicUser,
    responses=_errors(400, 404, 429),
)
async def get_user(user_id: UserId, accounts: AccountsDep) -> PublicUser:
    """What anyone may see of a user: name, display name, when they joined."""
    return PublicUser.of(await accounts.user(str(user_id)))


@router.get(
    "/{userId}/stats",
    summary="A user's record per game",
    response_model=UserStats,
    responses=_errors(400, 404, 429),
)
async def get_user_stats(
    user_id: UserId, accounts: AccountsDep, services: ServicesDep
) -> UserStats:
    """Games played, won, lost and drawn, and the Glicko-2 rating, per game and per speed."""
    user = await accounts.user(str(user_id))
    return UserStats.of(user.id, await services.stats.of(user.id))
