"""lichess's streams: a user's events (/api/stream/event) and a game's (/api/…/game/stream/…).

NDJSON, one JSON object a line, and an empty line after every keep-alive interval of
quiet. A game stream starts with ``gameFull``; then ``gameState`` whenever the state
(moves, clocks, status, offers) changes, ``chatLine`` for each new chat line and
``opponentGone`` when the opponent leaves or comes back; it ends with the game. A client
that reconnects gets ``gameFull`` again, which holds every move: nothing is missed.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from gambit.api.auth import PLAYERS, requires_scope
from gambit.api.deps import Services, ServicesDep
from gambit.api.lichess.common import keepalive_seconds, ndjson
from gambit.api.lichess.errors import PLAY_ERRORS, LichessRoute
from gambit.api.lichess.games import GameId, PlayDep
from gambit.api.lichess.views import Players, game_state, now_ms, opponent_gone
from gambit.games.battle import Battle
from gambit.services.challenges import CHALLENGE_CANCELED, CHALLENGE_DECLINED
from gambit.services.lichess_play import ChallengeNews, GameNews, LichessPlay
from gambit.services.tokens import AccessClaims

router = APIRouter(tags=["lichess: streams"], route_class=LichessRoute, responses=PLAY_ERRORS)

CHALLENGE_EVENTS = {
    CHALLENGE_CANCELED: "challengeCanceled",
    CHALLENGE_DECLINED: "challengeDeclined",
}


@router.get("/api/stream/event", summary="Stream incoming events")
async def stream_events(
    request: Request,
    play: PlayDep,
    services: ServicesDep,
    caller: Annotated[AccessClaims, requires_scope("challenge:read", "bot:play", "board:play")],
) -> StreamingResponse:
    """Your events, one JSON object a line, as long as you stay connected: your games in
    progress and open challenges first, then ``gameStart``, ``gameFinish``,
    ``challenge``, ``challengeCanceled`` and ``challengeDeclined`` as they happen, and an
    empty line every few seconds of quiet. Needs `challenge:read`, `bot:play` or
    `board:play`."""
    me = caller.user_id
    news = play.news(me, keepalive_seconds(request))
    base_url = str(request.base_url)

    async def lines() -> AsyncIterator[dict[str, Any] | None]:
        async for item in news:
            players = Players(services.accounts, services.stats)  # fresh ratings each time
            if isinstance(item, GameNews):
                kind = "gameFinish" if item.finished else "gameStart"
                yield {"type": kind, "game": await players.game_info(item.battle, me, now_ms())}
            elif isinstance(item, ChallengeNews):
                challenge = await players.challenge(item.challenge, base_url)
                kind = CHALLENGE_EVENTS.get(item.kind, "challenge")
                event: dict[str, Any] = {"type": kind, "challenge": challenge}
                if kind == "challenge":
                    event["compat"] = {"bot": True, "board": True}
                yield event
            else:
                yield None

    return ndjson(lines())


def _game_stream(api: str) -> None:
    @router.get(
        f"/api/{api}/game/stream/{{gameId}}",
        summary=f"Stream a {api} game",
        description="One of your games as it happens, one JSON object a line: `gameFull` "
        "first (every move so far), then `gameState` whenever moves, clocks, status or "
        "offers change, `chatLine` for each chat line and `opponentGone` when your "
        "opponent leaves or comes back; it ends with the game. Connect again at any time: "
        "`gameFull` comes again, so nothing is missed.",
    )
    async def stream_game(
        request: Request,
        game_id: GameId,
        play: PlayDep,
        services: ServicesDep,
        caller: Annotated[AccessClaims, Depends(PLAYERS[api])],
    ) -> StreamingResponse:
        await play.game(game_id)  # a 404 before the stream starts
        return ndjson(
            _game_lines(play, services, game_id, caller.user_id, keepalive_seconds(request))
        )


async def _game_lines(
    play: LichessPlay, services: Services, game_id: str, user_id: str, keepalive: float
) -> AsyncIterator[dict[str, Any] | None]:
    players = Players(services.accounts, services.stats)
    claim_ms = play.claim_after_ms
    last: Battle | None = None
    sent_state: dict[str, Any] = {}
    async for battle in play.follow(game_id, user_id, keepalive):
        if battle is None:
            yield None
            continue
        now = now_ms()
        seat = next((i for i, s in enumerate(battle.seats) if s.user_id == user_id), None)
        if last is None:
            full = await players.game_full(battle, now)
            sent_state = full["state"]
            yield full
        else:
            chat = battle.table.chat
            new = min(battle.table.said - last.table.said, len(chat))
            for line in chat[len(chat) - new :] if new > 0 else ():
                yield {
                    "type": "chatLine",
                    "room": line.room,
                    "username": line.username,
                    "text": line.text,
                }
            state = game_state(battle, now)
            if state != sent_state:
                sent_state = state
                yield state
        if seat is not None:
            gone = opponent_gone(battle, seat, claim_ms, now)
            was_gone = last is not None and opponent_gone(last, seat, claim_ms, now)["gone"]
            if gone["gone"] != was_gone:
                yield gone
        last = battle


_game_stream("bot")
_game_stream("board")
