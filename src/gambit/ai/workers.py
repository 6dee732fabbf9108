"""Worker processes for the AIs written in Python: CPU-bound search off the event loop.

A search may report as it goes (the duel AI, after each depth): the worker puts its
reports on one queue shared by the pool, a thread of the server hands each to the
event loop, and they reach the caller's ``progress`` in order, all before the result
is returned: the worker says how many it sent, and the pool waits for them.

Workers exit on their own once the server process is gone, however it went: one waiting
for work would otherwise wait for ever, since it holds both ends of the pool's queues
itself; and multiprocessing's resource tracker, which exits when the last holder of its
pipe (the server and every worker) does, goes with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.queues import SimpleQueue
from typing import Any, TypeVar

from gambit.metrics import ENGINE_BUSY, ENGINE_QUEUED, ENGINE_SEARCH

log = logging.getLogger(__name__)

T = TypeVar("T")
REPORT_GRACE_SECONDS = 1.0  # at most this long for a result's reports to arrive
SERVER_CHECK_SECONDS = 0.5  # how often a worker looks whether the server is still there
Report = tuple[str, Any]  # job id, what the search said

# In a worker process: where its searches report.
_reports: SimpleQueue[Report | None] | None = None


def _start_worker(reports: SimpleQueue[Report | None], server: int) -> None:
    """The pool's initializer: each worker process reports on the pool's one queue and
    exits when the ``server`` process does."""
    global _reports
    _reports = reports
    # A Ctrl-C at the terminal reaches every process of the group: the server alone
    # answers it, and stops its workers as it stops. (SIGTERM still ends a worker: the
    # pool sends it to those left when one died.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(server,), name="server-watch", daemon=True).start()


def _exit_without(server: int) -> None:
    """In a worker: exit once the server is gone, killed outright included. An orphan is
    adopted by another process, so its parent id changes; this polls for that rather than
    ask Linux for a signal, which would come when the *thread* that started it exits."""
    while os.getppid() == server:
        time.sleep(SERVER_CHECK_SECONDS)
    os._exit(1)


_sent: dict[str, int] = {}  # in a worker: reports sent per job


def report(job: str | None, payload: Any) -> None:
    """In a worker: tell the caller of job ``job`` how the search is going."""
    if job is not None and _reports is not None:
        _reports.put((job, payload))
        _sent[job] = _sent.get(job, 0) + 1


def _tracked(function: Callable[..., T], job: str, *args: Any) -> tuple[T, int]:
    """In a worker: ``function(*args, job)``, and how many reports it sent."""
    try:
        return function(*args, job), _sent.get(job, 0)
    finally:
        _sent.pop(job, None)


class WorkerPool:
    """A process pool, started on first use and started afresh if a worker dies; its
    searches are counted in the engine metrics under ``name``."""

    def __init__(self, workers: int, name: str) -> None:
        self._workers = workers
        self._busy = ENGINE_BUSY.labels(name)
        self._queued = ENGINE_QUEUED.labels(name)
        self._search_seconds = ENGINE_SEARCH.labels(name)
        self._in_flight = 0  # searches submitted and not yet answered
        self._context = multiprocessing.get_context("spawn")  # forking threads is unsafe
        self._pool: ProcessPoolExecutor | None = None
        self._reports: SimpleQueue[Report | None] = self._context.SimpleQueue()
        self._jobs: dict[str, _Job] = {}
        self._reader: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(
        self,
        function: Callable[..., T],
        *args: Any,
        progress: Callable[[Any], Awaitable[None]] | None = None,
    ) -> T:
        """``function(*args)`` in a worker; with ``progress``, ``function(*args, job)``,
        whose ``report(job, …)`` calls reach ``progress``. Retried once in a new pool if
        the old one broke."""
        loop = asyncio.get_running_loop()
        if progress is None:
            return await self._submit(loop, function, *args)
        job = _Job()
        self._listen(loop)
        self._jobs[job.id] = job

        async def relay() -> None:
            while True:
                await progress(await job.reports.get())

        relaying = asyncio.create_task(relay())
        try:
            tracked: tuple[T, int] = await self._submit(loop, _tracked, function, job.id, *args)
            result, sent = tracked
            # The reports travel apart from the result; let every one land first.
            job.expect(sent)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.complete.wait(), REPORT_GRACE_SECONDS)
        finally:
            del self._jobs[job.id]
            relaying.cancel()
            await asyncio.gather(relaying, return_exceptions=True)
        while not job.reports.empty():
            await progress(job.reports.get_nowait())
        return result

    def close(self) -> None:
        """Stop the workers and the report thread."""
        self._shut_down()
        if self._reader is not None:
            self._reports.put(None)
            self._reader.join(timeout=5)
            self._reader = None

    def _shut_down(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _submit(
        self, loop: asyncio.AbstractEventLoop, function: Callable[..., T], *args: Any
    ) -> T:
        started = time.perf_counter()
        self._in_flight += 1
        # The executor runs searches in the order submitted: beyond the workers they queue.
        (self._busy if self._in_flight <= self._workers else self._queued).inc()
        try:
            try:
                result = await loop.run_in_executor(self._executor(), function, *args)
            except BrokenProcessPool:
                log.warning("a search worker died; starting new workers")
                self._shut_down()
                result = await loop.run_in_executor(self._executor(), function, *args)
        finally:
            self._in_flight -= 1
            # A queued search takes the worker this one leaves, if there is one.
            (self._queued if self._in_flight >= self._workers else self._busy).dec()
        self._search_seconds.observe(time.perf_counter() - started)
        return result

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=self._context,
                initializer=_start_worker,
                initargs=(self._reports, os.getpid()),
            )
        return self._pool

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._reader is None:
            self._loop = loop
            self._reader = threading.Thread(target=self._read, name="search-reports", daemon=True)
            self._reader.start()

    def _read(self) -> None:
        """The report thread: hand each report to the event loop."""
        while (item := self._reports.get()) is not None:
            assert self._loop is not None
            self._loop.call_soon_threadsafe(self._deliver, *item)

    def _deliver(self, job_id: str, payload: Any) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.receive(payload)


class _Job:
    """A search whose reports are awaited: they queue here until relayed."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.reports: asyncio.Queue[Any] = asyncio.Queue()
        self.complete = asyncio.Event()
        self._received = 0
        self._expected: int | None = None

    def receive(self, payload: Any) -> None:
        self._received += 1
        self.reports.put_nowait(payload)
        self._check()

    def expect(self, count: int) -> None:
        self._expected = count
        self._check()

    def _check(self) -> None:
        if self._expected is not None and self._received >= self._expected:
            self.complete.set()
