"""The OpenAPI schema a newcomer meets at /docs: every endpoint, its models and errors."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import LiveServer

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
    # The Authorize button signs in through POST /token.
    flows = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == "token"
    protected = operations[("get", "/api/v1/users/me")]
    assert protected["security"] == [{"OAuth2PasswordBearer": []}]


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
            assert responses[code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/LichessError"
            }, (key, code)
    online = operations[("get", "/api/bot/online")]["responses"]["200"]
    assert "application/x-ndjson" in online["content"]
    tested = operations[("post", "/api/token/test")]
    assert "text/plain" in tested["requestBody"]["content"]
