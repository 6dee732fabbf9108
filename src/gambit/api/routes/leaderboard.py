"""``/leaderboard/{game}``: the highest ratings in a game."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from gambit.api.deps import ServicesDep
from gambit.api.routing import JsonRoute
from gambit.api.schemas.battles import GameName, Speed
from gambit.api.schemas.common import error_responses
from gambit.api.schemas.users import Leaderboard
from gambit.games.clock import UNTIMED

router = APIRouter(prefix="/leaderboard", tags=["users"], route_class=JsonRoute)

_errors = error_responses(
    {
        400: "Unknown game, or a bad `limit` or `offset`.",
        429: "Rate limit exceeded; see `Retry-After`.",
    }
)


@router.get(
    "/{game}",
    summary="The highest ratings in a game",
    response_model=Leaderboard,
    responses=_errors(400, 429),
)
async def leaderboard(
    services: ServicesDep,
    game: Annotated[GameName, Path(description="`chess` or `duel`.")],
    limit: Annotated[int, Query(ge=1, le=100, description="Players per page, 1–100.")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=100_000, description="Players to skip: the `nextOffset` of a page.")
    ] = 0,
    speed: Annotated[
        Speed,
        Query(
            description="lichess's speeds for battles with a time control; `untimed` "
            "(the default) for battles without one."
        ),
    ] = UNTIMED,
) -> Leaderboard:
    """Players who have played `game` at `speed`, highest Glicko-2 rating first."""
    ranked = await services.stats.leaderboard(game, speed, offset, limit + 1)
    return Leaderboard.of(game, speed, ranked, offset, limit)
