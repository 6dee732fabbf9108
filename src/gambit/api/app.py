"""The ASGI application: routers, middleware, error handlers and the services' lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from gambit import __version__
from gambit.ai import create_chess_engine
from gambit.ai.player import ChessAI
from gambit.api.body_limit import BodyLimitMiddleware
from gambit.api.deps import Services
from gambit.api.errors import install_error_handlers
from gambit.api.ratelimit import LimitRule, RateLimitMiddleware
from gambit.api.routes import games, health
from gambit.bus import InProcessBus
from gambit.services.battles import BattleService
from gambit.services.chess_games import ChessGames
from gambit.settings import Settings
from gambit.store import BattleStore, migrate, open_database

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 64 * 1024  # every request body of the API is a few hundred bytes

DESCRIPTION = """
Battles between people and AI players over REST. Chess is played on the `/games`
endpoints: create a game with two players (human `type: 1` or computer `type: 2`),
post moves in UCI notation, and post `cccc` to make the computer move.

Every error has the body `{"error", "message", "code", "details"}`.
"""


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="gambit",
        version=__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)

    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(games.router, prefix=API_PREFIX)
    app.include_router(health.router, include_in_schema=False)

    if settings.rate_limit_enabled:
        app.add_middleware(
            RateLimitMiddleware,
            limiter=MovingWindowRateLimiter(MemoryStorage()),
            rules=[
                LimitRule(
                    "games",
                    RateLimitItemPerSecond(settings.games_rate_per_second),
                    lambda path: path.startswith(f"{API_PREFIX}/games"),
                )
            ],
            trusted_proxies=settings.trusted_proxies,
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.openapi = lambda: _openapi_without_422(app)  # type: ignore[method-assign]
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    database = open_database(settings.database_url) if settings.storage_enabled else None
    if database is not None:
        await migrate(database)
    store = BattleStore(database)
    await store.start()
    engine = create_chess_engine(settings.stockfish_path, settings.engine_workers)
    await engine.start()
    bus = InProcessBus()
    battles = BattleService(store, bus, {"chess": ChessAI(engine)})
    await battles.load()
    app.state.services = Services(settings, store, bus, engine, ChessGames(battles))
    try:
        yield
    finally:
        await battles.close()
        await store.close()
        await engine.close()
        await bus.close()


def _openapi_without_422(app: FastAPI) -> dict[str, Any]:
    """The schema, minus FastAPI's stock 422 responses: gambit answers 400 instead."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
