"""The ASGI application: routers, middleware, error handlers and the services' lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.middleware.cors import CORSMiddleware

from gambit import __version__
from gambit.ai import create_chess_engine
from gambit.ai.duel import DuelAI
from gambit.ai.player import AIPlayer, ChessAI
from gambit.api.access import AccessMiddleware
from gambit.api.body_limit import BodyLimitMiddleware
from gambit.api.counters import Counters
from gambit.api.deps import Services
from gambit.api.errors import install_error_handlers
from gambit.api.lichess import accounts as lichess_accounts
from gambit.api.lichess import challenges as lichess_challenges
from gambit.api.lichess import games as lichess_games
from gambit.api.lichess import streams as lichess_streams
from gambit.api.openapi import DESCRIPTION, TAGS, openapi_schema
from gambit.api.paths import TrailingSlashMiddleware
from gambit.api.ratelimit import RateLimitMiddleware, limit_rules
from gambit.api.routes import (
    api_tokens,
    auth,
    battles,
    games,
    health,
    leaderboard,
    metrics,
    state,
    system,
    tournaments,
    users,
)
from gambit.api.security import SecurityMiddleware
from gambit.api.web import install_web_face
from gambit.api.ws import socket
from gambit.api.ws.hub import Hub
from gambit.api.ws.render import renderer, seated_users
from gambit.bus import battle_topic, create_bus
from gambit.services.accounts import Accounts
from gambit.services.analysis import Analysis
from gambit.services.arena import Arena
from gambit.services.battles import BattleCore
from gambit.services.challenges import Challenges
from gambit.services.chess_games import ChessGames
from gambit.services.lichess_play import LichessPlay
from gambit.services.login_guard import LoginGuard
from gambit.services.passwords import Passwords
from gambit.services.replays import Replays
from gambit.services.stats import Stats
from gambit.services.tokens import Tokens, secret_key
from gambit.services.tournaments import Tournaments
from gambit.settings import Settings
from gambit.store import BattleStore, migrate, open_database
from gambit.store.challenges import ChallengeStore
from gambit.store.tournaments import TournamentStore
from gambit.store.users import UserStore

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 64 * 1024  # every request body of the API is a few hundred bytes
RATE_LIMIT_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
]


def create_app(settings: Settings) -> FastAPI:
    """The application for ``settings``; raises `MissingSecretKey` without a signing key."""
    tokens = Tokens(
        secret_key(settings), settings.auth_algorithm, settings.auth_token_expire_minutes
    )
    counters = Counters(settings.redis_url)
    limiter = MovingWindowRateLimiter(counters)
    app = FastAPI(
        title="gambit",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=_lifespan,
        # gambit exports no OpenTelemetry; looking for providers on every request cost
        # a move 8% of its time.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,  # served from local bundles: gambit.api.web
        redoc_url=None,
        redirect_slashes=False,  # TrailingSlashMiddleware: a slash too many is no redirect
    )
    app.state.settings = settings
    app.state.tokens = tokens
    app.state.counters = counters
    app.state.limiter = limiter
    install_error_handlers(app)

    seed_000 = (
        health.router,
        auth.router,
        auth.form_router,
        users.router,
        battles.router,
        state.router,
    )
    # Routes are matched in order: the busiest face first.
    routers = (
        games.router,
        *seed_000,
        api_tokens.router,
        state.usage_router,
        leaderboard.router,
        tournaments.router,
        system.router,
    )
    for router in (*routers, socket.router):
        app.include_router(router, prefix=API_PREFIX)
    # Seed 000's paths at the root answer too, outside the schema.
    for router in seed_000:
        app.include_router(router, include_in_schema=False)
    # The lichess face at lichess's own paths.
    app.include_router(lichess_accounts.router)
    # lichess's paths, at the root as lichess has them.
    for router in (
        lichess_games.bot_router,
        lichess_games.board_router,
        lichess_streams.router,
        lichess_challenges.router,
        lichess_games.export_router,
    ):
        app.include_router(router)
    install_web_face(app)
    if settings.metrics_enabled:
        app.include_router(metrics.router)

    if settings.rate_limit_enabled:
        app.add_middleware(
            RateLimitMiddleware,
            limiter=limiter,
            rules=limit_rules(settings, API_PREFIX),
            trusted_proxies=settings.trusted_proxies,
            user_of=tokens.subject,
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=RATE_LIMIT_HEADERS,
        max_age=600,
    )
    app.add_middleware(
        SecurityMiddleware,
        require_https=settings.require_https,
        trusted_proxies=settings.trusted_proxies,
    )
    # Next to outermost, so that its time and status are those of the whole answer; it
    # sees the path without its slash, so that the route's template is found.
    app.add_middleware(
        AccessMiddleware, routes=app.router.routes, trusted_proxies=settings.trusted_proxies
    )
    # Outermost: rate limits, security and routing all see the path without its slash.
    app.add_middleware(TrailingSlashMiddleware)
    app.openapi = lambda: openapi_schema(app, API_PREFIX, MAX_BODY_BYTES)  # type: ignore[method-assign]
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    counters: Counters = app.state.counters
    database = open_database(settings.database_url, settings.database_timeout)
    await migrate(database)
    store = BattleStore(database)
    await store.start()
    bus = create_bus(settings.redis_url)
    await bus.start()
    accounts = Accounts(
        UserStore(database),
        Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
        app.state.tokens,
        LoginGuard(
            app.state.limiter,
            per_pair=settings.login_failures_per_pair,
            per_ip=settings.login_failures_per_ip,
            slow_after=settings.login_failures_slow_down,
            window_minutes=settings.login_lock_minutes,
        ),
        settings.auth_refresh_expire_days,
    )
    await accounts.start()
    engine = create_chess_engine(settings.stockfish_path, settings.engine_workers)
    await engine.start()
    duel_ai = DuelAI(settings.engine_workers)
    ai_players: dict[str, AIPlayer] = {"chess": ChessAI(engine), "duel": duel_ai}
    core = BattleCore(
        store,
        bus,
        ai_players,
        waiting_expiry_seconds=settings.battle_waiting_expire_seconds,
        idle_seconds=settings.battle_idle_seconds,
    )
    await core.start()
    stats = Stats(store)
    challenges = Challenges(ChallengeStore(database), accounts, stats, core.referee, bus)
    replays = Replays(accounts)
    contests = Tournaments(
        TournamentStore(database), core.repository, core.referee, accounts, stats, replays, bus
    )
    app.state.services = Services(
        settings=settings,
        store=store,
        bus=bus,
        counters=counters,
        engine=engine,
        battles=core.repository,
        ai_players=ai_players,
        chess_games=ChessGames(core.repository, core.referee, core.ai_turns, bus),
        accounts=accounts,
        arena=Arena(core.repository, core.referee, store),
        stats=stats,
        replays=replays,
        analysis=Analysis(core.repository, ai_players),
        challenges=challenges,
        lichess=LichessPlay(
            core.repository,
            core.referee,
            store,
            challenges,
            bus,
            claim_after_seconds=settings.lichess_claim_victory_seconds,
        ),
        tournaments=contests,
    )
    contests.start_runner()  # resumes running tournaments from the database
    hub = Hub(
        bus,
        renderer(core.repository.peek),
        seated_users(core.repository.peek),
        queue_size=settings.ws_queue_size,
        close_timeout=settings.ws_pong_timeout,
        resume_seconds=settings.ws_resume_seconds,
        resume_events=settings.ws_resume_events,
    )
    hub.start()
    core.repository.pin(lambda battle_id: hub.watching(battle_topic(battle_id)))
    app.state.hub = hub
    try:
        yield
    finally:
        await hub.close()
        await contests.close()
        await core.close()
        await accounts.close()
        await store.close()
        await engine.close()
        await duel_ai.close()
        await bus.close()
        await counters.close()
