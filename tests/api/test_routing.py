import pytest

from gambit.api.routing import is_json


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/merge-patch+json", True),
        (" application/json ;charset=utf-8", True),
        ("text/json", False),
        ("application/jsonp", False),
        ("application/x-www-form-urlencoded", False),
        ("json", False),
        ("", False),
        (None, False),
    ],
)
def test_is_json(content_type: str | None, expected: bool) -> None:
    assert is_json(content_type) is expected
