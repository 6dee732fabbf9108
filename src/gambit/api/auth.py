"""Who is calling: the bearer token, checked on the routes that care.

``OAuth2PasswordBearer(tokenUrl="token")`` as in seed 000, so ``/docs`` shows the
Authorize button that signs in through ``POST /token``. A request without a token is
anonymous; a request with a bad one is refused rather than treated as anonymous.

The token is a session's JWT or a personal API token. Scopes matter to the lichess
routes alone: ``requires_scope`` refuses a personal token without one of the scopes
lichess lists for the route (a session's JWT has them all); `BotCaller` and `BoardCaller`
also keep bots on the Bot API and people on the Board API, as lichess does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from gambit.api.deps import AccountsDep, Services
from gambit.services.errors import Forbidden, InvalidRequest, Unauthorized
from gambit.services.tokens import AccessClaims

bearer = OAuth2PasswordBearer(
    tokenUrl="token",
    auto_error=False,
    scheme_name="UserToken",
    description="Your token, sent as `Authorization: Bearer <token>`. Sign in here with "
    "your username (or email) and password, or send a token you hold: the `token` of "
    "`/auth/register`, `/auth/login` or `/auth/refresh`, or a personal API token (`gbt_…`) "
    "made at `POST /account/tokens`, which acts as you everywhere and also carries the "
    "scopes the lichess routes ask for.",
)


async def optional_caller(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> AccessClaims | None:
    if token is None:
        return None
    services: Services = request.app.state.services
    return await services.accounts.authenticate(token)


async def required_caller(
    caller: Annotated[AccessClaims | None, Depends(optional_caller)],
) -> AccessClaims:
    if caller is None:
        raise Unauthorized("not signed in", "send Authorization: Bearer <token>")
    return caller


OptionalCaller = Annotated[AccessClaims | None, Depends(optional_caller)]
Caller = Annotated[AccessClaims, Depends(required_caller)]


def caller_id(caller: AccessClaims | None) -> str | None:
    return None if caller is None else caller.user_id


def requires_scope(scope: str, *alternatives: str) -> Any:
    """The caller, if their token carries ``scope`` or one of ``alternatives`` (lichess's
    spec lists them as ``OAuth2: [a, b, c]``: any one will do):
    ``caller: Annotated[AccessClaims, requires_scope("challenge:write", "bot:play")]``."""
    accepted = (scope, *alternatives)

    async def scoped(caller: Caller) -> AccessClaims:
        if not any(caller.has_scope(one) for one in accepted):
            wanted = " or ".join(accepted)
            raise Forbidden("Missing scope", f"this endpoint needs a token with {wanted}")
        return caller

    return Depends(scoped)


async def _bot_caller(
    caller: Annotated[AccessClaims, requires_scope("bot:play")], accounts: AccountsDep
) -> AccessClaims:
    if not await accounts.is_bot(caller.user_id):
        raise InvalidRequest("This endpoint can only be used with a Bot account.")
    return caller


async def _board_caller(
    caller: Annotated[AccessClaims, requires_scope("board:play")], accounts: AccountsDep
) -> AccessClaims:
    if await accounts.is_bot(caller.user_id):
        raise InvalidRequest("This endpoint cannot be used with a Bot account.")
    return caller


BotCaller = Annotated[AccessClaims, Depends(_bot_caller)]
"""A bot account with a ``bot:play`` token: the caller of ``/api/bot/…``."""
BoardCaller = Annotated[AccessClaims, Depends(_board_caller)]
"""A person (not a bot) with a ``board:play`` token: the caller of ``/api/board/…``."""
PLAYERS = {"bot": _bot_caller, "board": _board_caller}
"""The caller of each of lichess's two play APIs, by its path segment."""
