"""The command line's prompts at a terminal: ``python -m gambit`` run on a pseudo-terminal,
typed at as a person would, Ctrl-C and Ctrl-D included."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from gambit.cli import main

CTRL_C, CTRL_D = "\x03", "\x04"
CHEAP_HASHES = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024"}


class Terminal:
    """``python -m gambit *argv`` with a pseudo-terminal as its controlling terminal."""

    def __init__(self, *argv: str) -> None:
        self.output = ""
        self._pid, self._fd = pty.fork()
        if self._pid == 0:  # the child: become the command at once
            try:
                command = [sys.executable, "-m", "gambit", *argv]
                os.execve(sys.executable, command, os.environ | CHEAP_HASHES)
            finally:
                os._exit(127)

    def expect(self, text: str, timeout: float = 30) -> None:
        """Wait until the command has written ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self._read(deadline), f"never saw {text!r} in {self.output!r}"

    def type(self, keys: str) -> None:
        os.write(self._fd, keys.encode())

    def exit_code(self, timeout: float = 30) -> int:
        """Read the rest of what the command writes, and how it exited."""
        deadline = time.monotonic() + timeout
        while self._read(deadline):
            pass
        _, status = os.waitpid(self._pid, 0)
        os.close(self._fd)
        return os.waitstatus_to_exitcode(status)

    def _read(self, deadline: float) -> bool:
        """Add what the command wrote to ``output``; False once it closed the terminal."""
        ready, _, _ = select.select([self._fd], [], [], max(0, deadline - time.monotonic()))
        assert ready, f"the command went quiet: {self.output!r}"
        try:
            chunk = os.read(self._fd, 4096)
        except OSError:  # EIO: the other end is closed
            return False
        self.output += chunk.decode(errors="replace")
        return bool(chunk)


def test_prompts_at_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = ["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'gambit.db'}"]
    for name, value in CHEAP_HASHES.items():
        monkeypatch.setenv(name, value)
    ids = {}
    for name in ("alice", "bob"):
        assert main(["user", "add", name, "--password", "SecurePass123", *database]) == 0
        ids[name] = capsys.readouterr().out.split("(")[1].rstrip(")\n")

    # Started together, driven one by one: a start-up is most of each one's time.
    interrupted = Terminal("user", "add", "carol", *database)
    ended = Terminal("user", "set-password", "alice", *database)
    declined = Terminal("user", "delete", "alice", *database)
    confirmed = Terminal("user", "delete", "bob", *database)

    interrupted.expect("Password: ")
    interrupted.type("SecurePass123\r")
    interrupted.expect("Repeat it: ")
    interrupted.type(CTRL_C)
    assert interrupted.exit_code() == 130
    assert interrupted.output.endswith("Repeat it: \r\n")  # a newline, and nothing else
    assert "SecurePass123" not in interrupted.output  # the terminal did not echo it

    ended.expect("Password: ")
    ended.type(CTRL_D)
    assert ended.exit_code() == 1
    assert ended.output.endswith("Password: \r\n")

    declined.expect(f"Delete alice ({ids['alice']})? [y/N] ")
    declined.type("n\r")
    assert declined.exit_code() == 1
    assert declined.output.endswith("gambit: alice not deleted\r\n")

    confirmed.expect(f"Delete bob ({ids['bob']})? [y/N] ")
    confirmed.type("y\r")
    assert confirmed.exit_code() == 0
    assert confirmed.output.endswith(f"deleted bob ({ids['bob']})\r\n")

    assert main(["user", "list", *database]) == 0
    listed = [line.split()[1] for line in capsys.readouterr().out.splitlines()[1:]]
    assert listed == ["alice"]
