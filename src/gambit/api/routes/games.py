"""The chess face of seed 003: ``/games`` and everything under it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response

from gambit.api.auth import OptionalCaller, caller_id
from gambit.api.deps import ChessGamesDep, ServicesDep
from gambit.api.routing import ChessRoute
from gambit.api.schemas.common import error_responses
from gambit.api.schemas.games import (
    Board,
    CreateGameRequest,
    Game,
    MoveRequest,
    SetPlayersRequest,
    UndoRequest,
    ascii_board,
)
from gambit.games.battle import Battle

T = TypeVar("T")

router = APIRouter(prefix="/games", tags=["chess games"], route_class=ChessRoute)

GameId = Annotated[uuid.UUID, Path(alias="gameId", description="The game's id (a UUID).")]


_errors = error_responses(
    {
        400: "Invalid request, FEN or move; not this side's turn; game over.",
        401: "The bearer token is invalid, expired or revoked.",
        403: "The game belongs to another user (`FORBIDDEN`).",
        404: "No game with this id (`GAME_NOT_FOUND`).",
        415: "The body is not `application/json`.",
        429: "Rate limit exceeded; see `Retry-After`.",
    }
)


@router.post(
    "",
    status_code=201,
    summary="Create a game",
    responses=_errors(400, 401, 415, 429),
    response_model=Game,
)
async def create_game(
    body: CreateGameRequest, games: ChessGamesDep, caller: OptionalCaller
) -> Response:
    """Start a game between two players, each a human (`type` 1) or the computer (`type` 2).

    Signed in, the human sides are yours (their player id is your user id) and only you
    may change the game; anonymous games are open to anyone.
    """
    battle = await games.create(
        body.white.to_spec(), body.black.to_spec(), body.fen, caller_id(caller)
    )
    return _game(battle, status_code=201)


@router.get(
    "/{gameId}",
    summary="Get a game, or wait for it to change",
    response_model=Game,
    responses=_errors(400, 404, 429),
)
async def get_game(
    request: Request,
    game_id: GameId,
    games: ChessGamesDep,
    services: ServicesDep,
    wait: Annotated[bool, Query(description="Long-poll: wait for the game to change.")] = False,
    move_count: Annotated[
        int | None,
        Query(
            alias="moveCount",
            ge=0,
            description="With `wait`: return at once unless the game has exactly this many moves.",
        ),
    ] = None,
) -> Response:
    """The game now. With `wait=true`, the answer waits until the game changes (the
    computer has moved, the opponent has moved) or a timeout passes, then gives the game
    as it is: a long-poll, for clients without the WebSocket."""
    battle = await games.get(str(game_id))
    if not wait:
        return _game(battle)
    waiting = games.wait_for_change(
        str(game_id),
        lambda battle: move_count is None or len(battle.actions) == move_count,
        services.settings.long_poll_seconds,
    )
    changed = await _unless_disconnected(request, waiting)
    return Response(status_code=499) if changed is None else _game(changed)


@router.post(
    "/{gameId}/moves",
    summary="Make a move, or ask the computer for one",
    responses=_errors(400, 401, 403, 404, 415, 429),
    response_model=Game,
)
async def make_move(
    game_id: GameId, body: MoveRequest, games: ChessGamesDep, caller: OptionalCaller
) -> Response:
    """A human move in UCI (`e2e4`, `e7e8q`), or `cccc` to make the computer side move.

    After `cccc` the game is `pending` until the computer has moved; poll or long-poll
    `GET /games/{gameId}` for the result.
    """
    return _game(await games.move(str(game_id), body.move, caller_id(caller)))


@router.post(
    "/{gameId}/undo",
    summary="Take back moves",
    responses=_errors(400, 401, 403, 404, 415, 429),
    response_model=Game,
)
async def undo(
    game_id: GameId, games: ChessGamesDep, caller: OptionalCaller, body: UndoRequest | None = None
) -> Response:
    """Take back the last `count` half-moves (0 or absent means 1, at most 300), also
    after the game has ended, which opens it again."""
    plies = body.count if body and body.count else 1
    return _game(await games.undo(str(game_id), plies, caller_id(caller)))


@router.put(
    "/{gameId}/players",
    summary="Change who plays each side",
    responses=_errors(400, 401, 403, 404, 415, 429),
    response_model=Game,
)
async def set_players(
    game_id: GameId, body: SetPlayersRequest, games: ChessGamesDep, caller: OptionalCaller
) -> Response:
    """Replace who plays white and black, mid-game too: hand a side to the computer, or
    take it back. A side that stays human (or computer) keeps its player id."""
    battle = await games.set_players(
        str(game_id), body.white.to_spec(), body.black.to_spec(), caller_id(caller)
    )
    return _game(battle)


@router.get("/{gameId}/board", summary="The board as ASCII", responses=_errors(400, 404, 429))
async def board(game_id: GameId, games: ChessGamesDep) -> Board:
    """The position as FEN and as a text diagram, for a terminal or a log."""
    battle = await games.get(str(game_id))
    return Board(fen=battle.state.fen(), board=ascii_board(battle))


@router.delete(
    "/{gameId}",
    status_code=204,
    summary="Delete a game",
    responses=_errors(400, 401, 403, 404, 429),
)
async def delete_game(game_id: GameId, games: ChessGamesDep, caller: OptionalCaller) -> Response:
    """Delete the game for good; whoever waits on it with a long-poll gets 404."""
    await games.delete(str(game_id), caller_id(caller))
    return Response(status_code=204)


def _game(battle: Battle, status_code: int = 200) -> Response:
    # Serialised here rather than by FastAPI: the model is built from trusted data, and
    # FastAPI's re-validation of response models costs as much as a move itself.
    body = Game.of(battle).model_dump_json(exclude_none=True)
    return Response(body, status_code=status_code, media_type="application/json")


async def _unless_disconnected(request: Request, work: Awaitable[T]) -> T | None:
    """The result of ``work``, or None as soon as the client hangs up."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnect(request))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if task in done:
        return task.result()
    # The client left first: stop waiting for it (a cancel takes effect at the next await).
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return None


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
