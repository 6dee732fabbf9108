"""Dependencies that hand the routers the services built at start-up.

They are ``async`` so that FastAPI calls them inline instead of in its thread pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from gambit.ai import ChessEngine
from gambit.ai.player import AIPlayer
from gambit.api.counters import Counters
from gambit.bus import EventBus
from gambit.services.accounts import Accounts
from gambit.services.analysis import Analysis
from gambit.services.arena import Arena
from gambit.services.challenges import Challenges
from gambit.services.chess_games import ChessGames
from gambit.services.lichess_play import LichessPlay
from gambit.services.replays import Replays
from gambit.services.repository import BattleRepository
from gambit.services.stats import Stats
from gambit.services.tournaments import Tournaments
from gambit.settings import Settings
from gambit.store import BattleStore


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the routes use, built once by the application's lifespan."""

    settings: Settings
    store: BattleStore
    bus: EventBus
    counters: Counters
    engine: ChessEngine
    battles: BattleRepository
    ai_players: Mapping[str, AIPlayer]
    chess_games: ChessGames
    accounts: Accounts
    arena: Arena
    stats: Stats
    replays: Replays
    analysis: Analysis
    challenges: Challenges
    lichess: LichessPlay
    tournaments: Tournaments


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_chess_games(request: Request) -> ChessGames:
    # Straight from the request rather than through get_services: one dependency
    # level less on the busiest routes.
    services: Services = request.app.state.services
    return services.chess_games


ChessGamesDep = Annotated[ChessGames, Depends(get_chess_games)]


async def get_accounts(request: Request) -> Accounts:
    services: Services = request.app.state.services
    return services.accounts


AccountsDep = Annotated[Accounts, Depends(get_accounts)]


async def get_arena(request: Request) -> Arena:
    services: Services = request.app.state.services
    return services.arena


ArenaDep = Annotated[Arena, Depends(get_arena)]
