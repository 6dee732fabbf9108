"""The OpenAPI schema a newcomer reads at ``/docs``: the API's introduction, its tags, and
the answers every operation may get from outside its own route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from gambit.api.auth import optional_caller, required_caller

DESCRIPTION = """
Battles between people and AI players over REST and WebSocket.

**Chess face** (`/games`): create a game with two players (human `type: 1` or computer
`type: 2`), post moves in UCI notation, and post `cccc` to make the computer move.
Accounts are optional there.

**Battle face** (`/battles`, `/state`): signed-in players create, join, play and forfeit
battles of `chess` or `duel` (2–4 fighters on a grid), against people or AI seats; replays,
AI hints (`POST /ai/action`), records and Glicko-2 ratings (`/users/{userId}/stats`).

**Signing in**: register at `/auth/register`, then press **Authorize** and sign in with
your username and password. Scripts send `Authorization: Bearer <token>` with the `token`
of `/auth/register` or `/auth/login`, or with a personal API token (`gbt_…`) made at
`/account/tokens`.

**lichess face** (`/api/…`): lichess's Bot and Board API at lichess's own paths, so
lichess-bot and berserk play here unchanged.

**Real time**: `ws://<host>/api/v1/ws` sends every change as `{"event", "data", "seq",
"ts"}` (`game:update`, `game:end`, `ai:thinking`, …). Sign in with `?token=…`; send
`{"event": "subscribe", "data": {"battleId": …}}` to watch a battle and
`{"event": "game:action", "data": {"battleId": …, "action": …}}` to play in one.

Every error has the body `{"error", "message", "code", "details"}` (the lichess face
answers lichess's `{"error"}`).
"""

TAGS = [
    {
        "name": "chess games",
        "description": "Chess against the computer, or between two people at one board, "
        "with no account needed. Moves in UCI notation (`e2e4`); `cccc` makes the computer "
        "move. Signed in, the games you create are yours alone to change.",
    },
    {
        "name": "accounts",
        "description": "Register, sign in and out, renew your access token; personal API "
        "tokens for bots and scripts.",
    },
    {"name": "users", "description": "Profiles, records, ratings and leaderboards."},
    {
        "name": "battles",
        "description": "Battles of chess or duel between signed-in players and AI seats: "
        "create one, join one, take your turns, give up.",
    },
    {
        "name": "state",
        "description": "A battle's state now, each of its earlier states and its replay; "
        "acting in your current battle; what the AI would play.",
    },
    {
        "name": "tournaments",
        "description": "Round-robins, gauntlets, Swiss tournaments and SPRT matches between "
        "users and built-in engines; what the engines' levels are worth in Elo.",
    },
    {"name": "system", "description": "The operator's announcements to every connected client."},
    {
        "name": "health",
        "description": "Whether the server, its database, its event bus and its engine work.",
    },
    {
        "name": "lichess",
        "description": "lichess's account, user and token routes, at lichess's paths, for "
        "lichess's clients (lichess-bot, berserk). Errors come as lichess's `{\"error\": …}`.",
    },
    {
        "name": "lichess: bot",
        "description": "lichess's Bot API: a bot account plays its games with a token "
        "carrying `bot:play`.",
    },
    {
        "name": "lichess: board",
        "description": "lichess's Board API: a person (not a bot) plays their games with a "
        "token carrying `board:play`.",
    },
    {
        "name": "lichess: challenges",
        "description": "lichess's challenges: challenge a user or the AI, accept, decline, cancel.",
    },
    {
        "name": "lichess: streams",
        "description": "lichess's NDJSON streams: your events (games starting and ending, "
        "challenges) and the moves of one game, one JSON object a line.",
    },
    {"name": "lichess: games", "description": "Games exported as PGN or lichess's JSON."},
]


def _error_answer(description: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return answer


STORAGE_UNAVAILABLE = _error_answer(
    "The database cannot take the change, or be read, right now (`STORAGE_UNAVAILABLE`); "
    "nothing was changed. Retry after `Retry-After` seconds.",
    {"Retry-After": "Seconds to wait before trying again."},
)
METHOD_NOT_ALLOWED = _error_answer(
    "This path does not take this method (`METHOD_NOT_ALLOWED`).",
    {"Allow": "The methods this path takes."},
)


def _or_storage_unavailable(declared: dict[str, Any] | None) -> dict[str, Any]:
    """The 503 of an operation: the database away, besides the route's own reason."""
    if declared is None:
        return STORAGE_UNAVAILABLE
    return STORAGE_UNAVAILABLE | {
        "description": f"{declared['description']} Or: {STORAGE_UNAVAILABLE['description']}"
    }


def _payload_too_large(max_bytes: int) -> dict[str, Any]:
    return _error_answer(
        f"The body is over {max_bytes // 1024} KiB (`PAYLOAD_TOO_LARGE`); nothing was read."
    )


def openapi_schema(app: FastAPI, api_prefix: str, max_body_bytes: int) -> dict[str, Any]:
    """FastAPI's schema of ``app``, minus its stock 422 (gambit answers 400 instead), plus
    what any operation may answer before its route runs: 405 to another method, 413 to a
    body over ``max_body_bytes``, and 503 on gambit's own face (under ``api_prefix``)
    while the database is away; the lichess face documents its own 503. Operations that
    take a user's token but answer anonymous callers too say that the token is optional."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)
        anonymous_too = _optionally_signed_in(app)
        too_large = _payload_too_large(max_body_bytes)
        for name, path in schema.get("paths", {}).items():
            for method, operation in path.items():
                responses: dict[str, Any] = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses.setdefault("405", METHOD_NOT_ALLOWED)
                if "requestBody" in operation:
                    responses.setdefault("413", too_large)
                # /health reports a database away in its body; it never fails for it.
                if name.startswith(api_prefix) and "health" not in operation.get("tags", ()):
                    responses["503"] = _or_storage_unavailable(responses.get("503"))
                operation["responses"] = dict(sorted(responses.items()))
                if (method.upper(), name) in anonymous_too:
                    operation["security"] = [{}, *operation.get("security", [])]
        for model in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(model, None)
        app.openapi_schema = schema
    return app.openapi_schema


def _optionally_signed_in(app: FastAPI) -> set[tuple[str, str]]:
    """The (method, path) of each operation that reads the caller's token if one comes
    and answers without one too."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.include_in_schema:
            calls = _calls(route.dependant)
            if optional_caller in calls and required_caller not in calls:
                found |= {(method, str(context.path_format)) for method in context.methods or ()}
    return found


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    calls = {dependant.call} if dependant.call is not None else set()
    for dependency in dependant.dependencies:
        calls |= _calls(dependency)
    return calls
