"""The command line: flags become settings; db, user and system commands; the signing key."""

from __future__ import annotations

import argparse
import asyncio
import io
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gambit import __version__
from gambit.cli import _parser, _settings, _without_password, main, setting_flag
from gambit.services.tokens import secret_key
from gambit.settings import Settings
from tests.conftest import (
    BACKENDS,
    SECRET_KEY,
    SERVER_ENVIRONMENT,
    LiveServer,
    ServerProcess,
    database,
    free_port,
)
from tests.helpers import (
    FAST_COMPUTER,
    HUMAN,
    act,
    bearer,
    create_battle,
    new_game,
    play,
    refused_within_a_second,
    register,
    wait_for_turn,
    wait_until_settled,
)
from tests.ws import open_socket


def _parse(*argv: str) -> Settings:
    return _settings(_parser().parse_args(["serve", *argv]))


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_PORT", "DATABASE_URL", "RATE_LIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    settings = _parse()
    assert settings.api_port == 8080
    assert settings.database_url == "sqlite+aiosqlite:///./data/gambit.db"
    assert settings.rate_limit_enabled


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_PORT", "9001")
    monkeypatch.setenv("ENGINE_WORKERS", "3")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    from_env = _parse()
    assert from_env.api_port == 9001
    assert from_env.engine_workers == 3
    assert from_env.trusted_proxies == [ipaddress.ip_network("10.0.0.0/8")]
    flags = _parse(
        "--port",
        "9002",
        "--engine-workers",
        "1",
        "--dev",
        "--database-timeout",
        "2.5",
        "--battle-idle-seconds",
        "60",
        "--no-rate-limit",
        "--database-url",
        "postgresql+asyncpg://db/gambit",
        "--host",
        "0.0.0.0",
        "--lichess-keepalive-seconds",
        "2",
        "--lichess-claim-victory-seconds",
        "30",
    )
    assert flags.api_port == 9002
    assert flags.engine_workers == 1
    assert flags.dev_mode
    assert flags.games_rate_per_second == 20
    assert flags.database_timeout == 2.5
    assert flags.battle_idle_seconds == 60
    assert not flags.rate_limit_enabled
    assert flags.database_url == "postgresql+asyncpg://db/gambit"
    assert flags.api_host == "0.0.0.0"
    assert (flags.lichess_keepalive_seconds, flags.lichess_claim_victory_seconds) == (2, 30)


def _gambit(*argv: str, database: Path | str, stdin: str | None = None, **env: str) -> Any:
    """Run ``gambit *argv`` on ``database``: a SQLite file, or any database URL."""
    url = database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "gambit", *argv, "--database-url", url],
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ | {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024"} | env,
        timeout=60,
    )


def test_user_commands(tmp_path: Path) -> None:
    database = tmp_path / "gambit.db"
    assert _gambit("db", "init", database=database).returncode == 0
    added = _gambit(
        "user",
        "add",
        "alice",
        "--email",
        "alice@example.com",
        "--password",
        "SecurePass123",
        database=database,
    )
    assert added.returncode == 0, added.stderr
    assert "created alice" in added.stdout
    duplicate = _gambit("user", "add", "ALICE", "--password", "SecurePass123", database=database)
    assert duplicate.returncode == 1
    assert "username already taken" in duplicate.stderr
    weak = _gambit("user", "add", "bob", "--password", "weak", database=database)
    assert weak.returncode == 1
    assert "Password must be at least 8 characters" in weak.stderr
    listing = _gambit("user", "list", database=database)
    assert "alice" in listing.stdout
    assert "alice@example.com" in listing.stdout
    changed = _gambit("user", "set-email", "alice", "a@example.org", database=database)
    assert changed.returncode == 0
    assert "a@example.org" in changed.stdout
    password = _gambit(
        "user", "set-password", "a@example.org", "--password", "NewPass456", database=database
    )
    assert password.returncode == 0, password.stderr
    unknown = _gambit("user", "delete", "nobody", "--yes", database=database)
    assert unknown.returncode == 1
    assert "no user" in unknown.stderr
    assert _gambit("user", "delete", "alice", "--yes", database=database).returncode == 0
    assert "no users" in _gambit("user", "list", database=database).stdout


def test_user_add_prompts_for_the_password(tmp_path: Path) -> None:
    # getpass reads the terminal; without one it falls back to stdin.
    database = tmp_path / "gambit.db"
    added = _gambit(
        "user", "add", "carol", database=database, stdin="SecurePass123\nSecurePass123\n"
    )
    assert added.returncode == 0, added.stderr
    differ = _gambit("user", "add", "dave", database=database, stdin="SecurePass123\nOther1234\n")
    assert differ.returncode == 1


def test_the_accounts_work_in_the_server(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    database = tmp_path / "gambit.db"
    _gambit("user", "add", "erin", "--password", "SecurePass123", database=database)
    server = spawn_server(f"sqlite+aiosqlite:///{database}")
    with server.client() as client:
        login = client.post("/auth/login", json={"identifier": "erin", "password": "SecurePass123"})
        assert login.status_code == 200


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_running_server_refuses_the_tokens_the_cli_revokes_within_a_second(
    backend: str, tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    # No Redis: the server learns of the CLI's changes from the database alone.
    with database(backend, tmp_path) as url:
        server = start_server(url)
        with server.client() as client:
            alice, bob = register(client), register(client)
            assert client.get("/auth/me", headers=bearer(alice)).status_code == 200
            changed = _gambit(
                "user",
                "set-password",
                alice["username"],
                database=url,
                stdin="NewPass456\nNewPass456\n",
            )
            assert changed.returncode == 0, changed.stderr
            refused_within_a_second(lambda: client.get("/auth/me", headers=bearer(alice)))

            assert _create_battle(client, bob).status_code == 201
            deleted = _gambit("user", "delete", bob["username"], "--yes", database=url)
            assert deleted.returncode == 0, deleted.stderr
            # Creating a battle reads no account: only the revocation refuses it.
            refused_within_a_second(lambda: _create_battle(client, bob))
            refused_within_a_second(lambda: client.get("/auth/me", headers=bearer(bob)))


def _create_battle(client: httpx.Client, session: Any) -> httpx.Response:
    seats = [{"type": "human"}, {"type": "human"}]
    return client.post("/battles", json={"game": "chess", "seats": seats}, headers=bearer(session))


def test_serve_needs_a_secret_key_outside_dev_mode(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "AUTH_SECRET_KEY"}
    result = subprocess.run(
        [
            *(sys.executable, "-m", "gambit", "serve", "--port", "0"),
            *("--database-url", f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 1
    assert "AUTH_SECRET_KEY is not set" in result.stderr


def test_serve_refuses_to_start_without_redis(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    result = subprocess.run(
        [
            *(sys.executable, "-m", "gambit", "serve", "--port", str(free_port())),
            *("--redis-url", url, "--database-url", f"sqlite+aiosqlite:///{tmp_path}/g.db"),
        ],
        capture_output=True,
        text=True,
        env=os.environ | SERVER_ENVIRONMENT,
        timeout=60,
    )
    assert time.monotonic() - started < 5
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"gambit: cannot reach Redis at REDIS_URL={url} (Connection refused)"
    ]


def test_a_redis_password_is_never_printed() -> None:
    assert _without_password("redis://:s3cret@db:6379/0") == "redis://:***@db:6379/0"
    assert _without_password("redis://app:s3cret@db:6379/0") == "redis://app:***@db:6379/0"
    assert _without_password("redis://db:6379/0") == "redis://db:6379/0"


def test_dev_mode_keeps_a_generated_key(tmp_path: Path) -> None:
    settings = Settings(dev_mode=True, data_dir=tmp_path, auth_secret_key=None)
    first = secret_key(settings)
    assert len(first) >= 32
    assert secret_key(settings) == first
    assert (tmp_path / "auth_secret.key").stat().st_mode & 0o777 == 0o600


def test_system_announce_reaches_connected_clients(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()

    def announce(*extra: str, **env: str) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "gambit", "system", "announce", *extra],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "AUTH_SECRET_KEY"} | env,
            timeout=60,
        )

    async def run() -> None:
        async with open_socket(server.url) as socket:
            done = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: announce(
                    "--event",
                    "maintenance",
                    "--message",
                    "down at 6",
                    "--url",
                    server.url,
                    AUTH_SECRET_KEY=SECRET_KEY,
                ),
            )
            assert done.returncode == 0, done.stderr
            assert "announced system:maintenance" in done.stdout
            got = await socket.expect("system:maintenance")
            assert got["data"] == {"message": "down at 6"}

    asyncio.run(asyncio.wait_for(run(), 60))
    # Signed with another key, the server refuses; without a key the CLI does.
    forged = announce(
        "--event", "update", "--message", "x", "--url", server.url, AUTH_SECRET_KEY="k" * 64
    )
    assert forged.returncode == 1
    assert "401" in forged.stderr
    keyless = announce("--event", "update", "--message", "x", "--url", server.url)
    assert keyless.returncode == 1
    assert "AUTH_SECRET_KEY" in keyless.stderr


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command of ``parser``, by its words (``("user", "add")``), itself first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from _commands(command, (*path, name))


def test_every_option_and_argument_of_every_command_has_help() -> None:
    walked = dict(_commands(_parser()))
    assert {("serve",), ("db", "backup"), ("db", "check"), ("user", "delete")} <= set(walked)
    for path, command in walked.items():
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):  # helped by its commands
                for choice in action._choices_actions:
                    assert choice.help, (path, choice.dest)
            else:
                assert action.help not in (None, "", argparse.SUPPRESS), (path, action.dest)


def test_every_setting_is_a_flag_of_serve_shown_with_its_variable_and_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())  # help lines wrap anywhere
    for name, field in Settings.model_fields.items():
        assert setting_flag(name) in shown, name
        assert field.description, name
        assert f"{' '.join(field.description.split())} ({name.upper()}, default " in shown, name
    assert "--port N, --api-port N TCP port to listen on. (API_PORT, default 8080)" in shown
    assert "(TRUSTED_PROXIES, default 127.0.0.0/8,::1/128)" in shown
    flags = _parse("--no-debug", "--require-https", "--cors-origins", "a.example,b.example")
    assert (flags.api_debug, flags.require_https) == (False, True)
    assert flags.cors_origins == ["a.example", "b.example"]


def test_the_readme_table_has_every_setting_with_its_flags_and_nothing_else() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    serve = dict(_commands(_parser()))[("serve",)]
    flags_of: dict[str, set[str]] = {}
    for action in serve._actions:
        flags_of.setdefault(action.dest, set()).update(action.option_strings)
    listed: list[str] = []
    for row in (line for line in table.splitlines() if line.startswith("| `")):
        variables, flags = (re.findall(r"`([^`]+)`", cell) for cell in row.split(" | ")[:2])
        listed += variables
        names = [variable.lower() for variable in variables]
        assert set(names) <= set(Settings.model_fields), row
        for name in names:
            assert flags_of[name] & set(flags), row
        assert set(flags) <= set().union(*(flags_of[name] for name in names)), row
    assert sorted(listed) == sorted(name.upper() for name in Settings.model_fields)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"gambit {__version__}\n"


def test_settings_come_from_a_dotenv_file_under_the_environment_and_the_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("API_PORT", "ENGINE_WORKERS", "LONG_POLL_SECONDS", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    Path(".env").write_text(
        "# the operator's file\nAPI_PORT=9100\nENGINE_WORKERS=3\nLONG_POLL_SECONDS=7\n"
        "TRUSTED_PROXIES=10.0.0.0/8,192.168.0.0/16\n"
    )
    monkeypatch.setenv("ENGINE_WORKERS", "4")
    settings = _parse("--long-poll-seconds", "9")
    assert settings.api_port == 9100  # from the file
    assert settings.trusted_proxies == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.0.0/16"),
    ]
    assert settings.engine_workers == 4  # the environment wins over the file
    assert settings.long_poll_seconds == 9  # the flag wins over both

    Path("production.env").write_text("API_PORT=9200\n")
    named = _parse("--env-file", "production.env")
    assert named.api_port == 9200
    assert named.long_poll_seconds == 25  # the .env of the directory is not read then
    assert main(["user", "list", "--env-file", "missing.env"]) == 1
    assert capsys.readouterr().err == "gambit: there is no file missing.env (--env-file)\n"


def test_an_invalid_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "70000"]) == 1
    assert capsys.readouterr().err == (
        "gambit: invalid setting API_PORT (--port): Input should be less than or equal to 65535\n"
    )
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/33")
    assert main(["serve"]) == 1
    assert capsys.readouterr().err.startswith(
        "gambit: invalid setting TRUSTED_PROXIES (--trusted-proxies): "
    )


def test_serve_refuses_a_stockfish_path_that_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_executable = tmp_path / "stockfish"
    not_executable.write_text("")
    for path in (tmp_path / "missing", not_executable, tmp_path):
        assert main(["serve", "--port", "0", "--stockfish-path", str(path)]) == 1
        assert capsys.readouterr().err == (
            f"gambit: STOCKFISH_PATH={path} (--stockfish-path) is not an executable file: "
            "point it at Stockfish, or unset it to play with the built-in engine\n"
        )


def test_serve_refuses_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 1
    assert capsys.readouterr().err == (
        f"gambit: port {port} is already in use; choose another with --port (API_PORT)\n"
    )


def test_user_and_db_commands_name_a_database_out_of_reach(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+asyncpg://app:s3cret@127.0.0.1:{port}/gambit"
    for command in (
        ["user", "list"],
        ["user", "add", "zoe", "--password", "SecurePass123"],
        ["user", "delete", "zoe", "--yes"],
        ["db", "migrate"],
        ["db", "check"],
        ["serve", "--port", "0"],
    ):
        assert main([*command, "--database-url", url]) == 1, command
        assert capsys.readouterr().err == (
            "gambit: cannot reach the database at "
            f"DATABASE_URL=postgresql+asyncpg://app:***@127.0.0.1:{port}/gambit "
            "(Connection refused)\n"
        ), command
    assert main(["user", "list", "--database-url", "nonsense"]) == 1
    assert capsys.readouterr().err.startswith(
        "gambit: DATABASE_URL=nonsense is not a database URL gambit can use"
    )


def test_user_add_and_set_password_refuse_before_asking_for_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "1024")
    add = ["user", "add", "--database-url", database]
    assert main([*add, "alice", "--email", "a@example.com", "--password", "SecurePass123"]) == 0
    capsys.readouterr()

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError(f"asked {prompt!r}")

    monkeypatch.setattr("getpass.getpass", no_prompt)
    for argv, said in (
        (["not a name"], "validation failed: Username must be 1-40 letters, digits or _"),
        (["ALICE"], "username already taken: choose another username"),
        (["bob", "--email", "A@example.com"], "email already taken: choose another email"),
        (["bob", "--email", "nope"], "validation failed: Email must be a valid email"),
    ):
        assert main([*add, *argv]) == 1, argv
        assert capsys.readouterr().err.startswith(f"gambit: {said}"), argv
    assert main(["user", "set-password", "nobody", "--database-url", database]) == 1
    assert capsys.readouterr().err == "gambit: no user 'nobody'\n"


def test_user_list_has_a_header_and_delete_needs_a_terminal_or_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = ["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"]
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "1024")
    assert main(["user", "add", "alice", "--password", "SecurePass123", *database]) == 0
    user_id = capsys.readouterr().out.split("(")[1].rstrip(")\n")
    assert main(["user", "list", *database]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["id", "username", "email"]
    assert row.split() == [user_id, "alice", "-"]

    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # an answer, but no terminal
    assert main(["user", "delete", "alice", *database]) == 1
    assert capsys.readouterr().err == (
        "gambit: alice not deleted: there is no terminal to ask at; add --yes to delete "
        "without asking\n"
    )
    assert main(["user", "delete", "alice", "--yes", *database]) == 0
    assert capsys.readouterr().out == f"deleted alice ({user_id})\n"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_its_process_group_stops_the_server_promptly_and_quietly(
    stop: signal.Signals, tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    # As a Ctrl-C at the terminal (SIGINT), or systemd stopping the unit (SIGTERM), does:
    # every process of the group, the engines' workers too, gets the signal.
    server = spawn_server(f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}", new_session=True)
    with server.client() as client:  # the engines at work first, both at once
        game = new_game(client, HUMAN, FAST_COMPUTER)
        play(client, game["gameId"], "e2e4", "cccc")
        me = register(client)
        computer = {"type": "ai", "level": 1, "searchTime": 100}
        duel = create_battle(client, me, "duel", {"type": "human"}, computer)
        assert act(client, me, duel["id"], {"type": "rest"}).status_code == 200
        assert len(wait_until_settled(client, game["gameId"])["moves"]) == 2
        assert wait_for_turn(client, me, duel["id"])["state"]["round"] == 2
        # and one still thinking, for longer than a stop may take
        slow = new_game(client, HUMAN, {"type": 2, "level": 5, "searchTime": 10_000})
        assert play(client, slow["gameId"], "e2e4", "cccc")["state"] == "pending"
    asked = time.monotonic()
    os.killpg(server.process.pid, stop)
    assert server.process.wait(timeout=30) == 0
    assert time.monotonic() - asked < 5
    while left := _alive_in_group(server.process.pid):  # the engines' processes, and
        # multiprocessing's resource tracker, end with it
        assert time.monotonic() - asked < 5, f"processes of the server outlive it: {left}"
        time.sleep(0.05)
    log = server.log.read_text()
    assert "Application shutdown complete" in log
    for sign in ("Traceback", "KeyboardInterrupt", "leaked", "resource_tracker", "WARN", "ERROR"):
        assert sign not in log, log


def _alive_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` that still run: not the zombies an init
    that reaps nothing (as in some containers) leaves behind."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (command) state ppid pgrp ...: the command may hold spaces and brackets
            state, _, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
        except OSError:  # it ended meanwhile
            continue
        if int(pgrp) == group and state != "Z":
            alive.append(int(stat.parent.name))
    return alive
