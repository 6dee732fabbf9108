"""The repository as a newcomer clones it: a licence that matches pyproject.toml, nothing
committed that is not source, tool caches ignored, and installs pinned by lock files that
name every requirement of pyproject.toml, with hashes."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKS = {"requirements.lock": "runtime", "requirements-dev.lock": "runtime and dev"}

# What tools and builds leave in a checkout, each of which git must ignore.
LEFT_BY_TOOLS = [
    ".venv/bin/python",
    ".lock-venv/bin/pip-compile",
    "data/gambit.db",
    ".env",
    ".pytest_cache/v/cache/nodeids",
    ".mypy_cache/3.11/cache.db",
    ".ruff_cache/CACHEDIR.TAG",
    ".hypothesis/examples/x",
    ".schemathesis/cache",
    ".coverage",
    ".coverage.host.4242.123456",
    "htmlcov/index.html",
    "web/node_modules/vite/package.json",
    "node_modules/x/package.json",
    "src/gambit/web/dist/index.html",
    "dist/gambit-0.1.0-py3-none-any.whl",
    "gambit-0.1.0-py3-none-any.whl",
    "build/lib/gambit/__init__.py",
    "src/gambit.egg-info/PKG-INFO",
    "src/gambit/__pycache__/cli.cpython-311.pyc",
    "test-results/trace.zip",
]


def git(*args: str) -> str:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("these checks need git and a git checkout")
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: list[str]) -> set[str]:
    """The distribution names of PEP 508 requirements (``name[extra]>=1; marker``)."""
    names = set()
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        assert match, requirement
        names.add(canonical(match[1]))
    return names


def pinned(lock: str) -> dict[str, tuple[str, list[str]]]:
    """Each package a lock pins: its version and its hashes."""
    pins: dict[str, tuple[str, list[str]]] = {}
    hashes: list[str] = []
    for line in (ROOT / lock).read_text().splitlines():
        if match := re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line):
            hashes = []
            pins[canonical(match[1])] = (match[2], hashes)
        elif match := re.match(r"\s+--hash=(sha256:[0-9a-f]{64})", line):
            hashes.append(match[1])
    return pins


def test_the_licence_is_the_one_pyproject_names() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n")
    assert "Copyright (c) 2026 the gambit authors" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in licence


def test_what_tools_leave_behind_is_ignored() -> None:
    ignored = git("check-ignore", "--no-index", *LEFT_BY_TOOLS).split()
    assert sorted(set(LEFT_BY_TOOLS) - set(ignored)) == []


def test_nothing_committed_is_ignored_or_built() -> None:
    tracked = git("ls-files").split()
    assert git("ls-files", "--cached", "--ignored", "--exclude-standard") == ""
    built = [path for path in tracked if re.search(r"\.(whl|pyc|db|sqlite3?|egg|tar\.gz)$", path)]
    assert built == []
    assert {"LICENSE", "requirements.lock", "requirements-dev.lock"} <= set(tracked)


@pytest.mark.parametrize("lock", LOCKS)
def test_the_locks_pin_every_requirement_with_hashes(lock: str) -> None:
    project = PYPROJECT["project"]
    wanted = requirement_names(project["dependencies"])
    if lock == "requirements-dev.lock":
        wanted |= requirement_names(project["optional-dependencies"]["dev"])
    pins = pinned(lock)
    assert sorted(wanted - set(pins)) == [], f"{lock} lacks {LOCKS[lock]} requirements"
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []


def test_the_dev_lock_pins_the_runtime_packages_alike() -> None:
    runtime, dev = pinned("requirements.lock"), pinned("requirements-dev.lock")
    differ = {name: pin[0] for name, pin in runtime.items() if dev.get(name, ("",))[0] != pin[0]}
    assert differ == {}


def test_make_installs_from_the_locks() -> None:
    if shutil.which("make") is None:
        pytest.fail("make is needed to read the Makefile's install steps")
    steps = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), ".venv/.installed", ".venv/.dev-installed"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "pip install --quiet --require-hashes -r requirements.lock" in steps
    assert "pip install --quiet --no-deps -e ." in steps
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in steps
    assert not re.search(r"pip install (--quiet )?-e '?\.\[dev\]", steps)
