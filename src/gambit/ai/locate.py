"""Finding the Stockfish binary: the configured path, then PATH, then Debian's /usr/games."""

from __future__ import annotations

import logging
import os
import shutil

log = logging.getLogger(__name__)

DEBIAN_PATH = "/usr/games/stockfish"


def find_stockfish(configured: str | None) -> str | None:
    """The Stockfish executable to use, or None when there is none."""
    if configured:
        if is_runnable(configured):
            return configured
        log.warning(
            "STOCKFISH_PATH %s is not an executable file; using the built-in engine", configured
        )
        return None
    found = shutil.which("stockfish")
    if found:
        return found
    if os.access(DEBIAN_PATH, os.X_OK):
        return DEBIAN_PATH
    return None


def is_runnable(path: str) -> bool:
    """True when ``path`` is an executable file."""
    return os.path.isfile(path) and os.access(path, os.X_OK)
