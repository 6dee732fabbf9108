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
from gambit.services.challenges import DAYS, Challenges, Terms
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
ChallengeId = Annotated[str, Path(alias="challengeId", max_length=36)]


async def get_challenges(request: Request) -> Challenges:
    services: Services = request.app.state.services
    return services.challenges


ChallengesDep = Annotated[Challenges, Depends(get_challenges)]


_TERMS: dict[str, dict[str, Any]] = {
    "rated": {"type": "boolean", "default": False},
    "clock.limit": {"type": "integer", "description": "Seconds: 0, 15, 30, 45, 60, 90 or minutes."},
    "clock.increment": {"type": "integer", "description": "Seconds added per move, 0-60."},
    "days": {"type": "integer", "enum": sorted(DAYS), "description": "Or days per move."},
    "color": {"type": "string", "enum": ["random", "white", "black"], "default": "random"},
    "variant": {"type": "string", "enum": ["standard", "fromPosition"], "default": "standard"},
    "fen": {"type": "string", "description": "The start position of a fromPosition game."},
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
    openapi_extra=form_body(_TERMS | {"level": {"type": "integer", "minimum": 1, "maximum": 8}}),
)
async def challenge_ai(request: Request, challenges: ChallengesDep, caller: Caller) -> JSONResponse:
    """Start a game with gambit's engine at lichess's level 1 to 8 (see the README's map)."""
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
        }
    ),
)
async def create_challenge(
    request: Request,
    username: Annotated[str, Path(max_length=40)],
    challenges: ChallengesDep,
    services: ServicesDep,
    caller: Caller,
) -> dict[str, Any]:
    """Challenge ``username``; they accept or decline from their event stream.
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
    await challenges.accept(caller.user_id, challenge_id)
    return ok()


@router.post("/{challengeId}/decline", response_model=Ok, summary="Decline a challenge")
async def decline(
    request: Request, challenge_id: ChallengeId, challenges: ChallengesDep, caller: Caller
) -> Any:
    reason = (await fields(request)).get("reason") or "generic"
    await challenges.decline(caller.user_id, challenge_id, reason)
    return ok()


@router.post("/{challengeId}/cancel", response_model=Ok, summary="Cancel a challenge")
async def cancel(challenge_id: ChallengeId, challenges: ChallengesDep, caller: Caller) -> Any:
    await challenges.cancel(caller.user_id, challenge_id)
    return ok()
