"""Turning pydantic's validation errors into the plain words of seed 003.

``{"type": ["missing"], ...}`` becomes "Type is required"; ``level: 25`` becomes
"Level must be at most 20". A body that is not JSON, or has values of the wrong
type, is an "invalid request body"; a body that breaks a field rule "validation failed".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

INVALID_BODY = "invalid request body"
VALIDATION_FAILED = "validation failed"

_TYPE_ERRORS = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "uuid_type": "must be a UUID",
    "uuid_parsing": "must be a UUID",
}
_RULES = {
    "missing": "is required",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be greater than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "string_too_short": "must be at least {min_length} characters",
    "string_too_long": "must be at most {max_length} characters",
    "rule": "{rule}",
}


def describe_errors(errors: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """The error text and the details for a list of pydantic errors."""
    body_type_error = False
    messages = []
    for error in errors:
        kind = error["type"]
        location = [str(part) for part in error["loc"] if not isinstance(part, int)]
        if kind == "json_invalid":
            body_type_error = True
            messages.append("the body is not valid JSON")
            continue
        if location == ["body"]:
            body_type_error = True
            messages.append("the body must be a JSON object")
            continue
        if kind in _TYPE_ERRORS and location[:1] == ["body"]:
            body_type_error = True
        messages.append(_describe(kind, location[1:] or location, error))
    return (INVALID_BODY if body_type_error else VALIDATION_FAILED), "; ".join(messages)


def _describe(kind: str, fields: list[str], error: dict[str, Any]) -> str:
    name = fields[-1][:1].upper() + fields[-1][1:]
    where = f" ({'.'.join(fields)})" if len(fields) > 1 else ""
    context = error.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        choices = re.split(r", | or ", str(context.get("expected", "")))
        rule = "must be one of [" + " ".join(c.strip("'") for c in choices) + "]"
    elif kind in _RULES:
        rule = _RULES[kind].format(**context)
    elif kind in _TYPE_ERRORS:
        rule = _TYPE_ERRORS[kind]
    else:
        rule = "is invalid: " + str(error.get("msg", kind))
    return f"{name} {rule}{where}"
