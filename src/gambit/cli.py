"""The ``gambit`` command: ``gambit serve`` and ``gambit db migrate``.

Every ``serve`` flag overrides the environment variable of the same setting, so
``--port 9000`` and ``API_PORT=9000`` mean the same thing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import Any

from gambit.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    code: int = args.run(args)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gambit", description="A battle server for people and AIs."
    )
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", dest="api_host", help="interface to listen on (API_HOST)")
    serve.add_argument("--port", dest="api_port", type=int, help="port (API_PORT, default 8080)")
    serve.add_argument(
        "--debug",
        dest="api_debug",
        action="store_true",
        default=None,
        help="verbose logging (API_DEBUG)",
    )
    serve.add_argument(
        "--dev",
        dest="dev_mode",
        action="store_true",
        default=None,
        help="development mode: relaxed rate limits (DEV_MODE)",
    )
    serve.add_argument(
        "--database-url",
        dest="database_url",
        help="SQLAlchemy URL (DATABASE_URL, default SQLite in ./data)",
    )
    serve.add_argument(
        "--no-storage",
        dest="storage_enabled",
        action="store_false",
        default=None,
        help="keep games in memory only (STORAGE_ENABLED=false)",
    )
    serve.add_argument(
        "--engine-workers",
        dest="engine_workers",
        type=int,
        help="engine processes (ENGINE_WORKERS, default CPU count)",
    )
    serve.add_argument(
        "--stockfish-path",
        dest="stockfish_path",
        help="Stockfish binary (STOCKFISH_PATH, default: searched)",
    )
    serve.add_argument(
        "--no-rate-limit",
        dest="rate_limit_enabled",
        action="store_false",
        default=None,
        help="switch rate limits off (RATE_LIMIT_ENABLED=false)",
    )
    serve.add_argument(
        "--trusted-proxies",
        dest="trusted_proxies",
        help="networks whose X-Forwarded-For is believed (TRUSTED_PROXIES)",
    )
    serve.add_argument(
        "--long-poll-seconds",
        dest="long_poll_seconds",
        type=float,
        help="long-poll timeout (LONG_POLL_SECONDS, default 25)",
    )
    serve.set_defaults(run=_serve)

    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(title="database commands", required=True)
    db_migrate = db_commands.add_parser("migrate", help="bring the schema up to date")
    db_migrate.add_argument(
        "--database-url", dest="database_url", help="SQLAlchemy URL (DATABASE_URL)"
    )
    db_migrate.set_defaults(run=_db_migrate)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        name: value for name, value in vars(args).items() if name != "run" and value is not None
    }
    return Settings(**overrides)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gambit.api.app import create_app

    settings = _settings(args)
    _configure_logging(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        proxy_headers=False,  # X-Forwarded-For is judged by TRUSTED_PROXIES instead
        log_level="debug" if settings.api_debug else "info",
        access_log=settings.api_debug,
    )
    return 0


def _db_migrate(args: argparse.Namespace) -> int:
    from gambit.store import migrate, open_database

    settings = _settings(args)
    _configure_logging(settings)

    async def run() -> None:
        engine = open_database(settings.database_url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"database at {settings.database_url} is up to date")
    return 0


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=logging.DEBUG if settings.api_debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


if __name__ == "__main__":
    raise SystemExit(main())
