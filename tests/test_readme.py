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
from contextlib import contextmanager, suppress
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
    with suppress(ProcessLookupError):
        os.killpg(leader, signal.SIGKILL)


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


ERROR_CODE = re.compile(r"^[A-Z][A-Z_]*[A-Z]$")
ERROR_MAKERS = frozenset({"ApiError", "error_response", "error_body", "ClientError", "Closing"})
SOCKET = "socket"


def _status(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int and 400 <= node.value <= 599:
        return node.value
    return None


def _code(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if ERROR_CODE.match(node.value) else None
    return None


def _codes_at(node: ast.AST) -> list[tuple[int | str | None, str]]:
    """The (status, code) pairs one node of the source gives: an error made with a literal
    code (of the socket, or with its status if literal too), a ``(status, code)`` entry of
    an error table, or a ``{status: code}`` fallback."""
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in ERROR_MAKERS:
            return []
        literal = next((s for s in map(_status, node.args) if s is not None), None)
        status = SOCKET if name in ("ClientError", "Closing") else literal
        return [(status, code) for code in map(_code, node.args) if code is not None]
    if isinstance(node, ast.Tuple) and len(node.elts) == 2:
        pairs = [(_status(node.elts[0]), _code(node.elts[1]))]
    elif isinstance(node, ast.Dict):
        entries = zip(node.keys, node.values, strict=True)
        pairs = [(_status(key), _code(value)) for key, value in entries]
    else:
        return []
    return [(status, code) for status, code in pairs if status is not None and code is not None]


def answered_codes() -> dict[str, set[int | str]]:
    """Every error code in the server's source, with the statuses it comes with ("socket"
    for an error only the WebSocket sends)."""
    codes: dict[str, set[int | str]] = {}
    for path in (ROOT / "src" / "gambit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            for status, code in _codes_at(node):
                statuses = codes.setdefault(code, set())
                if status is not None:
                    statuses.add(status)
    return codes


def documented_codes() -> dict[str, str]:
    """The README's error table: each code and its status cell."""
    text = README.read_text()
    section = text[text.index("### Errors") :]
    section = section[: section.index("\n#", 1)]
    rows = (line.strip().strip("|").split("|") for line in section.splitlines())
    return {
        match[1]: cells[0].strip()
        for cells in rows
        if len(cells) >= 3 and (match := re.fullmatch(r"\s*`([A-Z_]+)`\s*", cells[1]))
    }


def test_the_error_table_names_every_code_the_server_answers() -> None:
    answered, documented = answered_codes(), documented_codes()
    assert {"INVALID_ACTION", "NOT_YOUR_TURN", "BATTLE_NOT_FOUND", "INVALID_MESSAGE"} <= set(
        answered
    )
    assert sorted(set(answered) - set(documented)) == [], "codes missing from README's table"
    assert sorted(set(documented) - set(answered)) == [], "README's table names unknown codes"
    # A code the socket sends besides its HTTP status needs no mark: the table says that
    # the socket uses the same codes; one only the socket sends is marked as such.
    wrong = {
        code: (sorted(map(str, statuses)), documented[code])
        for code, statuses in answered.items()
        if statuses
        and not all(str(status) in documented[code] for status in statuses - {SOCKET} or {SOCKET})
    }
    assert wrong == {}, "statuses the table does not give"


# The documents gambit grew from are not the reader's: no "seed 000", "the seed's …",
# "DESIGN.md" or "the original API" where a user reads (random seeds may be named).
FOREIGN_DOCUMENTS = re.compile(
    r"seed[ -]?\d{3}\b|\bthe seeds?\b|\bseeds?'s?\s|\bseed API\b|DESIGN\.md|\boriginal API\b",
    re.IGNORECASE,
)


def test_what_a_reader_reads_speaks_of_gambit_alone() -> None:
    pages = [README, *sorted((ROOT / "docs").rglob("*.md"))]
    schema = json.dumps(create_app(make_settings(None)).openapi())
    found = {
        str(page.relative_to(ROOT)): FOREIGN_DOCUMENTS.findall(page.read_text()) for page in pages
    } | {"the OpenAPI schema": FOREIGN_DOCUMENTS.findall(schema)}
    assert {where: words for where, words in found.items() if words} == {}
    assert FOREIGN_DOCUMENTS.search("as in seed 003's API")  # the pattern does find them
