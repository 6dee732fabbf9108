"""Models shared by every endpoint: the request base, the error envelope, the health report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError


class JsonModel(BaseModel):
    """A request body: JSON types are not coerced ("1" is not 1), unknown keys are ignored."""

    model_config = ConfigDict(strict=True)


def rule_error(rule: str) -> PydanticCustomError:
    """A validation error that reads "<Field> <rule>" in the error details."""
    return PydanticCustomError("rule", "{rule}", {"rule": rule})


class ErrorBody(BaseModel):
    """Every error body: what went wrong (`error`, again as `message`), a code, details."""

    error: str = Field(
        description="What went wrong, in a few words.", examples=["validation failed"]
    )
    message: str = Field(description="The same text as `error`, for clients that read `message`.")
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
    status: Literal["healthy"]
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
