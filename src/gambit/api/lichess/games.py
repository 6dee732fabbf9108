"""lichess's game actions (/api/bot/game/…, /api/board/game/…) and game exports."""

from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse

from gambit.api.auth import PLAYERS
from gambit.api.deps import Services, ServicesDep
from gambit.api.lichess.common import NDJSON, fields, form_body, ndjson, ok
from gambit.api.lichess.errors import PLAY_ERRORS, LichessRoute, Ok
from gambit.api.lichess.views import Players
from gambit.services.errors import InvalidRequest
from gambit.services.lichess_play import LichessPlay
from gambit.services.tokens import AccessClaims

GameId = Annotated[str, Path(alias="gameId", max_length=36, description="The game's id.")]
CHAT_ROOMS = ("player", "spectator")
MAX_CHAT_CHARACTERS = 140  # lichess's limit


async def get_play(request: Request) -> LichessPlay:
    services: Services = request.app.state.services
    return services.lichess


PlayDep = Annotated[LichessPlay, Depends(get_play)]


def _actions(api: str) -> APIRouter:
    """The actions of one of lichess's two play APIs, ``bot`` or ``board``: the same
    actions, bots on the one and people on the other, as on lichess."""
    router = APIRouter(
        prefix=f"/api/{api}/game/{{gameId}}",
        tags=[f"lichess: {api}"],
        route_class=LichessRoute,
        responses=PLAY_ERRORS,
    )
    player = Depends(PLAYERS[api])

    @router.post("/move/{move}", summary="Make a move", response_model=Ok)
    async def move(
        game_id: GameId,
        move: Annotated[
            str,
            # room for SAN, to answer it in UCI
            Path(max_length=10, description="Your move in UCI notation: e2e4, e7e8q."),
        ],
        play: PlayDep,
        caller: Annotated[AccessClaims, player],
        offering_draw: Annotated[
            bool, Query(alias="offeringDraw", description="Offer (or accept) a draw with it.")
        ] = False,
    ) -> Any:
        """Play your move in one of your games, on your turn."""
        await play.move(game_id, caller.user_id, move, offering_draw)
        return ok()

    @router.post("/resign", summary="Resign", response_model=Ok)
    async def resign(
        game_id: GameId, play: PlayDep, caller: Annotated[AccessClaims, player]
    ) -> Any:
        """Give up the game: your opponent wins."""
        await play.resign(game_id, caller.user_id)
        return ok()

    @router.post("/abort", summary="Abort, before both sides have moved", response_model=Ok)
    async def abort(game_id: GameId, play: PlayDep, caller: Annotated[AccessClaims, player]) -> Any:
        """Call the game off before both sides have moved: nobody wins, nothing is rated."""
        await play.abort(game_id, caller.user_id)
        return ok()

    @router.post("/draw/{accept}", summary="Offer, accept or decline a draw", response_model=Ok)
    async def draw(
        game_id: GameId,
        accept: _YesNo,
        play: PlayDep,
        caller: Annotated[AccessClaims, player],
    ) -> Any:
        """`yes` offers a draw, or accepts your opponent's offer; `no` declines it."""
        await play.draw(game_id, caller.user_id, _yes(accept))
        return ok()

    @router.post(
        "/takeback/{accept}", summary="Propose, accept or decline a take-back", response_model=Ok
    )
    async def takeback(
        game_id: GameId,
        accept: _YesNo,
        play: PlayDep,
        caller: Annotated[AccessClaims, player],
    ) -> Any:
        """`yes` proposes taking back the last move, or accepts your opponent's proposal;
        `no` declines it."""
        await play.takeback(game_id, caller.user_id, _yes(accept))
        return ok()

    @router.post(
        "/claim-victory", summary="Claim the win when the opponent has gone", response_model=Ok
    )
    async def claim_victory(
        game_id: GameId, play: PlayDep, caller: Annotated[AccessClaims, player]
    ) -> Any:
        """Win a game your opponent has left, once the game stream's `opponentGone` has
        counted `claimWinInSeconds` down to 0."""
        await play.claim_victory(game_id, caller.user_id)
        return ok()

    @router.post(
        "/chat",
        summary="Write in the chat",
        response_model=Ok,
        openapi_extra=form_body(
            {
                "room": {
                    "type": "string",
                    "enum": list(CHAT_ROOMS),
                    "description": "`player`: your opponent; `spectator`: the watchers.",
                },
                "text": {
                    "type": "string",
                    "maxLength": MAX_CHAT_CHARACTERS,
                    "description": f"The line, 1 to {MAX_CHAT_CHARACTERS} characters.",
                },
            },
            {"room": "player", "text": "Good luck!"},
        ),
    )
    async def chat(
        request: Request,
        game_id: GameId,
        play: PlayDep,
        services: ServicesDep,
        caller: Annotated[AccessClaims, player],
    ) -> Any:
        """Write a line in the game's chat, to your opponent or to the watchers."""
        body = await fields(request)
        room, text = body.get("room", ""), body.get("text", "").strip()
        if room not in CHAT_ROOMS:
            raise InvalidRequest("room must be player or spectator")
        if not text or len(text) > MAX_CHAT_CHARACTERS:
            raise InvalidRequest(f"text must be 1 to {MAX_CHAT_CHARACTERS} characters")
        name = (await services.accounts.user(caller.user_id)).username
        await play.chat(game_id, caller.user_id, name, room, text)
        return ok()

    @router.get("/chat", summary="The players' chat")
    async def chat_lines(
        game_id: GameId, play: PlayDep, caller: Annotated[AccessClaims, player]
    ) -> Any:
        """The lines of the players' chat, oldest first."""
        chat = (await play.game(game_id)).table.chat
        return [
            {"text": line.text, "user": line.username} for line in chat if line.room == "player"
        ]

    return router


_YesNo = Annotated[
    str, Path(pattern="^(yes|no|true|false)$", description="`yes` (or `true`), `no` (or `false`).")
]


def _yes(accept: str) -> bool:
    return accept in ("yes", "true")


bot_router = _actions("bot")
board_router = _actions("board")
export_router = APIRouter(tags=["lichess: games"], route_class=LichessRoute, responses=PLAY_ERRORS)


def _wants(request: Request, media_type: str) -> bool:
    return media_type in request.headers.get("accept", "")


@export_router.get("/game/export/{gameId}", summary="Export one game")
async def export_game(
    request: Request, game_id: GameId, play: PlayDep, services: ServicesDep
) -> Response:
    """One game, as PGN, or as lichess's game JSON with ``Accept: application/json``. No
    token needed."""
    battle = await play.game(game_id)
    if _wants(request, "application/json"):
        return JSONResponse(await Players(services.accounts, services.stats).game_json(battle))
    return Response(await services.replays.pgn(battle), media_type="application/x-chess-pgn")


@export_router.get("/{gameId:uuid}", include_in_schema=False)
@export_router.get("/{gameId:uuid}/white", include_in_schema=False)
@export_router.get("/{gameId:uuid}/black", include_in_schema=False)
async def game_link(game_id: Annotated[UUID, Path(alias="gameId")]) -> RedirectResponse:
    """lichess's link to a game (``/{id}``, ``/{id}/white``: the ``url`` of a challenge,
    the links lichess-bot logs), sent on to the game's page of the web face."""
    return RedirectResponse(f"/game/{game_id}", status_code=302)


@export_router.get("/api/games/user/{username}", summary="Export the games of a user")
async def export_games(
    request: Request,
    username: Annotated[str, Path(max_length=40, description="Whose games.")],
    play: PlayDep,
    services: ServicesDep,
    since: Annotated[
        int | None, Query(ge=0, description="Games started at or after this, epoch ms.")
    ] = None,
    until: Annotated[
        int | None, Query(ge=0, description="Games started at or before this, epoch ms.")
    ] = None,
    most: Annotated[int | None, Query(alias="max", ge=1, description="At most this many.")] = None,
    ongoing: Annotated[bool, Query(description="Games still in play too.")] = False,
) -> StreamingResponse:
    """A user's chess games, newest first: lichess's game JSON, one a line, with
    ``Accept: application/x-ndjson``, else PGN. No token needed."""
    user = await services.accounts.by_name(username)
    games = play.games_of(user.id, since, until, most, ongoing)
    if _wants(request, NDJSON):
        players = Players(services.accounts, services.stats)

        async def lines() -> AsyncIterator[dict[str, Any] | None]:
            async for battle in games:
                yield await players.game_json(battle)

        return ndjson(lines())

    async def pgns() -> AsyncIterator[str]:
        async for battle in games:
            yield (await services.replays.pgn(battle) or "") + "\n\n"

    return StreamingResponse(pgns(), media_type="application/x-chess-pgn")
