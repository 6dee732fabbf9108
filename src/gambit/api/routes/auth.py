"""Accounts and tokens: ``/auth/*`` of both seeds and seed 000's OAuth2 ``/token``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from gambit.api.auth import Caller
from gambit.api.deps import AccountsDep, ServicesDep
from gambit.api.net import client_address
from gambit.api.routing import FormRoute, JsonRoute
from gambit.api.schemas.auth import (
    AuthResponse,
    LoginRequest,
    LogoutRequest,
    Me,
    OAuth2Token,
    RefreshRequest,
    RegisterRequest,
)
from gambit.api.schemas.common import error_responses

router = APIRouter(tags=["accounts"], route_class=JsonRoute)
# POST /token takes a form, so it is not a JSON route.
form_router = APIRouter(tags=["accounts"], route_class=FormRoute)


_errors = error_responses(
    {
        400: "Invalid body: see `details` for the field and rule.",
        401: "Wrong credentials, or a missing, invalid, expired or revoked token.",
        409: "The username or email is taken (`CONFLICT`).",
        415: "The body is not `application/json`.",
        429: "Rate limit or failed-login lock; see `Retry-After`.",
    }
)


@router.post(
    "/auth/register",
    status_code=201,
    summary="Create an account",
    response_model=AuthResponse,
    responses=_errors(400, 409, 415, 429),
)
async def register(body: RegisterRequest, accounts: AccountsDep) -> AuthResponse:
    """Create an account and sign it in: the answer holds an access token to send as
    `Authorization: Bearer` and a refresh token to renew it. The email is optional."""
    session = await accounts.register(body.username, body.email or None, body.password)
    return AuthResponse.of(session)


@router.post(
    "/auth/login",
    summary="Sign in",
    response_model=AuthResponse,
    responses=_errors(400, 401, 415, 429),
)
async def login(
    body: LoginRequest, request: Request, accounts: AccountsDep, services: ServicesDep
) -> AuthResponse:
    """Sign in with a username or email (`identifier`, or `username`) and the password.

    Repeated failures slow down and then lock further tries from the same address.
    """
    address = client_address(request.scope, services.settings.trusted_proxies)
    return AuthResponse.of(await accounts.login(body.login, body.password, address))


@form_router.post(
    "/token",
    summary="Sign in (OAuth2 password flow)",
    response_model=OAuth2Token,
    responses=_errors(400, 401, 429),
)
async def token(
    username: Annotated[
        str, Form(max_length=254, description="Username or email.", examples=["alice"])
    ],
    password: Annotated[
        str, Form(max_length=1024, description="The password.", examples=["SecurePass123"])
    ],
    request: Request,
    accounts: AccountsDep,
    services: ServicesDep,
) -> OAuth2Token:
    """Sign in with the form `username=…&password=…` (`application/x-www-form-urlencoded`),
    as the **Authorize** button of this page does, and get an access token and a refresh
    token in OAuth2's words. The same account, limits and lock as `/auth/login`."""
    address = client_address(request.scope, services.settings.trusted_proxies)
    session = await accounts.login(username, password, address)
    return OAuth2Token(
        access_token=session.access_token,
        expires_in=session.expires_in,
        refresh_token=session.refresh_token,
    )


@router.post(
    "/auth/refresh",
    summary="Trade a refresh token for a new pair",
    response_model=AuthResponse,
    responses=_errors(400, 401, 415, 429),
)
async def refresh(body: RefreshRequest, accounts: AccountsDep) -> AuthResponse:
    """Send the refresh token of a sign-in and get a new access token and a new refresh
    token. Each refresh token works once: showing a spent one again signs that login out
    everywhere, as it must have leaked."""
    return AuthResponse.of(await accounts.refresh(body.refreshToken))


@router.post(
    "/auth/logout",
    status_code=204,
    summary="Sign out",
    responses=_errors(400, 401, 415, 429),
)
async def logout(
    caller: Caller, accounts: AccountsDep, body: LogoutRequest | None = None
) -> Response:
    """Sign out: this access token stops working at once, and so does the refresh token
    of its login (with `refreshToken`, the login of that refresh token instead). The body
    is optional; a personal API token signing out is revoked."""
    await accounts.logout(caller, body.refreshToken if body else None)
    return Response(status_code=204)


@router.get("/auth/me", summary="Who am I", response_model=Me, responses=_errors(401, 429))
async def me(caller: Caller, accounts: AccountsDep) -> Me:
    """The account the token belongs to: a quick check that a token works."""
    return Me.of(await accounts.signed_in_user(caller))
