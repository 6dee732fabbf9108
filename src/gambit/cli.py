"""The ``gambit`` command: ``serve``, ``db init|migrate|backup|check``, ``user add|list|…``
and ``system announce``.

Every setting of `gambit.settings.Settings` is a flag of ``serve`` (``--api-port``, or the
short ``--port`` some always had), an environment variable (``API_PORT``) and a line of a
``.env`` file: flags win over the environment, the environment over the file. Exit codes:
0 done, 1 refused (a duplicate or unknown user, a missing setting, a database that cannot
be reached), 2 usage, 130 interrupted (Ctrl-C at a prompt).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import os
import signal
import socket
import sys
import types
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from gambit import __version__
from gambit.settings import ENV_FILE, Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

    from gambit.services.accounts import Accounts

T = TypeVar("T")

# Short names the flags of some settings have always had, kept beside the generated ones.
FLAG_ALIASES = {
    "api_host": "--host",
    "api_port": "--port",
    "api_debug": "--debug",
    "dev_mode": "--dev",
    "rate_limit_enabled": "--rate-limit",  # and so --no-rate-limit
}
# How a flag's value is shown in the help, by the setting's type.
METAVARS: dict[Any, str] = {int: "N", float: "NUMBER", Path: "PATH", list: "A,B,…"}


class Refusal(Exception):
    """What a command will not do, and why: printed as one line, with exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        code: int = args.run(args)
    except Refusal as exc:
        print(f"gambit: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C at a prompt, or while a command waits
        print(file=sys.stderr)
        return 130
    except EOFError:  # Ctrl-D at a prompt
        print(file=sys.stderr)
        return 1
    return code


def setting_flag(name: str) -> str:
    """The flag of setting ``name``: ``api_port`` is ``--api-port``."""
    return "--" + name.replace("_", "-")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gambit", description="A battle server for people and AIs."
    )
    parser.add_argument(
        "--version", action="version", version=f"gambit {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser(
        "serve",
        help="run the server",
        description="Run the server. Each setting is a flag, an environment variable and a "
        "line of a .env file; flags win over the environment, the environment over the file.",
    )
    _setting_flags(serve, Settings.model_fields)
    serve.set_defaults(run=_serve)

    system = commands.add_parser("system", help="talk to running servers")
    system_commands = system.add_subparsers(title="system commands", required=True)
    announce = system_commands.add_parser(
        "announce", help="send system:<event> to every WebSocket client"
    )
    announce.add_argument(
        "--event",
        required=True,
        choices=("maintenance", "error", "restart", "update"),
        help="the event's name, after system:",
    )
    announce.add_argument("--message", required=True, help="the text the clients show")
    announce.add_argument(
        "--url", help="the server (default http://API_HOST:API_PORT); with Redis, any one"
    )
    _setting_flags(announce, ("dev_mode", "data_dir"))
    announce.set_defaults(run=_system_announce)

    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(title="database commands", required=True)
    for name, text in (("init", "create the schema"), ("migrate", "bring the schema up to date")):
        command = db_commands.add_parser(name, help=text)
        _setting_flags(command, ("database_url",))
        command.set_defaults(run=_db_migrate)
    backup = db_commands.add_parser(
        "backup",
        help="copy a SQLite database, even while servers write to it",
        description="Copy the SQLite database to PATH through SQLite's backup API: a "
        "consistent copy, safe while servers write. PostgreSQL is backed up with pg_dump.",
    )
    backup.add_argument("path", metavar="PATH", help="the file to write the copy to")
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    backup.set_defaults(run=_db_backup)
    check = db_commands.add_parser(
        "check",
        help="say whether the schema is the latest and (SQLite) the file is sound",
        description="Connect, say which schema revision the database is at and whether it is "
        "the latest, and on SQLite run PRAGMA integrity_check. Exit code 0 when all is well.",
    )
    check.set_defaults(run=_db_check)
    for command in (backup, check):
        _setting_flags(command, ("database_url",))

    user = commands.add_parser("user", help="manage accounts")
    user_commands = user.add_subparsers(title="user commands", required=True)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("username", help="1 to 40 letters, digits or _")
    add.add_argument("--email", help="the account's email address (default: none)")
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
    set_email.add_argument("email", help='the new address, or "" for none')
    set_email.set_defaults(run=_user_set_email)
    remove = user_commands.add_parser("delete", help="delete an account (asks first)")
    remove.add_argument("user", help="username or email")
    remove.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    remove.set_defaults(run=_user_delete)
    for command in (add, listing, set_password, set_email, remove):
        _setting_flags(command, ("database_url",))
    return parser


def _setting_flags(command: argparse.ArgumentParser, names: Iterable[str]) -> None:
    """A flag for each of the settings ``names``, and ``--env-file``; the help says what
    the setting is, its environment variable and its default."""
    for name in names:
        field = Settings.model_fields[name]
        flags = (
            [FLAG_ALIASES[name], setting_flag(name)]
            if name in FLAG_ALIASES
            else [setting_flag(name)]
        )
        kind = _without_none(field.annotation)
        help_text = _setting_help(name, field)
        if kind is bool:
            command.add_argument(
                *flags,
                dest=name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=help_text,
            )
            continue
        choices = typing.get_args(kind) if typing.get_origin(kind) is typing.Literal else None
        command.add_argument(
            *flags,
            dest=name,
            type=kind if kind in (int, float) else str,  # the rest Settings converts itself
            choices=choices,
            metavar=None if choices else METAVARS.get(typing.get_origin(kind) or kind, "TEXT"),
            help=help_text,
        )
    command.add_argument(
        "--env-file",
        metavar="PATH",
        help=f"read settings from this file (default: {ENV_FILE} in the working directory, "
        "if there is one); the environment wins over it",
    )


def _without_none(annotation: Any) -> Any:
    """``X`` of ``X | None``; any other annotation as it is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kinds = [kind for kind in typing.get_args(annotation) if kind is not type(None)]
        if len(kinds) == 1:
            return kinds[0]
    return annotation


def _setting_help(name: str, field: FieldInfo) -> str:
    default = field.get_default(call_default_factory=True)
    if default is None:
        shown = "unset"
    elif isinstance(default, bool):
        shown = str(default).lower()
    elif isinstance(default, list):
        shown = ",".join(str(item) for item in default)
    else:
        shown = str(default)
    text = f"{field.description} ({name.upper()}, default {shown})"
    return text.replace("%", "%%")  # argparse formats help with %


def _settings(args: argparse.Namespace) -> Settings:
    """The settings: the command's flags over the environment over the ``.env`` file."""
    overrides: dict[str, Any] = {
        name: value
        for name, value in vars(args).items()
        if name in Settings.model_fields and value is not None
    }
    env_file = getattr(args, "env_file", None)
    if env_file is not None and not Path(env_file).is_file():
        raise Refusal(f"there is no file {env_file} (--env-file)")
    try:
        return Settings(_env_file=env_file or ENV_FILE, **overrides)
    except ValidationError as exc:
        problems = [f"{_named(str(error['loc'][0]))}: {error['msg']}" for error in exc.errors()]
        raise Refusal("invalid setting " + "; ".join(problems)) from None


def _named(setting: str) -> str:
    """How a setting is named to the operator: its variable and its flag."""
    return f"{setting.upper()} ({FLAG_ALIASES.get(setting, setting_flag(setting))})"


def _serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _configure_logging(settings)
    # Asked before the application's slow imports, so that the answer comes at once.
    _check_stockfish(settings)
    _check_port(settings)
    _check_redis(settings)
    _on_database(settings, _connect)

    from gambit.api.app import create_app
    from gambit.api.server import Server, config
    from gambit.services.tokens import MissingSecretKey

    with _stopped_by_signals():
        try:
            app = create_app(settings)
        except MissingSecretKey as exc:
            raise Refusal(str(exc)) from None
        Server(config(app, settings)).run()
    return 0


def _check_stockfish(settings: Settings) -> None:
    """A Stockfish path that leads nowhere is a mistake to hear of, not a reason to play
    quietly with the weaker built-in engine."""
    from gambit.ai.locate import is_runnable

    path = settings.stockfish_path
    if path is not None and not is_runnable(path):
        raise Refusal(
            f"STOCKFISH_PATH={path} (--stockfish-path) is not an executable file: point it "
            "at Stockfish, or unset it to play with the built-in engine"
        )


def _check_port(settings: Settings) -> None:
    """Refuse an address the server cannot listen on, which uvicorn would find out only
    after starting the whole application."""
    host, port = settings.api_host, settings.api_port
    try:
        for family, kind, protocol, _, address in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        ):
            with socket.socket(family, kind, protocol) as probe:
                # As uvicorn binds: an old connection's TIME_WAIT does not hold the port.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Refusal(
                f"port {port} is already in use; choose another with --port (API_PORT)"
            ) from None
        reason = exc.strerror or str(exc)
        raise Refusal(
            f"cannot listen on {host} port {port} ({reason}); check --host (API_HOST)"
        ) from None


def _check_redis(settings: Settings) -> None:
    """Refused rather than run alone while the other processes share Redis."""
    from gambit.bus.redis import why_unreachable

    if settings.redis_url and (problem := asyncio.run(why_unreachable(settings.redis_url))):
        url = _without_password(settings.redis_url)
        raise Refusal(f"cannot reach Redis at REDIS_URL={url} ({problem})")


async def _connect(engine: AsyncEngine) -> None:
    """Connect once: a database out of reach is refused before the application starts."""
    async with engine.connect():
        pass


class _Stopped(Exception):
    """SIGINT or SIGTERM asked the server to stop."""


def _stop(signum: int, frame: types.FrameType | None) -> None:
    raise _Stopped


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Make SIGINT and SIGTERM end the server quietly with exit code 0.

    uvicorn stops gracefully on either, then raises the signal again for the handler it
    found. Python's own would end in a KeyboardInterrupt traceback (SIGINT) or in death by
    the signal (SIGTERM), which skips the exit handlers, multiprocessing's among them:
    the engine pools' semaphores would be left for its resource tracker to complain of.
    """
    previous = {number: signal.signal(number, _stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except _Stopped:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


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
        raise Refusal(str(exc)) from None
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
        raise Refusal(f"the server refused: {exc.code} {exc.read().decode()}") from None
    except OSError as exc:
        raise Refusal(f"cannot reach {url}: {exc}") from None


# -- db ----------------------------------------------------------------------------------


def _db_migrate(args: argparse.Namespace) -> int:
    from gambit.store import migrate

    settings = _settings(args)
    _configure_logging(settings)
    _on_database(settings, migrate)
    print(f"database at {_without_password(settings.database_url)} is up to date")
    return 0


def _db_backup(args: argparse.Namespace) -> int:
    import sqlite3

    from gambit.store.database import backup_sqlite

    settings = _settings(args)
    source = _sqlite_file(settings)
    destination = Path(args.path)
    if source is None:
        url = _database_url(settings)
        if url.get_backend_name() == "postgresql":
            plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
            raise Refusal(
                "the database is PostgreSQL: back it up with pg_dump, e.g. "
                f"pg_dump --format=custom --file={destination} '{plain}' "
                "(and restore it with pg_restore)"
            )
        raise Refusal(f"only a SQLite file can be backed up here, not DATABASE_URL={url!s}")
    if destination.exists() and not args.force:
        raise Refusal(f"{destination} already exists; add --force to overwrite it")
    if destination.exists() and destination.samefile(source):
        raise Refusal(f"{destination} is the database itself")
    try:
        backup_sqlite(source, destination, settings.database_timeout)
    except (sqlite3.Error, OSError) as exc:
        raise Refusal(f"could not back up {source} to {destination} ({exc})") from None
    print(f"backed up {source} to {destination} ({destination.stat().st_size} bytes)")
    return 0


def _db_check(args: argparse.Namespace) -> int:
    from gambit.store.database import SchemaRevision, integrity_problems, schema_revision

    settings = _settings(args)
    on_sqlite = _database_url(settings).get_backend_name() == "sqlite"

    async def check(engine: AsyncEngine) -> tuple[SchemaRevision, list[str]]:
        problems = await integrity_problems(engine) if on_sqlite else []
        return await schema_revision(engine), problems

    _sqlite_file(settings)  # a missing file is refused, rather than created empty
    revision, problems = _on_database(settings, check)
    print(f"database {_without_password(settings.database_url)}")
    if revision.up_to_date:
        print(f"schema: at revision {revision.current}, the latest")
    elif revision.current is None:
        print("schema: none yet; create it with gambit db migrate")
    elif revision.known:
        print(
            f"schema: at revision {revision.current}, the latest is {revision.latest}; "
            "bring it up to date with gambit db migrate"
        )
    else:
        print(
            f"schema: at revision {revision.current}, which this gambit does not know (its "
            f"latest is {revision.latest}): a newer gambit made it"
        )
    if on_sqlite:
        print("integrity: ok" if not problems else "integrity: " + "; ".join(problems))
    return 0 if revision.up_to_date and not problems else 1


def _database_url(settings: Settings) -> Any:
    from sqlalchemy.engine import make_url

    with _refusals(settings):
        return make_url(settings.database_url)


def _sqlite_file(settings: Settings) -> Path | None:
    """The file of a SQLite ``DATABASE_URL`` (refused if there is none), else None."""
    url = _database_url(settings)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    if not path.is_file():
        raise Refusal(f"there is no database at {path} (DATABASE_URL)")
    return path


def _on_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """``work`` on the configured database, refused in one line if it cannot be reached."""
    from gambit.store import open_database

    async def run() -> T:
        engine = open_database(settings.database_url, settings.database_timeout)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    with _refusals(settings):
        return asyncio.run(run())


@contextmanager
def _refusals(settings: Settings) -> Iterator[None]:
    """The database out of reach (or not a database URL at all), or an account service's
    refusal, as a `Refusal` of one line; any other failure as it is."""
    from sqlalchemy.exc import ArgumentError

    from gambit.services.errors import ServiceError
    from gambit.store import StorageUnavailable
    from gambit.store.errors import brief, is_outage

    named = f"DATABASE_URL={_without_password(settings.database_url)}"
    try:
        yield
    except ServiceError as exc:
        raise Refusal(exc.message + (f": {exc.details}" if exc.details else "")) from None
    except ArgumentError as exc:
        raise Refusal(f"{named} is not a database URL gambit can use ({exc})") from None
    except Exception as exc:
        if isinstance(exc, StorageUnavailable) or is_outage(exc):
            cause = exc.__cause__ or exc
            # "Connection refused" rather than the driver's "[Errno 111] Connect call failed"
            reason = (
                os.strerror(cause.errno)
                if isinstance(cause, OSError) and cause.errno
                else brief(cause)
            )
            raise Refusal(f"cannot reach the database at {named} ({reason})") from None
        raise


# -- user --------------------------------------------------------------------------------


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

    engine = open_database(settings.database_url, settings.database_timeout)
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


@contextmanager
def _on_accounts(args: argparse.Namespace) -> Iterator[tuple[asyncio.Runner, Accounts]]:
    """The account service, and the runner to call it with. Prompts come between calls,
    outside the event loop, so that a Ctrl-C there interrupts at once."""
    settings = _settings(args)
    with _refusals(settings), asyncio.Runner() as runner:
        resources = AsyncExitStack()
        try:
            yield runner, runner.run(resources.enter_async_context(_accounts(settings)))
        finally:
            runner.run(resources.aclose())


def _password(args: argparse.Namespace) -> str:
    if args.password is not None:
        return str(args.password)
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise Refusal("the passwords differ")
    return first


def _confirmed(question: str) -> bool:
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _user_add(args: argparse.Namespace) -> int:
    email = args.email or None
    with _on_accounts(args) as (runner, accounts):
        runner.run(accounts.check_new_user(args.username, email))
        password = _password(args)
        user = runner.run(accounts.create_user(args.username, email, password))
    print(f"created {user.username} ({user.id})")
    return 0


def _user_list(args: argparse.Namespace) -> int:
    with _on_accounts(args) as (runner, accounts):
        users = runner.run(accounts.all_users())
    if not users:
        print("no users")
        return 0
    print(f"{'id':<36}  {'username':<40} email")
    for user in users:
        print(f"{user.id:<36}  {user.username:<40} {user.email or '-'}")
    return 0


def _user_set_password(args: argparse.Namespace) -> int:
    with _on_accounts(args) as (runner, accounts):
        user = runner.run(accounts.find_user(args.user))
        password = _password(args)
        user = runner.run(accounts.set_password(user.username, password))
    print(f"password of {user.username} changed; their logins are revoked")
    return 0


def _user_set_email(args: argparse.Namespace) -> int:
    with _on_accounts(args) as (runner, accounts):
        user = runner.run(accounts.set_email(args.user, args.email or None))
    print(f"email of {user.username} is now {user.email or 'unset'}")
    return 0


def _user_delete(args: argparse.Namespace) -> int:
    with _on_accounts(args) as (runner, accounts):
        user = runner.run(accounts.find_user(args.user))
        if not args.yes:
            if not sys.stdin.isatty():
                raise Refusal(
                    f"{user.username} not deleted: there is no terminal to ask at; add --yes "
                    "to delete without asking"
                )
            if not _confirmed(f"Delete {user.username} ({user.id})?"):
                raise Refusal(f"{user.username} not deleted")
        runner.run(accounts.delete_user(user.username))
    print(f"deleted {user.username} ({user.id})")
    return 0


def _configure_logging(settings: Settings) -> None:
    from gambit.logs import configure

    configure(settings)


if __name__ == "__main__":
    raise SystemExit(main())
