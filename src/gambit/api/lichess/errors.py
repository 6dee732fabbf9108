"""lichess's error shape, ``{"error": "..."}``, for every route of the lichess face.

A route made with `LichessRoute` answers its failures (service errors, invalid
parameters, storage outages, errors of its dependencies such as a missing scope) in
that shape instead of gambit's envelope; the status follows `LICHESS_ERRORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from gambit.api.errors import ApiError
from gambit.api.validation import describe_errors
from gambit.services import errors as service
from gambit.store.errors import StorageUnavailable

LICHESS_ERRORS: Mapping[type[service.ServiceError], int] = {
    service.Unauthorized: 401,
    service.Forbidden: 403,
    service.NotFound: 404,
    service.TooManyAttempts: 429,
    service.EngineFailed: 503,
}
"""The status of each service error on the lichess face; any other is a 400, as lichess
answers a request it refuses."""


class LichessError(BaseModel):
    """lichess's error body."""

    error: str = Field(description="The cause of the error.", examples=["Missing scope"])


def lichess_error(
    status: int, error: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def lichess_responses(descriptions: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI error table in lichess's shape."""
    return {
        status: {"model": LichessError, "description": text}
        for status, text in descriptions.items()
    }


PLAY_ERRORS = lichess_responses(
    {
        400: "A refused request: an illegal move, a game over, a bad field (lichess's wording).",
        401: "Missing, invalid, expired or revoked token.",
        403: "The token lacks the scope (`Missing scope`).",
        404: "No such game, challenge or user (or not yours).",
        429: "Too many requests; see Retry-After.",
        503: "The database cannot take the change right now; retry later.",
    }
)
"""The errors every play, challenge and stream route of the lichess face may answer."""


class Ok(BaseModel):
    """lichess's answer to an action that worked."""

    ok: bool = Field(True, description="Always true.")


def _service_error(exc: service.ServiceError) -> JSONResponse:
    status = next(
        (LICHESS_ERRORS[kind] for kind in type(exc).__mro__ if kind in LICHESS_ERRORS), 400
    )
    headers: dict[str, str] = {}
    if isinstance(exc, service.Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, service.TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    return lichess_error(status, exc.message, headers)


class LichessRoute(APIRoute):
    """A route of the lichess face: its errors in lichess's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer_as_lichess(request: Request) -> Response:
            try:
                return await handler(request)
            except service.ServiceError as exc:
                return _service_error(exc)
            except RequestValidationError as exc:
                error, details = describe_errors(exc.errors(), exc.body)
                return lichess_error(400, f"{error}: {details}" if details else error)
            except ApiError as exc:
                return lichess_error(exc.status, exc.error, exc.headers)
            except StorageUnavailable as exc:
                return lichess_error(
                    503,
                    "the change could not be stored; retry later",
                    {"Retry-After": str(exc.retry_after)},
                )

        return answer_as_lichess
