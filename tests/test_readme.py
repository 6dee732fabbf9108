"""README.md as a newcomer meets it.

Its shell blocks, in order, in one bash session against a fresh ``gambit serve --dev`` (as
``make run`` starts it, rate limits on): every command succeeds and every variable is set
before it is used. Besides: every block is either run or visibly marked as not run, the
error table names every code the server answers, and the README, docs/ and the API's
own descriptions speak of gambit alone.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from gambit.api.app import create_app
from gambit.settings import Settings
from tests.conftest import (
    POSTGRES_URL,
    drop_postgres_database,
    free_port,
    make_settings,
    postgres_reachable,
)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SHELLS = frozenset({"sh", "bash"})
NOT_RUN = "no-test"
SHOWN_ONLY = frozenset({"", "text", "yaml", "json", "toml", "ini", "nginx"})
README_PORT = re.compile(r"\b808[0-9]\b")

# What the README shows as a success must be one: curl fails on an HTTP error (printing
# the body), jq on a missing field; a variable used before it is set stops the run.
PRELUDE = """\
set -euo pipefail
curl() { command curl --fail-with-body --show-error "$@"; }
jq() { command jq -e "$@"; }
PS4='+ ${EPOCHREALTIME} '
set -x
"""


@dataclass(frozen=True)
class Block:
    line: int
    language: str
    options: tuple[str, ...]
    body: str

    @property
    def file(self) -> str | None:
        """The file a ``python file=NAME`` block is saved as, to be run by a later block."""
        return next((o.removeprefix("file=") for o in self.options if o.startswith("file=")), None)

    @property
    def runs(self) -> bool:
        return NOT_RUN not in self.options and (
            self.language in SHELLS or (self.language == "python" and self.file is not None)
        )


def readme_blocks() -> list[Block]:
    text = README.read_text()
    blocks = []
    for match in FENCE.finditer(text):
        language, *options = match["info"].split() or [""]
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(line, language, tuple(options), match["body"]))
    return blocks


def test_every_block_is_run_or_visibly_not() -> None:
    blocks = readme_blocks()
    unclear = [
        block.line
        for block in blocks
        if not block.runs and NOT_RUN not in block.options and block.language not in SHOWN_ONLY
    ]
    assert not unclear, f"README blocks neither run nor marked {NOT_RUN!r}: lines {unclear}"
    assert sum(block.runs for block in blocks) >= 10


def session_script(blocks: list[Block], ports: Mapping[str, int], database: str) -> str:
    """The runnable blocks as one bash script, the README's ports and database replaced."""
    parts = [PRELUDE]
    for block in blocks:
        if not block.runs:
            continue
        body = README_PORT.sub(lambda port: str(ports[port.group()]), block.body)
        body = body.replace("createdb gambit", f"createdb {database}")
        body = body.replace("localhost/gambit", f"localhost/{database}")
        parts.append(f": README.md line {block.line}")
        if block.file is None:
            parts.append(body)
        else:
            parts.append(f"cat > {block.file} <<'END_OF_README_FILE'\n{body}END_OF_README_FILE")
    return "\n".join(parts)


def session_environment(port: int) -> dict[str, str]:
    """The shell's environment: the machine's, without any gambit setting of its own but
    cheap password hashes, the test server's port, and the test PostgreSQL as the
    reader's own ($USER, and the host createdb talks to)."""
    setting_names = {name.upper() for name in Settings.model_fields}
    environment = {k: v for k, v in os.environ.items() if k.upper() not in setting_names}
    postgres = urlsplit(POSTGRES_URL)
    return environment | {
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "API_PORT": str(port),
        "USER": postgres.username or "postgres",
        "PGHOST": postgres.hostname or "127.0.0.1",
        "PGPORT": str(postgres.port or 5432),
    }


@pytest.fixture
def readme_database() -> Iterator[str]:
    """A name for the database the README creates, dropped afterwards."""
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL NOT REACHABLE at {POSTGRES_URL}: the README test skipped")
    name = f"gambit_readme_{uuid.uuid4().hex[:12]}"
    yield name
    drop_postgres_database(name)


@contextmanager
def dev_server(directory: Path, environment: Mapping[str, str], port: int) -> Iterator[None]:
    """``gambit serve --dev`` in ``directory``, as ``make run`` starts it in a checkout."""
    log = directory / "server.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gambit", "serve", "--dev", "--port", str(port)],
            cwd=directory,
            env=dict(environment),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text()}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        _kill_group(process.pid)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _kill_group(leader: int) -> None:
    """Kill what a process started in its session and left running."""
    try:
        os.killpg(leader, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_session(script: str, directory: Path, environment: Mapping[str, str]) -> tuple[int, str]:
    """Run ``script`` in bash; its exit code and what it printed. Whatever it left running
    (the README's own background servers, should it fail before stopping them) is killed."""
    log = directory / "session.log"
    with log.open("w") as output:
        shell = subprocess.Popen(
            ["bash", "-c", script],
            cwd=directory,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = shell.wait(timeout=180)
        finally:
            _kill_group(shell.pid)
    return code, log.read_text()


def test_readme_runs_top_to_bottom(tmp_path: Path, readme_database: str) -> None:
    ports = {port: free_port() for port in sorted(set(README_PORT.findall(README.read_text())))}
    environment = session_environment(ports["8080"])
    # The README's paths as in a checkout: the virtualenv and the examples.
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    script = session_script(readme_blocks(), ports, readme_database)
    with dev_server(tmp_path, environment, ports["8080"]):
        code, output = run_session(script, tmp_path, environment)
    assert code == 0, f"the README stopped (exit {code}):\n{output[-8000:]}"
    # What the blocks say they leave behind is there.
    assert (tmp_path / "levels.pgn").read_text().count("[Event ") == 6
    assert "announced system:maintenance" in output
