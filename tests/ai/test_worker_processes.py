"""The server's worker processes do not outlive it, even when it is killed outright."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ServerProcess
from tests.helpers import bearer, register

FIGHTER = {"health": 100, "energy": 5, "status": []}
DUEL = {
    "size": 5,
    "currentTurn": "red",
    "players": {
        "red": {**FIGHTER, "position": {"x": 0, "y": 0}},
        "blue": {**FIGHTER, "position": {"x": 4, "y": 4}},
    },
}
Process = tuple[int, str]  # pid and start time: a pid alone may be reused


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat[stat.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses


def _descendants(root: int) -> set[Process]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[Process] = set()
    parents = [root]
    while parents:
        for pid in children.get(parents.pop(), []):
            if (fields := _stat(pid)) is not None:
                found.add((pid, fields[19]))
                parents.append(pid)
    return found


def _running(process: Process) -> bool:
    fields = _stat(process[0])
    return fields is not None and fields[19] == process[1] and fields[0] != "Z"


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def test_workers_exit_when_the_server_is_killed(
    tmp_path: Path, spawn_server: Callable[..., ServerProcess]
) -> None:
    server = spawn_server(f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}")
    with server.client() as client:
        me = register(client)
        hint = client.post(
            "/ai/action",
            json={"game": "duel", "state": DUEL, "level": 5, "searchTime": 100},
            headers=bearer(me),
        )
        assert hint.status_code == 200, hint.text
    workers = _descendants(server.process.pid)
    commands = [_command(pid) for pid, _ in workers]
    assert any("spawn_main" in command for command in commands), commands
    assert any("resource_tracker" in command for command in commands), commands

    server.kill()
    deadline = time.monotonic() + 5
    while (left := {p for p in workers if _running(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, [_command(pid) for pid, _ in left]
