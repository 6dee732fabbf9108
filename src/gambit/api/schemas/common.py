"""Models shared by every endpoint: the request base, the error envelope, the health report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from gambit.ai.engine import MAX_LEVEL, MIN_LEVEL

MIN_SEARCH_TIME_MS, MAX_SEARCH_TIME_MS = 100, 10_000
MIN_CONTEST_SEARCH_TIME_MS = 10  # engine matches play many fast games


class JsonModel(BaseModel):
    """A request body: JSON types are not coerced ("1" is not 1), unknown keys are ignored."""

    model_config = ConfigDict(strict=True)


def rule_error(rule: str) -> PydanticCustomError:
    """A validation error that reads "<Field> <rule>" in the error details."""
    return PydanticCustomError("rule", "{rule}", {"rule": rule})


def _between(low: int, high: int, unit: str = "") -> BeforeValidator:
    """Refuses a whole number outside ``low``..``high`` naming both ends, before pydantic's
    own rule (which still checks the type, and documents the range) would name only the
    end that was crossed."""

    def check(value: Any) -> Any:
        if type(value) is int and not low <= value <= high:  # bools are no numbers here
            raise rule_error(f"must be between {low} and {high}{unit}")
        return value

    return BeforeValidator(check)


Level = Annotated[int, Field(ge=MIN_LEVEL, le=MAX_LEVEL), _between(MIN_LEVEL, MAX_LEVEL)]
"""An AI's strength."""
SearchTime = Annotated[
    int,
    Field(ge=MIN_SEARCH_TIME_MS, le=MAX_SEARCH_TIME_MS),
    _between(MIN_SEARCH_TIME_MS, MAX_SEARCH_TIME_MS, " ms"),
]
"""An AI's thinking time for one action, milliseconds."""
ContestSearchTime = Annotated[
    int,
    Field(ge=MIN_CONTEST_SEARCH_TIME_MS, le=MAX_SEARCH_TIME_MS),
    _between(MIN_CONTEST_SEARCH_TIME_MS, MAX_SEARCH_TIME_MS, " ms"),
]
"""A tournament engine's thinking time for one move, milliseconds."""


class ErrorBody(BaseModel):
    """Every error's body: what went wrong, a code for programs, and the details."""

    error: str = Field(
        description="What went wrong, in a few words.", examples=["validation failed"]
    )
    message: str = Field(description="The same text as `error`, for clients that read this.")
    code: str = Field(description="A stable machine-readable code.", examples=["INVALID_REQUEST"])
    details: str = Field(description="More context: the field and rule, or the reason.")


StorageState = Literal["ok", "degraded"]
BusState = Literal["ok", "degraded"]
STORAGE_STATE = (
    "`degraded` while the database cannot take writes (changes get 503 STORAGE_UNAVAILABLE "
    "meanwhile); back to `ok` by itself once it can."
)
BUS_STATE = (
    "`degraded` while Redis is unreachable: events may not reach other processes, and "
    "rate limits and failed logins are counted per process."
)


class Health(BaseModel):
    status: Literal["healthy"] = Field(description="Always `healthy` when the server answers.")
    time: int = Field(description="Server time, Unix seconds.")
    storage: StorageState = Field(description=STORAGE_STATE)
    bus: BusState = Field(description=BUS_STATE)
    engine: str = Field(description="The chess engine playing computer moves, with its version.")


class Readiness(BaseModel):
    """Whether this process should get traffic, for load balancers."""

    ready: bool = Field(description="True when storage and bus are both `ok`.")
    storage: StorageState = Field(description=STORAGE_STATE)
    bus: BusState = Field(description=BUS_STATE)


ErrorResponses = dict[int | str, dict[str, Any]]


def error_responses(descriptions: Mapping[int, str]) -> Callable[..., ErrorResponses]:
    """A router's OpenAPI error table: ``responses(400, 404)`` documents those two statuses."""

    def responses(*statuses: int) -> ErrorResponses:
        return {
            status: {"model": ErrorBody, "description": descriptions[status]} for status in statuses
        }

    return responses
