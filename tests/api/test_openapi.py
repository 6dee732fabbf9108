"""The OpenAPI schema a newcomer meets at /docs: every endpoint, its models and errors."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.helpers import FAST_COMPUTER, HUMAN, PASSWORD, bearer, register

CHESS_FACE = {
    ("post", "/api/v1/games"),
    ("get", "/api/v1/games/{gameId}"),
    ("delete", "/api/v1/games/{gameId}"),
    ("post", "/api/v1/games/{gameId}/moves"),
    ("post", "/api/v1/games/{gameId}/undo"),
    ("put", "/api/v1/games/{gameId}/players"),
    ("get", "/api/v1/games/{gameId}/board"),
    ("get", "/api/v1/health"),
}


ACCOUNTS = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/token"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/me"),
    ("get", "/api/v1/users/me"),
    ("patch", "/api/v1/users/me"),
    ("get", "/api/v1/users/{userId}"),
    ("get", "/api/v1/users/{userId}/stats"),
}

API_TOKENS = {
    ("post", "/api/v1/account/tokens"),
    ("get", "/api/v1/account/tokens"),
    ("delete", "/api/v1/account/tokens/{tokenId}"),
}
LICHESS_ACCOUNTS = {
    ("get", "/api/account"),
    ("get", "/api/account/playing"),
    ("get", "/api/user/{username}"),
    ("get", "/api/users/status"),
    ("get", "/api/bot/online"),
    ("post", "/api/bot/account/upgrade"),
    ("post", "/api/token/test"),
}


BATTLE_FACE = {
    ("post", "/api/v1/battles"),
    ("get", "/api/v1/battles"),
    ("get", "/api/v1/battles/{battleId}"),
    ("post", "/api/v1/battles/{battleId}/join"),
    ("post", "/api/v1/battles/{battleId}/actions"),
    ("post", "/api/v1/battles/{battleId}/forfeit"),
    ("get", "/api/v1/state"),
    ("get", "/api/v1/state/history"),
    ("get", "/api/v1/state/replay/{battleId}"),
    ("get", "/api/v1/game/state"),
    ("post", "/api/v1/game/state"),
    ("post", "/api/v1/ai/action"),
}
BODYLESS_POSTS = {
    ("post", "/api/v1/battles/{battleId}/join"),
    ("post", "/api/v1/battles/{battleId}/forfeit"),
}


def _operations(schema: Any) -> dict[tuple[str, str], Any]:
    return {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }


def _schema(server: LiveServer) -> Any:
    response = httpx.get(server.url + "/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_chess_endpoint_is_documented_with_its_errors(server: LiveServer) -> None:
    schema = _schema(server)
    operations = _operations(schema)
    assert set(operations) >= CHESS_FACE
    for key in CHESS_FACE - {("get", "/api/v1/health")}:
        responses = operations[key]["responses"]
        assert "422" not in responses
        assert responses["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
        assert "429" in responses
    for key in CHESS_FACE:
        if key[0] in ("post", "put"):
            assert "requestBody" in operations[key], key
    assert "/health" not in schema["paths"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_docs_page(server: LiveServer) -> None:
    response = httpx.get(server.url + "/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_account_endpoints_are_documented_with_their_errors(server: LiveServer) -> None:
    schema = _schema(server)
    operations = _operations(schema)
    assert set(operations) >= ACCOUNTS | API_TOKENS
    for key in ACCOUNTS | API_TOKENS:
        responses = operations[key]["responses"]
        assert "422" not in responses
        assert "429" in responses, key
        errors = [code for code in responses if code.startswith(("4", "5"))]
        for code in errors:
            assert responses[code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }, (key, code)
    # Seed 000's root paths answer but stay out of the schema.
    assert "/auth/login" not in schema["paths"]
    assert "/token" not in schema["paths"]
    protected = operations[("get", "/api/v1/users/me")]
    assert protected["security"] == [{"UserToken": []}]


def test_battle_endpoints_are_documented_with_models_and_errors(server: LiveServer) -> None:
    schema = _schema(server)
    operations = _operations(schema)
    assert set(operations) >= BATTLE_FACE
    for key in BATTLE_FACE:
        operation = operations[key]
        responses = operation["responses"]
        assert "422" not in responses
        assert {"400", "429"} <= set(responses), key
        success = responses.get("201") or responses["200"]
        assert "$ref" in success["content"]["application/json"]["schema"], key
        for code in (code for code in responses if code.startswith(("4", "5"))):
            assert responses[code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }, (key, code)
        if key[0] == "post" and key not in BODYLESS_POSTS:
            assert "requestBody" in operation, key
        assert operation.get("summary"), key
    assert "/battles" not in schema["paths"]  # the root paths stay out
    assert "/state" not in schema["paths"]


def test_health_and_readiness_are_documented(server: LiveServer) -> None:
    schema = _schema(server)
    operations = _operations(schema)
    health = operations[("get", "/api/v1/health")]["responses"]["200"]
    assert health["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Health"
    }
    assert schema["components"]["schemas"]["Health"]["properties"]["bus"]["enum"] == [
        "ok",
        "degraded",
    ]
    readiness = operations[("get", "/api/v1/health/ready")]["responses"]
    for status in ("200", "503"):
        assert readiness[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Readiness"
        }
    assert "/health/ready" not in schema["paths"]


def test_api_tokens_are_documented_with_models_and_scopes(server: LiveServer) -> None:
    schema = _schema(server)
    operations = _operations(schema)
    created = operations[("post", "/api/v1/account/tokens")]
    assert created["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewApiTokenView"
    }
    assert "requestBody" in created
    request = schema["components"]["schemas"]["NewTokenRequest"]
    scopes = request["properties"]["scopes"]["items"]["enum"]
    assert {"bot:play", "board:play", "challenge:read", "challenge:write"} <= set(scopes)
    listed = operations[("get", "/api/v1/account/tokens")]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiTokenList"
    }
    assert "token" not in schema["components"]["schemas"]["ApiTokenView"]["properties"]


def test_lichess_account_routes_are_documented_with_lichess_errors(server: LiveServer) -> None:
    operations = _operations(_schema(server))
    assert set(operations) >= LICHESS_ACCOUNTS
    for key in LICHESS_ACCOUNTS:
        operation = operations[key]
        assert operation["tags"] == ["lichess"], key
        responses = operation["responses"]
        assert "422" not in responses
        for code in (code for code in responses if code.startswith(("4", "5"))):
            # 405 and 413 are answered before any route, in gambit's envelope.
            shape = "ErrorBody" if code in ("405", "413") else "LichessError"
            assert responses[code]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{shape}"
            }, (key, code)
    online = operations[("get", "/api/bot/online")]["responses"]["200"]
    assert "application/x-ndjson" in online["content"]
    tested = operations[("post", "/api/token/test")]
    assert "text/plain" in tested["requestBody"]["content"]


# -- what /docs shows a newcomer -------------------------------------------------------

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
LICHESS_ERROR = {"$ref": "#/components/schemas/LichessError"}
REGISTER = ("post", "/api/v1/auth/register")
PARAMETER_VALUES = {"username": "nobody", "ids": "nobody", "move": "e2e4", "accept": "yes"}
"""Values for the parameters that are not ids, when any value will do."""


def _model(schema: Any, node: Any) -> Any:
    """The schema ``node`` stands for: through ``$ref`` and an optional's ``anyOf``."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in node and "properties" not in node:
            node = next(choice for choice in node["anyOf"] if choice.get("type") != "null")
        else:
            return node


def _request_examples(schema: Any, operation: Any) -> tuple[str, list[Any]]:
    """The content type Swagger UI's "Try it out" sends (the first) and the bodies it
    offers: the media type's example, else the model's examples; for a form, each field
    filled with its example or default, as Swagger UI fills every field."""
    content_type, media = next(iter(operation["requestBody"]["content"].items()))
    if "example" in media:
        return content_type, [media["example"]]
    model = _model(schema, media["schema"])
    if content_type == "application/x-www-form-urlencoded":
        fields = model["properties"].items()
        return content_type, [
            {
                name: field["examples"][0] if "examples" in field else field["default"]
                for name, field in fields
            }
        ]
    return content_type, model.get("examples", [])


def _undescribed_properties(schema: Any, node: Any, seen: set[str]) -> list[str]:
    """Each property, in ``node`` and every model it holds, without a description."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
    node = _model(schema, node)
    missing = []
    for name, field in node.get("properties", {}).items():
        if not field.get("description"):
            missing.append(name)
        for inner in (field, field.get("items", {}), *field.get("anyOf", [])):
            if "$ref" in inner:
                missing += _undescribed_properties(schema, inner, seen)
    for choice in node.get("oneOf", []) + node.get("items", {}).get("oneOf", []):
        missing += _undescribed_properties(schema, choice, seen)
    return missing


def test_every_operation_parameter_and_request_field_is_described(server: LiveServer) -> None:
    schema = _schema(server)
    operations = _operations(schema)
    assert len(operations) > 70
    for key, operation in operations.items():
        assert operation.get("summary"), key
        assert operation.get("description"), key
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (key, parameter["name"])
        if "requestBody" in operation:
            _, examples = _request_examples(schema, operation)
            assert examples, key
            for media in operation["requestBody"]["content"].values():
                assert not _undescribed_properties(schema, media["schema"], set()), key
    tags = {tag for operation in operations.values() for tag in operation["tags"]}
    described = {tag["name"] for tag in schema["tags"] if tag["description"]}
    assert tags == described


def test_the_schema_speaks_of_gambit_alone(server: LiveServer) -> None:
    text = json.dumps(_schema(server)).lower()
    assert not re.search(r"seed[ _-]?\d", text)
    for outside in ("readme", "design.md", ".py"):
        assert outside not in text


def test_405_413_and_503_are_documented_as_they_are_answered(server: LiveServer) -> None:
    schema = _schema(server)
    for (method, path), operation in _operations(schema).items():
        responses = operation["responses"]
        assert responses["405"]["content"]["application/json"]["schema"] == ERROR_BODY
        assert "Allow" in responses["405"]["headers"]
        if "requestBody" in operation:
            assert responses["413"]["content"]["application/json"]["schema"] == ERROR_BODY
        if path.startswith("/api/v1/health"):
            continue  # /health reports the database's state; /health/ready has its own
        unavailable = responses["503"]["content"]["application/json"]["schema"]
        if path.startswith("/api/v1"):
            assert unavailable == ERROR_BODY, (method, path)
            assert "Retry-After" in responses["503"]["headers"]
        else:
            assert unavailable == LICHESS_ERROR, (method, path)
    # What the documents say is what a client gets, on both faces.
    envelope = set(schema["components"]["schemas"]["ErrorBody"]["required"])
    for path, other_method in (("/api/v1/games", "DELETE"), ("/api/account", "PUT")):
        refused = httpx.request(other_method, server.url + path)
        assert refused.status_code == 405
        assert set(refused.json()) == envelope
        assert refused.headers["Allow"]
    for path in ("/api/v1/games", "/api/challenge/ai"):
        too_large = httpx.post(server.url + path, json={"fen": "x" * 70_000})
        assert too_large.status_code == 413
        assert set(too_large.json()) == envelope


def test_one_scheme_signs_users_in_and_names_every_operation_that_reads_a_token(
    server: LiveServer,
) -> None:
    schema = _schema(server)
    schemes = schema["components"]["securitySchemes"]
    users = {name for name, scheme in schemes.items() if name != "OperatorToken"}
    assert users == {"UserToken"}
    assert schemes["OperatorToken"]["type"] == "http"
    user_token = schemes["UserToken"]
    assert "gbt_" in user_token["description"]
    # The Authorize button posts the password form to tokenUrl, beside /openapi.json.
    assert user_token["flows"]["password"]["tokenUrl"] == "token"
    with server.client() as api:
        session = register(api)
    signed_in = httpx.post(
        f"{server.url}/token", data={"username": session["username"], "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    me = httpx.get(
        server.url + "/api/v1/auth/me",
        headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    )
    assert me.status_code == 200
    assert me.json()["username"] == session["username"]
    # An operation names a scheme exactly when it reads the token: a bad one is refused;
    # one that needs it refuses a caller without one.
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for (method, path), operation in _operations(schema).items():
            url = _with_values(path, lambda name: PARAMETER_VALUES.get(name, str(uuid.uuid4())))
            query = {
                parameter["name"]: PARAMETER_VALUES[parameter["name"]]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query" and parameter.get("required")
            }
            named = [name for needs in operation.get("security", []) for name in needs]
            bad = http.request(
                method, url, params=query, headers={"Authorization": "Bearer not-a-token"}
            )
            assert (bad.status_code == 401) == bool(named), (method, path, bad.text)
            if named and {} not in operation["security"]:
                anonymous = http.request(method, url, params=query)
                assert anonymous.status_code == 401, (method, path, anonymous.text)


def _with_values(path: str, value: Callable[[str], str]) -> str:
    """``path`` with each ``{name}`` replaced by ``value(name)``."""
    return re.sub(r"\{(\w+)\}", lambda match: value(match.group(1)), path)


EXPECTED_REFUSALS = {("post", "/api/v1/auth/refresh"): 401}
"""Examples that cannot work as they are: a refresh token is the user's own."""


def test_every_request_example_can_be_sent_as_it_is(server: LiveServer) -> None:
    """What "Try it out" sends for each operation with a body, with a signed-in user's
    token and the ids of things made for it first, is taken: nothing is refused as
    malformed; every example but a placeholder refresh token works."""
    schema = _schema(server)
    operations = [(key, op) for key, op in _operations(schema).items() if "requestBody" in op]
    assert len(operations) > 20
    operations.sort(key=lambda item: item[0] != REGISTER)  # the account the others sign in as
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for (method, path), operation in operations:
            content_type, examples = _request_examples(schema, operation)
            headers, ids = _made_for(http, path)
            if operation.get("security") == [{"OperatorToken": []}]:
                operator = server.app.state.tokens.issue_operator()
                headers = {"Authorization": f"Bearer {operator}"}
            url = _with_values(path, ids.__getitem__)
            for example in examples:
                if content_type == "application/json":
                    sent = http.request(method, url, json=example, headers=headers)
                elif content_type == "application/x-www-form-urlencoded":
                    sent = http.request(method, url, data=example, headers=headers)
                else:
                    typed = headers | {"Content-Type": content_type}
                    sent = http.request(method, url, content=example, headers=typed)
                expected = EXPECTED_REFUSALS.get((method, path))
                if expected is None:
                    assert sent.status_code < 400, (method, path, example, sent.text)
                else:
                    assert sent.status_code == expected, (method, path, example, sent.text)


def _made_for(http: httpx.Client, path: str) -> tuple[dict[str, str], dict[str, str]]:
    """A new user's bearer header, and what ``path`` names, made for them: a chess game
    of the /games face (with a move to take back for /undo), a chess battle against the
    AI (also their most recently active one, for /game/state), another user, a challenge
    from that user."""
    session = _register(http)
    headers = bearer(session)
    if path.startswith("/api/bot/"):  # the Bot API is for bot accounts
        upgraded = http.post("/api/bot/account/upgrade", headers=headers)
        assert upgraded.status_code == 200, upgraded.text
    ids: dict[str, str] = {}
    if "{gameId}" in path:
        game = {"white": HUMAN, "black": FAST_COMPUTER}
        made = http.post("/api/v1/games", json=game, headers=headers)
        assert made.status_code == 201, made.text
        ids["gameId"] = made.json()["gameId"]
        if path.endswith("/undo"):
            moves = f"/api/v1/games/{ids['gameId']}/moves"
            assert http.post(moves, json={"move": "e2e4"}, headers=headers).status_code == 200
    if "{battleId}" in path or path == "/api/v1/game/state":
        seats = [{"type": "human"}, {"type": "ai", "level": 0, "searchTime": 100}]
        made = http.post("/api/v1/battles", json={"game": "chess", "seats": seats}, headers=headers)
        assert made.status_code == 201, made.text
        ids["battleId"] = made.json()["id"]
    if "{username}" in path or "{challengeId}" in path:
        other = _register(http)
        ids["username"] = other["username"]
        challenge = http.post(
            f"/api/challenge/{session['username']}",
            data={"clock.limit": "300", "clock.increment": "3"},
            headers=bearer(other),
        )
        assert challenge.status_code == 200, challenge.text
        ids["challengeId"] = challenge.json()["id"]
    return headers, ids


def _register(http: httpx.Client) -> Any:
    name = "u_" + uuid.uuid4().hex[:12]
    made = http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
    assert made.status_code == 201, made.text
    return made.json()
