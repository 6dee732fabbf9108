"""pydantic's errors in a person's words: which field, what it must be, where it is."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from gambit.api.schemas.battles import AIActionRequest, CreateBattleRequest
from gambit.api.schemas.common import JsonModel
from gambit.api.validation import INVALID_BODY, VALIDATION_FAILED, describe_errors


def described(model: type[BaseModel], body: Any) -> tuple[str, str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    errors = [{**error, "loc": ("body", *error["loc"])} for error in refused.value.errors()]
    return describe_errors(errors, body)


def test_the_members_of_a_union_are_alternatives_not_fields() -> None:
    body = {"game": "chess", "state": 5}
    assert described(AIActionRequest, body) == (INVALID_BODY, "State must be an object or a string")


def test_a_discriminated_union_names_its_tag_and_the_item() -> None:
    body = {"game": "duel", "seats": [{"type": "robot"}, {}, {"type": "ai", "level": 30}]}
    assert described(CreateBattleRequest, body) == (
        VALIDATION_FAILED,
        "Type must be one of [human ai] (seats[0].type); Type is required (seats[1].type); "
        "Level must be between 0 and 20 (seats[2].level)",
    )


class Named(JsonModel):
    name: str

    @field_validator("name")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        if " " in value:
            raise ValueError("a name has no spaces")
        return value


def test_a_value_error_keeps_its_own_words_without_pydantics() -> None:
    assert described(Named, {"name": "a b"}) == (
        VALIDATION_FAILED,
        "Name is not valid: a name has no spaces",
    )


def test_an_error_without_words_of_its_own_never_shows_pydantics() -> None:
    error = {"type": "url_parsing", "loc": ("body", "site"), "msg": "Input should be a valid URL"}
    assert describe_errors([error], {"site": "x"}) == (VALIDATION_FAILED, "Site is not valid")


def test_counts_agree_with_their_nouns() -> None:
    one = {"type": "string_too_short", "loc": ("query", "q"), "ctx": {"min_length": 1}}
    two = {"type": "too_short", "loc": ("body", "seats"), "ctx": {"min_length": 2}}
    assert describe_errors([one, two], {"seats": []})[1] == (
        "Q must be at least 1 character; Seats must have at least 2 items"
    )


def test_without_the_body_every_name_of_the_location_counts() -> None:
    error = {"type": "missing", "loc": ("body", "white", "type")}
    assert describe_errors([error]) == (VALIDATION_FAILED, "Type is required (white.type)")
