"""``POST /system/announce``: the operator's messages to every connected client."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ConfigDict, Field

from gambit.api.deps import ServicesDep
from gambit.api.routing import JsonRoute
from gambit.api.schemas.common import JsonModel, error_responses
from gambit.bus import SYSTEM_TOPIC, Event
from gambit.services.errors import Forbidden, Unauthorized
from gambit.services.tokens import SYSTEM_SCOPE, Tokens

router = APIRouter(prefix="/system", tags=["system"], route_class=JsonRoute)
operator_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="OperatorToken",
    description="Not a user's token: the one-minute token `gambit system announce` signs "
    "with the server's key, for the operator.",
)

_errors = error_responses(
    {
        400: "Invalid body.",
        401: "No operator token, or an invalid or expired one.",
        403: "A user's token: announcements are for the operator.",
        415: "The body is not `application/json`.",
    }
)


class Announcement(JsonModel):
    event: Literal["maintenance", "error", "restart", "update"] = Field(
        description="Sent as `system:<event>`."
    )
    message: str = Field(min_length=1, max_length=1000, description="What clients show.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"event": "maintenance", "message": "Down at 18:00 UTC for 5 minutes"}]
        }
    )


class Announced(JsonModel):
    event: str = Field(description="The event sent, `system:<event>`.")
    message: str


async def operator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(operator_bearer)],
) -> None:
    if credentials is None:
        raise Unauthorized("operator token required", "use `gambit system announce`")
    tokens: Tokens = request.app.state.tokens
    if tokens.decode(credentials.credentials).scope != SYSTEM_SCOPE:
        raise Forbidden("announcements are for the operator")


@router.post(
    "/announce",
    status_code=202,
    summary="Announce to every WebSocket client",
    response_model=Announced,
    responses=_errors(400, 401, 403, 415),
    dependencies=[Depends(operator)],
)
async def announce(body: Announcement, services: ServicesDep) -> Announced:
    """Send `system:<event>` with the message to every WebSocket connection of every
    server process (through Redis when configured), for the operator alone: the token
    comes from `gambit system announce`, which signs it with the server's key."""
    name = f"system:{body.event}"
    await services.bus.publish(SYSTEM_TOPIC, Event(name, {"message": body.message}))
    return Announced(event=name, message=body.message)
