"""``/tournaments``: round-robins, gauntlets, Swiss tournaments and SPRT matches; and
``/engines``, what the built-in engines' levels are worth."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from gambit.api.auth import Caller
from gambit.api.deps import ServicesDep
from gambit.api.routing import JsonRoute
from gambit.api.schemas.common import error_responses
from gambit.api.schemas.tournaments import (
    CreateTournamentRequest,
    EngineRating,
    Engines,
    Status,
    Tournament,
    TournamentPage,
    TournamentSummary,
)
from gambit.contests.calibration import TABLE
from gambit.games import RULESETS
from gambit.services.tournaments import Entry, report, summary

router = APIRouter(tags=["tournaments"], route_class=JsonRoute)

TournamentId = Annotated[
    str, Path(alias="tournamentId", max_length=36, description="The tournament's id.")
]

_errors = error_responses(
    {
        400: "Invalid settings (`INVALID_REQUEST` says which, in words).",
        401: "Missing, invalid, expired or revoked token.",
        403: "Only the tournament's creator may do this (`FORBIDDEN`).",
        404: "No tournament with this id (`NOT_FOUND`).",
        409: "Wrong status for the action, or already joined (`CONFLICT`).",
        415: "The body is not `application/json`.",
        429: "Rate limit exceeded; see `Retry-After`.",
    }
)


@router.post(
    "/tournaments",
    status_code=201,
    summary="Create a tournament or match",
    response_model=Tournament,
    responses=_errors(400, 401, 415, 429),
)
async def create_tournament(
    body: CreateTournamentRequest, caller: Caller, services: ServicesDep
) -> Tournament:
    """A tournament or match of users and built-in engines, in one of five formats. It
    stays `open` until you start it, and users may join it meanwhile; you alone may start,
    pause and cancel it."""
    settings = body.model_dump(mode="json", exclude={"participants"})
    entries = [Entry(p.userId, p.engine, p.level, p.searchTime) for p in body.participants]
    created = await services.tournaments.create(caller.user_id, settings, entries)
    return Tournament.model_validate(report(created))


@router.get(
    "/tournaments",
    summary="List tournaments",
    response_model=TournamentPage,
    responses=_errors(400, 429),
)
async def list_tournaments(
    services: ServicesDep,
    status: Annotated[Status | None, Query(description="Only tournaments in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Tournaments per page, 1–100.")] = 20,
    offset: Annotated[
        int,
        Query(ge=0, le=100_000, description="Tournaments to skip: the `nextOffset` of a page."),
    ] = 0,
) -> TournamentPage:
    """Tournaments and matches, newest first, a page at a time."""
    found, next_offset = await services.tournaments.page(status, limit, offset)
    return TournamentPage(
        tournaments=[TournamentSummary.model_validate(summary(t)) for t in found],
        nextOffset=next_offset,
    )


@router.get(
    "/tournaments/{tournamentId}",
    summary="A tournament: standings, crosstable, Elo, SPRT, games",
    response_model=Tournament,
    responses=_errors(400, 404, 429),
)
async def get_tournament(tournament_id: TournamentId, services: ServicesDep) -> Tournament:
    """Where the tournament stands: its participants, progress, standings with Elo and
    95% intervals, crosstable, likelihood of superiority, SPRT state, and every game."""
    return Tournament.model_validate(report(await services.tournaments.get(tournament_id)))


@router.get(
    "/tournaments/{tournamentId}/results",
    summary="The results as a JSON download",
    response_model=Tournament,
    responses=_errors(400, 404, 429),
)
async def tournament_results(tournament_id: TournamentId, services: ServicesDep) -> Response:
    """The same as `GET /tournaments/{tournamentId}`, as a file to save
    (`Content-Disposition: attachment`)."""
    found = report(await services.tournaments.get(tournament_id))
    return Response(
        json.dumps(Tournament.model_validate(found).model_dump(mode="json")),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="tournament-{found["id"]}.json"'},
    )


@router.get(
    "/tournaments/{tournamentId}/pgn",
    summary="Every finished chess game, one PGN file",
    response_class=Response,
    responses={
        200: {"content": {"application/x-chess-pgn": {"schema": {"type": "string"}}}},
        **_errors(400, 404, 429),
    },
)
async def tournament_pgn(tournament_id: TournamentId, services: ServicesDep) -> Response:
    """The tournament's finished chess games in one PGN file, for a chess GUI or a rating
    tool (empty for duel, which has no PGN)."""
    tournament = await services.tournaments.get(tournament_id)
    return Response(
        await services.tournaments.pgn(tournament),
        media_type="application/x-chess-pgn",
        headers={"Content-Disposition": f'attachment; filename="tournament-{tournament.id}.pgn"'},
    )


@router.post(
    "/tournaments/{tournamentId}/join",
    summary="Join an open tournament",
    response_model=Tournament,
    responses=_errors(400, 401, 404, 409, 429),
)
async def join_tournament(
    tournament_id: TournamentId, caller: Caller, services: ServicesDep
) -> Tournament:
    """Enter an `open` tournament yourself. Each of your games starts as an ordinary
    battle with you in a seat: play it (or let your bot play it) as any other; a side
    that never makes its first move loses."""
    joined = await services.tournaments.join(tournament_id, caller.user_id)
    return Tournament.model_validate(report(joined))


@router.post(
    "/tournaments/{tournamentId}/start",
    summary="Start it (or resume it when paused)",
    response_model=Tournament,
    responses=_errors(400, 401, 403, 404, 409, 429),
)
async def start_tournament(
    tournament_id: TournamentId, caller: Caller, services: ServicesDep
) -> Tournament:
    """Start the games of your `open` tournament, or go on with a `paused` one."""
    started = await services.tournaments.start(tournament_id, caller.user_id)
    return Tournament.model_validate(report(started))


@router.post(
    "/tournaments/{tournamentId}/pause",
    summary="Stop starting games; those in play finish",
    response_model=Tournament,
    responses=_errors(400, 401, 403, 404, 409, 429),
)
async def pause_tournament(
    tournament_id: TournamentId, caller: Caller, services: ServicesDep
) -> Tournament:
    """Start no more games of your running tournament; those in play finish. Start it
    again to go on."""
    paused = await services.tournaments.pause(tournament_id, caller.user_id)
    return Tournament.model_validate(report(paused))


@router.post(
    "/tournaments/{tournamentId}/cancel",
    summary="Cancel: games not started are dropped, those in play finish and count",
    response_model=Tournament,
    responses=_errors(400, 401, 403, 404, 409, 429),
)
async def cancel_tournament(
    tournament_id: TournamentId, caller: Caller, services: ServicesDep
) -> Tournament:
    """End your tournament for good: games not started are dropped, those in play
    finish and count."""
    canceled = await services.tournaments.cancel(tournament_id, caller.user_id)
    return Tournament.model_validate(report(canceled))


@router.get(
    "/engines",
    summary="The built-in engines' levels in Elo, with 95% intervals",
    response_model=Engines,
    responses=_errors(429),
)
async def engines() -> Engines:
    """What each level of the built-in engines is worth, measured by a round-robin of
    the levels against each other: Elo relative to the anchor level (at 0), with a 95%
    interval. Enter an engine in a tournament by these names and levels."""
    playing = {ruleset.engine: ruleset for ruleset in RULESETS.values()}
    return Engines(
        engines=[
            EngineRating(
                engine=row.engine,
                game=playing[row.engine].name,
                title=playing[row.engine].engine_title,
                level=row.level,
                searchTime=row.search_time,
                elo=row.elo,
                eloLow=row.low,
                eloHigh=row.high,
                anchor=row.anchor,
            )
            for row in TABLE
        ]
    )
