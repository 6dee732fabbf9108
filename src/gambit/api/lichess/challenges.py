"""lichess's challenges: /api/challenge…"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from gambit.api.auth import requires_scope
from gambit.api.deps import Services, ServicesDep
from gambit.api.lichess.common import fields, flag, form_body, number, ok
from gambit.api.lichess.errors import PLAY_ERRORS, LichessRoute, Ok
from gambit.api.lichess.views import COLOURS, STATUS_IDS, Players, speed, variant
from gambit.services.challenges import AI_LEVELS, DAYS, DECLINE_REASONS, Challenges, Terms
from gambit.services.tokens import AccessClaims

router = APIRouter(
    prefix="/api/challenge",
    tags=["lichess: challenges"],
    route_class=LichessRoute,
    responses=PLAY_ERRORS,
)

# As lichess: a bot's bot:play token (or a person's board:play one) may challenge, accept,
# decline and cancel without challenge:write.
Caller = Annotated[AccessClaims, requires_scope("challenge:write", "bot:play", "board:play")]
ChallengeId = Annotated[
    str, Path(alias="challengeId", max_length=36, description="The challenge's id.")
]


async def get_challenges(request: Request) -> Challenges:
    services: Services = request.app.state.services
    return services.challenges


ChallengesDep = Annotated[Challenges, Depends(get_challenges)]


_TERMS: dict[str, dict[str, Any]] = {
    "rated": {
        "type": "boolean",
        "default": False,
        "description": "Whether lichess would rate it; gambit rates every game.",
    },
    "clock.limit": {
        "type": "integer",
        "description": "A clock: each side's time in seconds, 0, 15, 30, 45, 60, 90 or "
        "whole minutes up to 10800; with `clock.increment`.",
    },
    "clock.increment": {
        "type": "integer",
        "description": "Seconds added after each move, 0 to 60; with `clock.limit`.",
    },
    "days": {
        "type": "integer",
        "enum": sorted(DAYS),
        "description": "Or, instead of a clock, days for each move.",
    },
    "color": {
        "type": "string",
        "enum": ["random", "white", "black"],
        "default": "random",
        "description": "The colour you play.",
    },
    "variant": {
        "type": "string",
        "enum": ["standard", "fromPosition"],
        "default": "standard",
        "description": "`fromPosition` starts from `fen`.",
    },
    "fen": {"type": "string", "description": "The start position of a `fromPosition` game."},
}


def _terms(body: dict[str, str]) -> Terms:
    return Terms(
        rated=flag(body.get("rated"), "rated"),
        color=body.get("color") or "random",
        variant=body.get("variant") or "standard",
        fen=body.get("fen") or None,
        clock_limit=number(body.get("clock.limit"), "clock.limit"),
        clock_increment=number(body.get("clock.increment"), "clock.increment"),
        days=number(body.get("days"), "days"),
    )


def _players(services: Services) -> Players:
    return Players(services.accounts, services.stats)


def _base_url(request: Request) -> str:
    return str(request.base_url)


@router.get("", summary="List your challenges")
async def list_challenges(
    request: Request,
    challenges: ChallengesDep,
    services: ServicesDep,
    caller: Annotated[AccessClaims, requires_scope("challenge:read")],
) -> dict[str, list[dict[str, Any]]]:
    """The challenges waiting for an answer: those sent to you (`in`) and yours (`out`).
    Needs `challenge:read`."""
    players = _players(services)
    listed: dict[str, list[dict[str, Any]]] = {"in": [], "out": []}
    for challenge in await challenges.pending(caller.user_id):
        direction = "in" if challenge.dest_user_id == caller.user_id else "out"
        listed[direction].append(await players.challenge(challenge, _base_url(request), direction))
    return listed


@router.post(
    "/ai",
    summary="Challenge the AI",
    status_code=201,
    description="Start a game at once against gambit's engine, at one of lichess's AI "
    "levels, each played at a gambit level and thinking time: "
    + "; ".join(f"{key} → level {level}, {ms} ms" for key, (level, ms) in AI_LEVELS.items())
    + ". The game then shows on your event stream.",
    openapi_extra=form_body(
        _TERMS
        | {
            "level": {
                "type": "integer",
                "minimum": 1,
                "maximum": 8,
                "description": "lichess's AI level, 1 to 8.",
            }
        },
        {"level": 1, "clock.limit": 300, "clock.increment": 3, "color": "white"},
    ),
)
async def challenge_ai(request: Request, challenges: ChallengesDep, caller: Caller) -> JSONResponse:
    body = await fields(request)
    level = number(body.get("level"), "level") or 0
    battle = await challenges.against_ai(caller.user_id, level, _terms(body))
    seat = next(i for i, s in enumerate(battle.seats) if s.user_id == caller.user_id)
    key = speed(battle.options)
    game = {
        "id": battle.id,
        "variant": variant(battle),
        "speed": key,
        "perf": key,
        "rated": False,
        "fen": battle.state.fen(),
        "turns": len(battle.actions),
        "source": "ai",
        "status": {"id": STATUS_IDS["started"], "name": "started"},
        "createdAt": battle.created_at,
        "player": COLOURS[seat],
        "fullId": battle.id,
    }
    return JSONResponse(game, status_code=201)


@router.post(
    "/{username}",
    summary="Create a challenge",
    openapi_extra=form_body(
        _TERMS
        | {
            "engine": {
                "type": "integer",
                "minimum": 1,
                "maximum": 8,
                "description": "gambit's own: its engine at this lichess level plays your side.",
            }
        },
        {"clock.limit": 300, "clock.increment": 3, "color": "random"},
    ),
)
async def create_challenge(
    request: Request,
    username: Annotated[str, Path(max_length=40, description="Who you challenge.")],
    challenges: ChallengesDep,
    services: ServicesDep,
    caller: Caller,
) -> dict[str, Any]:
    """Challenge ``username`` to a game; they accept or decline from their event stream.
    ``keepAliveStream`` and ``rules`` are taken and ignored: challenges do not expire.

    gambit's own field ``engine`` (a lichess AI level, 1 to 8) sends the challenge on
    behalf of gambit's engine, which plays the challenger's side: put your bot against
    a fixed opponent."""
    body = await fields(request)
    engine = number(body.get("engine"), "engine")
    challenge = await challenges.create(caller.user_id, username, _terms(body), engine)
    return await _players(services).challenge(challenge, _base_url(request), "out")


@router.post("/{challengeId}/accept", response_model=Ok, summary="Accept a challenge")
async def accept(challenge_id: ChallengeId, challenges: ChallengesDep, caller: Caller) -> Any:
    """Accept a challenge sent to you: the game starts, and shows on both players' event
    streams."""
    await challenges.accept(caller.user_id, challenge_id)
    return ok()


@router.post(
    "/{challengeId}/decline",
    response_model=Ok,
    summary="Decline a challenge",
    openapi_extra=form_body(
        {
            "reason": {
                "type": "string",
                "enum": list(DECLINE_REASONS),
                "default": "generic",
                "description": "Why, in lichess's words the challenger reads.",
            }
        },
        {"reason": "later"},
    ),
)
async def decline(
    request: Request, challenge_id: ChallengeId, challenges: ChallengesDep, caller: Caller
) -> Any:
    """Turn down a challenge sent to you, with a reason; the challenger's event stream
    says so."""
    reason = (await fields(request)).get("reason") or "generic"
    await challenges.decline(caller.user_id, challenge_id, reason)
    return ok()


@router.post("/{challengeId}/cancel", response_model=Ok, summary="Cancel a challenge")
async def cancel(challenge_id: ChallengeId, challenges: ChallengesDep, caller: Caller) -> Any:
    """Take back a challenge you sent, before it is answered."""
    await challenges.cancel(caller.user_id, challenge_id)
    return ok()
