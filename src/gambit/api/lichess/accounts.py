"""lichess's account, user and token routes: who I am, what I play, who is online.

Users appear as lichess shows them: ``id`` is the lower-cased username, times are epoch
milliseconds, absent facts are left out. Chess ratings are per speed, as lichess's perfs
are; a game without a clock is, as on lichess, a correspondence game (`lichess_speed`).
"Online" means seen in the last three minutes
(see `gambit.services.accounts.is_online`), as gambit has no site-wide connection list.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from gambit.api.auth import Caller, requires_scope
from gambit.api.deps import AccountsDep, ServicesDep
from gambit.api.lichess.errors import LichessRoute, Ok, lichess_responses
from gambit.api.lichess.views import lichess_speed
from gambit.games.battle import Battle, BattleStatus, SeatKind
from gambit.games.clock import remaining_now, speed
from gambit.rating import Rating
from gambit.services.accounts import is_online
from gambit.services.api_tokens import MAX_TEST_TOKENS
from gambit.services.errors import InvalidRequest, NotFound
from gambit.services.stats import PROVISIONAL_DEVIATION
from gambit.services.tokens import AccessClaims
from gambit.store import StoredStats
from gambit.store.users import StoredUser

ByGame = dict[str, dict[str, StoredStats]]
"""A user's stats by game and speed, as `Stats.of` gives them."""

router = APIRouter(tags=["lichess"], route_class=LichessRoute)

MAX_STATUS_IDS = 100  # lichess's limit for /api/users/status

_errors = {
    400: "A refused request (lichess's wording in `error`).",
    401: "Missing, invalid, expired or revoked token.",
    403: "The token lacks the scope (`Missing scope`).",
    404: "No such user.",
    503: "The database cannot be read or written right now; retry later.",
}


def _errors_of(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return lichess_responses({status: _errors[status] for status in statuses})


class Perf(BaseModel):
    games: int
    rating: int
    rd: int = Field(description="Rating deviation.")
    prog: int = Field(description="Progress over the last games; gambit keeps no history: 0.")
    prov: Literal[True] | None = Field(None, description="Only while the rating is provisional.")


class Count(BaseModel):
    all: int
    rated: int
    win: int
    loss: int
    draw: int
    playing: int


class LichessUser(BaseModel):
    """lichess's ``User``: what ``/api/bot/online`` streams."""

    id: str = Field(description="The lower-cased username.")
    username: str
    title: Literal["BOT"] | None = Field(None, description="Only for a bot account.")
    perfs: dict[str, Perf]
    createdAt: int = Field(description="Epoch milliseconds.")
    seenAt: int | None = Field(None, description="Epoch milliseconds of the last request.")


class UserExtended(LichessUser):
    """lichess's ``UserExtended``: ``/api/account`` and ``/api/user/{username}``."""

    url: str = Field(description="The user's page in gambit's web face.")
    playing: str | None = Field(None, description="The page of a game in play, if any.")
    count: Count


class Opponent(BaseModel):
    id: str
    username: str
    rating: int | None = None
    ai: int | None = Field(None, description="The level of a computer opponent.")


class Variant(BaseModel):
    key: Literal["standard", "fromPosition"]
    name: str


class GameStatus(BaseModel):
    id: int
    name: str


class PlayingGame(BaseModel):
    gameId: str
    fullId: str = Field(description="The game id: gambit needs no per-player suffix.")
    color: Literal["white", "black"]
    fen: str
    hasMoved: bool
    isMyTurn: bool
    lastMove: str = Field(description='The last move in UCI, "" before the first.')
    opponent: Opponent
    perf: str
    speed: str
    rated: bool
    rating: int
    secondsLeft: int | None = Field(None, description="Only for a battle with a turn limit.")
    source: Literal["ai", "friend"]
    status: GameStatus
    variant: Variant


class NowPlaying(BaseModel):
    nowPlaying: list[PlayingGame] = Field(description="My turn first, then the oldest.")
    nbMyTurn: int


class UserStatus(BaseModel):
    id: str
    name: str
    title: Literal["BOT"] | None = None
    online: Literal[True] | None = Field(None, description="Seen in the last three minutes.")
    playing: Literal[True] | None = None
    playingId: str | None = Field(None, description="With `withGameIds=true`.")


class TokenInfo(BaseModel):
    userId: str
    scopes: str = Field(description="Comma-separated; every scope for a session's JWT.")
    expires: int | None = Field(description="Epoch milliseconds, null if it never expires.")


# -- shaping ---------------------------------------------------------------------------


def _perfs(by_game: ByGame) -> dict[str, Perf]:
    """Chess ratings by lichess perf; of untimed and correspondence, the one played more."""
    perfs: dict[str, Perf] = {}
    for pace, entry in sorted(by_game["chess"].items(), key=lambda item: item[1].played):
        perfs[lichess_speed(pace)] = Perf(
            games=entry.played,
            rating=round(entry.rating.rating),
            rd=round(entry.rating.deviation),
            prog=0,
            prov=True if entry.rating.deviation > PROVISIONAL_DEVIATION else None,
        )
    return perfs


def _user(user: StoredUser, by_game: ByGame) -> dict[str, Any]:
    return {
        "id": user.username.lower(),
        "username": user.username,
        "title": user.title,
        "perfs": _perfs(by_game),
        "createdAt": user.created_at,
        "seenAt": user.seen_at,
    }


async def _extended(services: ServicesDep, user: StoredUser, base: str) -> UserExtended:
    by_game = await services.stats.of(user.id)
    active = await services.store.seated(user.id, BattleStatus.ACTIVE)
    chess = list(by_game["chess"].values())
    return UserExtended(
        **_user(user, by_game),
        url=f"{base}/profile/{user.id}",
        playing=f"{base}/game/{active[0]}" if active else None,
        count=Count(
            all=sum(entry.played for entry in chess),
            rated=sum(entry.played for entry in chess),
            win=sum(entry.wins for entry in chess),
            loss=sum(entry.losses for entry in chess),
            draw=sum(entry.draws for entry in chess),
            playing=len(active),
        ),
    )


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _rating(by_game: ByGame, pace: str) -> int:
    """The chess rating at ``pace`` (the starting rating where none has been played)."""
    entry = by_game["chess"].get(pace)
    return round(entry.rating.rating if entry else Rating().rating)


def _playing_game(
    battle: Battle, mine: int, rating: int, opponent: Opponent, now: int
) -> PlayingGame:
    board = battle.state
    my_turn = battle.to_move() == mine
    turn_seconds = battle.options.get("turnSeconds")
    seconds_left = None
    if battle.clock is not None:
        seconds_left = remaining_now(battle.clock, now)[mine] // 1000
    elif turn_seconds:
        spent = (now - battle.turn_started_at) // 1000 if my_turn else 0
        seconds_left = max(0, int(turn_seconds) - spent)
    from_position = bool(battle.options.get("fen"))
    return PlayingGame(
        gameId=battle.id,
        fullId=battle.id,
        color="white" if mine == 0 else "black",
        fen=board.fen(),
        hasMoved=any(record.seat == mine for record in battle.actions),
        isMyTurn=my_turn,
        lastMove=board.peek().uci() if board.move_stack else "",
        opponent=opponent,
        perf=lichess_speed(speed(battle.options)),
        speed=lichess_speed(speed(battle.options)),
        rated=True,  # every finished chess battle moves its players' ratings
        rating=rating,
        secondsLeft=seconds_left,
        source="ai" if opponent.ai is not None else "friend",
        status=GameStatus(id=20, name="started"),
        variant=Variant(key="fromPosition", name="From Position")
        if from_position
        else Variant(key="standard", name="Standard"),
    )


async def _opponents(services: ServicesDep, battles: list[Battle], me: str) -> dict[str, Opponent]:
    """The opponent of each battle (by battle id) as lichess shows one."""
    user_ids = {seat.user_id for b in battles for seat in b.seats if seat.user_id not in (None, me)}
    users = {user.id: user for user in await services.accounts.users(sorted(user_ids))}
    opponents: dict[str, Opponent] = {}
    for battle in battles:
        seat = next(s for s in battle.seats if s.user_id != me)
        user = users.get(seat.user_id or "")
        if seat.kind is SeatKind.AI:
            level = seat.level or 0
            opponent = Opponent(id=seat.player_id, username=f"AI level {level}", ai=level)
        elif user is not None:
            kept = await services.stats.rating(user.id, "chess", speed(battle.options))
            rating = round(kept.rating)
            opponent = Opponent(id=user.username.lower(), username=user.username, rating=rating)
        else:
            opponent = Opponent(id=seat.player_id, username="Anonymous")
        opponents[battle.id] = opponent
    return opponents


# -- routes ----------------------------------------------------------------------------


@router.get(
    "/api/account",
    summary="Get my profile (lichess)",
    response_model=UserExtended,
    response_model_exclude_none=True,
    responses=_errors_of(401, 503),
)
async def account(caller: Caller, request: Request, services: ServicesDep) -> UserExtended:
    """Your profile as lichess shows one. Any valid token will do, whatever its scopes."""
    user = await services.accounts.signed_in_user(caller)
    return await _extended(services, user, _base(request))


@router.get(
    "/api/account/playing",
    summary="Get my ongoing games (lichess)",
    response_model=NowPlaying,
    response_model_exclude_none=True,
    responses=_errors_of(400, 401, 503),
)
async def playing(
    caller: Caller,
    services: ServicesDep,
    nb: Annotated[int, Query(ge=1, le=50, description="Max number of games.")] = 9,
) -> NowPlaying:
    """Your chess games in play: those where it is your turn first, then the oldest."""
    me = caller.user_id
    ids = await services.store.seated(me, BattleStatus.ACTIVE)
    battles = [b for b in await services.battles.get_many(ids) if b.game == "chess"]
    seat_of = {b.id: next(i for i, s in enumerate(b.seats) if s.user_id == me) for b in battles}
    battles.sort(key=lambda b: (b.to_move() != seat_of[b.id], b.updated_at))
    opponents = await _opponents(services, battles[:nb], me)
    mine = await services.stats.of(me)
    now = time.time_ns() // 1_000_000
    games = [
        _playing_game(b, seat_of[b.id], _rating(mine, speed(b.options)), opponents[b.id], now)
        for b in battles[:nb]
    ]
    my_turn = sum(b.to_move() == seat_of[b.id] for b in battles)
    return NowPlaying(nowPlaying=games, nbMyTurn=my_turn)


@router.get(
    "/api/user/{username}",
    summary="Get user public data (lichess)",
    response_model=UserExtended,
    response_model_exclude_none=True,
    responses=_errors_of(404, 503),
)
async def user(
    username: Annotated[str, Path(description="The username, in any case.")],
    request: Request,
    services: ServicesDep,
) -> UserExtended:
    """A user's profile as lichess shows one: chess ratings per speed, game counts, and
    the game they are playing, if any. No token needed."""
    found = await services.accounts.named([username])
    if not found:
        raise NotFound("Not found")
    return await _extended(services, found[0], _base(request))


@router.get(
    "/api/users/status",
    summary="Get real-time users status (lichess)",
    response_model=list[UserStatus],
    response_model_exclude_none=True,
    responses=_errors_of(400, 503),
)
async def users_status(
    services: ServicesDep,
    ids: Annotated[str, Query(description="Usernames separated by commas, up to 100.")],
    withGameIds: Annotated[bool, Query(description="Add `playingId`.")] = False,  # noqa: N803
) -> list[UserStatus]:
    """Whether each user named is online (seen in the last three minutes) and playing.
    Unknown names are left out, as lichess does. No token needed."""
    names = [name.strip() for name in ids.split(",") if name.strip()]
    if len(names) > MAX_STATUS_IDS:
        raise InvalidRequest(f"Too many ids: {len(names)}, expected up to {MAX_STATUS_IDS}")
    by_key = {user.username.lower(): user for user in await services.accounts.named(names)}
    found = [by_key[key] for key in dict.fromkeys(n.lower() for n in names) if key in by_key]
    active = await services.store.active_of([user.id for user in found])
    now = time.time_ns() // 1_000_000
    return [
        UserStatus(
            id=user.username.lower(),
            name=user.username,
            title=user.title,
            online=True if is_online(user, now) else None,
            playing=True if user.id in active else None,
            playingId=active.get(user.id) if withGameIds else None,
        )
        for user in found
    ]


@router.get(
    "/api/bot/online",
    summary="Get online bots (lichess)",
    response_class=Response,
    responses={
        200: {
            "description": "One lichess `User` per line (NDJSON), most recently seen first.",
            "content": {"application/x-ndjson": {}},
        },
        **_errors_of(400, 503),
    },
)
async def online_bots(
    services: ServicesDep,
    nb: Annotated[int, Query(ge=1, le=1000, description="How many bots.")] = 50,
) -> Response:
    """The bot accounts seen in the last three minutes, most recently seen first. No
    token needed."""
    lines = []
    for bot in await services.accounts.online_bots(nb):
        shown = LichessUser(**_user(bot, await services.stats.of(bot.id)))
        lines.append(shown.model_dump_json(exclude_none=True) + "\n")
    return Response("".join(lines), media_type="application/x-ndjson")


@router.post(
    "/api/bot/account/upgrade",
    summary="Upgrade to Bot account (lichess)",
    response_model=Ok,
    responses=_errors_of(400, 401, 403, 503),
)
async def upgrade(
    caller: Annotated[AccessClaims, requires_scope("bot:play")], accounts: AccountsDep
) -> Ok:
    """Turn your account into a bot account, for good, so it may play on the Bot API;
    only an account that has never played may (`400` otherwise). Needs `bot:play`."""
    await accounts.upgrade_to_bot(caller)
    return Ok(ok=True)


@router.post(
    "/api/token/test",
    summary="Test multiple OAuth tokens (lichess)",
    response_model=dict[str, TokenInfo | None],
    responses=_errors_of(400, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": f"Tokens separated by commas, up to {MAX_TEST_TOKENS}.",
            "content": {
                "text/plain": {"schema": {"type": "string"}, "example": "gbt_yourToken,gbt_another"}
            },
        }
    },
)
async def test_tokens(request: Request, accounts: AccountsDep) -> dict[str, TokenInfo | None]:
    """For each token sent, its user id, scopes and expiry, or null if it is not valid:
    how a client checks a token before using it. No token needed."""
    text = (await request.body()).decode("utf-8", errors="replace")
    tokens = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if len(tokens) > MAX_TEST_TOKENS:
        raise InvalidRequest(f"Too many tokens: {len(tokens)}, expected up to {MAX_TEST_TOKENS}")
    tested = await accounts.test_tokens(tokens)
    return {
        token: None
        if info is None
        else TokenInfo(userId=info.user_id, scopes=",".join(info.scopes), expires=info.expires_at)
        for token, info in tested.items()
    }
