"""The ``gambit`` command: ``serve``, ``db init|migrate`` and ``user add|list|…``.

Every flag overrides the environment variable of the same setting, so ``--port 9000``
and ``API_PORT=9000`` mean the same thing. Exit codes: 0 done, 1 refused (a duplicate
or unknown user, a missing setting), 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from gambit.settings import Settings

if TYPE_CHECKING:
    from gambit.services.accounts import Accounts


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
        "--database-timeout",
        dest="database_timeout",
        type=float,
        help="seconds a database call may wait before failing (DATABASE_TIMEOUT, default 5)",
    )
    serve.add_argument(
        "--battle-idle-seconds",
        dest="battle_idle_seconds",
        type=float,
        help="a battle unused this long leaves memory (BATTLE_IDLE_SECONDS, default 600)",
    )
    serve.add_argument(
        "--lichess-keepalive-seconds",
        dest="lichess_keepalive_seconds",
        type=float,
        help="a quiet lichess stream's empty line, this often (LICHESS_KEEPALIVE_SECONDS, 7)",
    )
    serve.add_argument(
        "--lichess-claim-victory-seconds",
        dest="lichess_claim_victory_seconds",
        type=float,
        help="wait after a player's streams close before the win may be claimed "
        "(LICHESS_CLAIM_VICTORY_SECONDS, 20)",
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
    serve.add_argument("--data-dir", dest="data_dir", help="server files (DATA_DIR, ./data)")
    serve.add_argument(
        "--redis-url",
        dest="redis_url",
        help="Redis for events and rate-limit counters shared by processes (REDIS_URL)",
    )
    serve.add_argument(
        "--auth-secret-key",
        dest="auth_secret_key",
        help="token signing key (AUTH_SECRET_KEY; prefer the environment variable)",
    )
    serve.add_argument(
        "--cors-origins",
        dest="cors_origins",
        help="allowed origins, comma-separated (CORS_ORIGINS)",
    )
    serve.add_argument(
        "--require-https",
        dest="require_https",
        action="store_true",
        default=None,
        help="refuse plain HTTP unless a trusted proxy says https (REQUIRE_HTTPS)",
    )
    serve.add_argument("--ssl-certfile", dest="ssl_certfile", help="serve HTTPS with this cert")
    serve.add_argument("--ssl-keyfile", dest="ssl_keyfile", help="... and this private key")
    serve.set_defaults(run=_serve)

    system = commands.add_parser("system", help="talk to running servers")
    system_commands = system.add_subparsers(title="system commands", required=True)
    announce = system_commands.add_parser(
        "announce", help="send system:<event> to every WebSocket client"
    )
    announce.add_argument(
        "--event", required=True, choices=("maintenance", "error", "restart", "update")
    )
    announce.add_argument("--message", required=True)
    announce.add_argument(
        "--url", help="the server (default http://API_HOST:API_PORT); with Redis, any one"
    )
    announce.add_argument("--data-dir", dest="data_dir", help="where --dev keeps its key")
    announce.add_argument("--dev", dest="dev_mode", action="store_true", default=None)
    announce.set_defaults(run=_system_announce)

    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(title="database commands", required=True)
    for name, text in (("init", "create the schema"), ("migrate", "bring the schema up to date")):
        command = db_commands.add_parser(name, help=text)
        _database_flag(command)
        command.set_defaults(run=_db_migrate)

    user = commands.add_parser("user", help="manage accounts")
    user_commands = user.add_subparsers(title="user commands", required=True)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--email")
    add.add_argument("--password", help="default: asked for at a prompt")
    add.set_defaults(run=_user_add)
    listing = user_commands.add_parser("list", help="list the accounts")
    listing.set_defaults(run=_user_list)
    set_password = user_commands.add_parser(
        "set-password", help="set a password (signs the user out everywhere)"
    )
    set_password.add_argument("user", help="username or email")
    set_password.add_argument("--password", help="default: asked for at a prompt")
    set_password.set_defaults(run=_user_set_password)
    set_email = user_commands.add_parser("set-email", help='set or clear ("") an email')
    set_email.add_argument("user", help="username or email")
    set_email.add_argument("email")
    set_email.set_defaults(run=_user_set_email)
    remove = user_commands.add_parser("delete", help="delete an account")
    remove.add_argument("user", help="username or email")
    remove.set_defaults(run=_user_delete)
    for command in (add, listing, set_password, set_email, remove):
        _database_flag(command)
    return parser


def _database_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--database-url",
        dest="database_url",
        help="SQLAlchemy URL (DATABASE_URL, default SQLite in ./data)",
    )


_SETTING_FLAGS = frozenset(Settings.model_fields)


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        name: value
        for name, value in vars(args).items()
        if name in _SETTING_FLAGS and value is not None
    }
    return Settings(**overrides)


def _serve(args: argparse.Namespace) -> int:
    from gambit.bus.redis import why_unreachable

    settings = _settings(args)
    _configure_logging(settings)
    # Asked before the application's slow imports, so that the answer comes at once;
    # refused rather than run alone while the other processes share Redis.
    if settings.redis_url and (problem := asyncio.run(why_unreachable(settings.redis_url))):
        url = _without_password(settings.redis_url)
        print(f"gambit: cannot reach Redis at REDIS_URL={url} ({problem})", file=sys.stderr)
        return 1

    from gambit.api.app import create_app
    from gambit.api.server import Server, config
    from gambit.services.tokens import MissingSecretKey

    try:
        app = create_app(settings)
    except MissingSecretKey as exc:
        print(f"gambit: {exc}", file=sys.stderr)
        return 1
    Server(config(app, settings)).run()
    return 0


def _without_password(url: str) -> str:
    """``url`` fit to print: a password in it becomes ``***``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()


def _system_announce(args: argparse.Namespace) -> int:
    import json
    import urllib.error
    import urllib.request

    from gambit.services.tokens import MissingSecretKey, Tokens, secret_key

    settings = _settings(args)
    try:
        tokens = Tokens(secret_key(settings), settings.auth_algorithm, 1)
    except MissingSecretKey as exc:
        print(f"gambit: {exc}", file=sys.stderr)
        return 1
    scheme = "https" if settings.ssl_certfile else "http"
    url = (args.url or f"{scheme}://{settings.api_host}:{settings.api_port}").rstrip("/")
    request = urllib.request.Request(
        f"{url}/api/v1/system/announce",
        data=json.dumps({"event": args.event, "message": args.message}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {tokens.issue_operator()}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            print(f"announced {json.load(response)['event']}")
            return 0
    except urllib.error.HTTPError as exc:
        print(f"gambit: the server refused: {exc.code} {exc.read().decode()}", file=sys.stderr)
    except OSError as exc:
        print(f"gambit: cannot reach {url}: {exc}", file=sys.stderr)
    return 1


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


@asynccontextmanager
async def _accounts(settings: Settings) -> AsyncIterator[Accounts]:
    """The account service on the configured database, for the ``user`` commands."""
    from limits.aio.storage import MemoryStorage
    from limits.aio.strategies import MovingWindowRateLimiter

    from gambit.services.accounts import Accounts
    from gambit.services.login_guard import LoginGuard
    from gambit.services.passwords import Passwords
    from gambit.services.tokens import Tokens
    from gambit.store import migrate, open_database
    from gambit.store.users import UserStore

    engine = open_database(settings.database_url)
    try:
        await migrate(engine)
        # Operators never sign in here, so neither the login guard nor the signing key
        # is ever used: they only complete the service.
        guard = LoginGuard(
            MovingWindowRateLimiter(MemoryStorage()),
            per_pair=1,
            per_ip=1,
            slow_after=1,
            window_minutes=1,
        )
        tokens = Tokens("unused", settings.auth_algorithm, settings.auth_token_expire_minutes)
        yield Accounts(
            UserStore(engine),
            Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
            tokens,
            guard,
            settings.auth_refresh_expire_days,
        )
    finally:
        await engine.dispose()


def _run_on_accounts(args: argparse.Namespace, work: Callable[[Accounts], Awaitable[str]]) -> int:
    """Run ``work`` and print its answer; a refusal is printed to stderr with exit code 1."""
    from gambit.services.errors import ServiceError

    async def run() -> str:
        async with _accounts(_settings(args)) as accounts:
            return await work(accounts)

    try:
        print(asyncio.run(run()))
    except ServiceError as exc:
        print(
            f"gambit: {exc.message}" + (f": {exc.details}" if exc.details else ""), file=sys.stderr
        )
        return 1
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password is not None:
        return str(args.password)
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != first:
        print("gambit: the passwords differ", file=sys.stderr)
        raise SystemExit(1)
    return first


def _user_add(args: argparse.Namespace) -> int:
    password = _password(args)

    async def work(accounts: Accounts) -> str:
        user = await accounts.create_user(args.username, args.email or None, password)
        return f"created {user.username} ({user.id})"

    return _run_on_accounts(args, work)


def _user_list(args: argparse.Namespace) -> int:
    async def work(accounts: Accounts) -> str:
        users = await accounts.all_users()
        lines = [f"{u.id}  {u.username:<40} {u.email or '-'}" for u in users]
        return "\n".join(lines) if lines else "no users"

    return _run_on_accounts(args, work)


def _user_set_password(args: argparse.Namespace) -> int:
    password = _password(args)

    async def work(accounts: Accounts) -> str:
        user = await accounts.set_password(args.user, password)
        return f"password of {user.username} changed; their logins are revoked"

    return _run_on_accounts(args, work)


def _user_set_email(args: argparse.Namespace) -> int:
    async def work(accounts: Accounts) -> str:
        user = await accounts.set_email(args.user, args.email or None)
        return f"email of {user.username} is now {user.email or 'unset'}"

    return _run_on_accounts(args, work)


def _user_delete(args: argparse.Namespace) -> int:
    async def work(accounts: Accounts) -> str:
        user = await accounts.delete_user(args.user)
        return f"deleted {user.username} ({user.id})"

    return _run_on_accounts(args, work)


def _configure_logging(settings: Settings) -> None:
    from gambit.logs import configure

    configure(settings)


if __name__ == "__main__":
    raise SystemExit(main())
