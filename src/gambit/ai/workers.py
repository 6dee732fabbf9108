"""Worker processes for the AIs written in Python: CPU-bound search off the event loop."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def process_pool(workers: int) -> ProcessPoolExecutor:
    # "spawn": forking a process that runs threads (uvicorn, aiosqlite) is unsafe.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
