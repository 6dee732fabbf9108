"""Who is calling: the bearer token, checked on the routes that care.

``OAuth2PasswordBearer(tokenUrl="token")`` as in seed 000, so ``/docs`` shows the
Authorize button that signs in through ``POST /token``. A request without a token is
anonymous; a request with a bad one is refused rather than treated as anonymous.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from gambit.api.deps import Services
from gambit.services.errors import Unauthorized
from gambit.services.tokens import AccessClaims

bearer = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


async def optional_caller(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> AccessClaims | None:
    if token is None:
        return None
    services: Services = request.app.state.services
    return services.accounts.authenticate(token)


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
