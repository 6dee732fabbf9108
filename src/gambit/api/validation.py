"""Turning pydantic's validation errors into the plain words of seed 003.

``{"type": ["missing"], ...}`` becomes "Type is required"; ``level: 25`` becomes
"Level must be between 0 and 20". A body that is not JSON, or has values of the wrong
type, is an "invalid request body"; a body that breaks a field rule "validation failed".
No wording of pydantic's own ("Input should be ...", "Field required") is passed on:
every error type a request can meet has words here, and any other says only which
field is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

INVALID_BODY = "invalid request body"
VALIDATION_FAILED = "validation failed"

_DATETIME = "must be a date and time in ISO 8601, such as 2030-01-31T12:00:00Z"
_TYPE_ERRORS = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "int_parsing_size": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a number",
    "string_type": "must be a string",
    "string_unicode": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "mapping_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "set_type": "must be a list",
    "iterable_type": "must be a list",
    "uuid_type": "must be a UUID",
    "uuid_parsing": "must be a UUID",
    "uuid_version": "must be a UUID",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "none_required": "must be null",
}
_RULES = {
    "missing": "is required",
    "missing_argument": "is required",
    "extra_forbidden": "is not a field of this request",
    "unexpected_keyword_argument": "is not a field of this request",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be greater than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "multiple_of": "must be a multiple of {multiple_of}",
    "string_too_short": "must be at least {min_length} character{min_length_s}",
    "string_too_long": "must be at most {max_length} character{max_length_s}",
    "too_short": "must have at least {min_length} item{min_length_s}",
    "too_long": "must have at most {max_length} item{max_length_s}",
    "string_pattern_mismatch": "must match the pattern {pattern}",
    "timezone_aware": "must give its time zone, such as 2030-01-31T12:00:00Z",
    "rule": "{rule}",
}


def describe_errors(errors: Sequence[Mapping[str, Any]], body: Any = None) -> tuple[str, str]:
    """The error text and the details for a list of pydantic errors about a request whose
    body (parsed, if it could be) was ``body``."""
    body_type_error = False
    rules: dict[tuple[str | int, ...], list[str]] = {}
    body_problems: list[str] = []
    for error in errors:
        kind = error["type"]
        source, *location = error["loc"]
        if kind == "json_invalid":
            body_type_error = True
            body_problems.append("the body is not valid JSON")
            continue
        if source == "body" and not location:
            body_type_error = True
            body_problems.append(
                "the body is missing: send a JSON object"
                if kind == "missing"
                else "the body must be a JSON object"
            )
            continue
        path = tuple(_fields(location, body) if source == "body" else location[-1:])
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            path += (str(error["ctx"]["discriminator"]).strip("'"),)
        if kind in _TYPE_ERRORS and source == "body":
            body_type_error = True
        rules.setdefault(path, []).append(_rule(kind, error))
    messages = body_problems + [_sentence(path, said) for path, said in rules.items()]
    return (INVALID_BODY if body_type_error else VALIDATION_FAILED), "; ".join(messages)


def _fields(location: Sequence[str | int], body: Any) -> list[str | int]:
    """The fields of the request a body error's location names. pydantic puts the
    members of a union in its locations too (``dict[str,any]``, a discriminator's tag):
    following the body itself leaves them out. Without the body, every name counts."""
    if body is None:
        return list(location)
    fields: list[str | int] = []
    value = body
    for position, part in enumerate(location):
        last = position == len(location) - 1
        if isinstance(value, Mapping) and isinstance(part, str) and (part in value or last):
            fields.append(part)
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            fields.append(part)
            value = value[part]
    return fields


def _rule(kind: str, error: Mapping[str, Any]) -> str:
    context = dict(error.get("ctx") or {})
    if kind in ("literal_error", "enum", "union_tag_invalid"):
        expected = str(context.get("expected") or context.get("expected_tags") or "")
        choices = re.split(r", | or ", expected)
        return "must be one of [" + " ".join(c.strip("'") for c in choices) + "]"
    if kind == "union_tag_not_found":
        return "is required"
    if kind in _RULES:
        for bound in ("min_length", "max_length"):
            context[f"{bound}_s"] = "" if context.get(bound) == 1 else "s"
        return _RULES[kind].format(**context)
    if kind in _TYPE_ERRORS:
        return _TYPE_ERRORS[kind]
    if kind in ("value_error", "assertion_error") and context.get("error"):
        return f"is not valid: {context['error']}"  # gambit's own validators' words
    return "is not valid"


def _sentence(path: Sequence[str | int], rules: list[str]) -> str:
    """ "Level must be at most 20 (black.level)": the field, what it must be, and where
    it is when it is nested. Several rules for one field (the members of a union) are
    alternatives: "State must be an object or a string"."""
    names = [part for part in path if isinstance(part, str)]
    name = names[-1] if names else "the body"
    name = name[:1].upper() + name[1:]
    where = f" ({_dotted(path)})" if len(path) > 1 else ""
    if len(rules) > 1 and all(rule.startswith("must be ") for rule in rules):
        rules = ["must be " + " or ".join(rule.removeprefix("must be ") for rule in rules)]
    return "; ".join(f"{name} {rule}{where}" for rule in dict.fromkeys(rules))


def _dotted(path: Sequence[str | int]) -> str:
    """``participants[0].level``"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text
