"""The server's Prometheus metrics, counted where things happen.

Counters and histograms are process-wide objects that the layers update as they work
(the access middleware, the referee, the store, the bus, the engine pools). Gauges of
what is held at a moment (battles in memory, open sockets) are read when scraped, by a
collector of the application's own (`gambit.api.routes.metrics`). Each ``gambit serve``
process serves its own figures at ``/metrics``; Prometheus scrapes every process and
adds them up, so nothing here is shared between processes.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

disable_created_metrics()  # the *_created series only double what is scraped

# A move's request takes about a millisecond; long-polls up to LONG_POLL_SECONDS.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
SEARCH_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)

HTTP_REQUESTS = Counter(
    "gambit_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=None,
)
HTTP_DURATION = Histogram(
    "gambit_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response.",
    ("method", "route", "status"),
    buckets=HTTP_BUCKETS,
    registry=None,
)
ACTIONS = Counter(
    "gambit_actions",
    "Moves and actions applied to battles and stored, by game.",
    ("game",),
    registry=None,
)
WS_EVENTS_SENT = Counter(
    "gambit_ws_events_sent", "Events written to WebSocket clients.", registry=None
)
BUS_DELAY = Histogram(
    "gambit_bus_delay_seconds",
    "Time from an event's publication in another process to its receipt in this one.",
    buckets=FAST_BUCKETS,
    registry=None,
)
STORAGE_WRITE = Histogram(
    "gambit_storage_write_seconds",
    "Time of one group commit of battle changes.",
    buckets=FAST_BUCKETS,
    registry=None,
)
STORAGE_BATCH = Histogram(
    "gambit_storage_batch_size",
    "Battle changes stored by one group commit.",
    buckets=BATCH_BUCKETS,
    registry=None,
)
STORAGE_FAILURES = Counter(
    "gambit_storage_write_failures",
    "Battle changes the store did not take: conflict (another process stored first), "
    "unavailable (the database is away) or error.",
    ("reason",),
    registry=None,
)
ENGINE_SEARCH = Histogram(
    "gambit_engine_search_seconds",
    "Time an engine took to choose a move or action, by engine.",
    ("engine",),
    buckets=SEARCH_BUCKETS,
    registry=None,
)
ENGINE_BUSY = Gauge(
    "gambit_engine_busy",
    "Engine workers searching, by engine.",
    ("engine",),
    registry=None,
)
ENGINE_QUEUED = Gauge(
    "gambit_engine_queued",
    "Searches waiting for a free engine worker, by engine.",
    ("engine",),
    registry=None,
)
RATE_LIMITED = Counter(
    "gambit_rate_limit_refusals",
    "Requests refused with 429 by a rate limit, by limit class.",
    ("limit",),
    registry=None,
)
LOGIN_FAILURES = Counter(
    "gambit_login_failures",
    "Sign-ins refused: wrong credentials, or locked after too many of them.",
    ("reason",),
    registry=None,
)

_PROCESS_WIDE = (
    HTTP_REQUESTS,
    HTTP_DURATION,
    ACTIONS,
    WS_EVENTS_SENT,
    BUS_DELAY,
    STORAGE_WRITE,
    STORAGE_BATCH,
    STORAGE_FAILURES,
    ENGINE_SEARCH,
    ENGINE_BUSY,
    ENGINE_QUEUED,
    RATE_LIMITED,
    LOGIN_FAILURES,
)


def registry(*own: Collector) -> CollectorRegistry:
    """What one application serves: the process-wide metrics, the process's CPU, memory
    and Python version, and the application's ``own`` collectors."""
    served = CollectorRegistry(auto_describe=True)
    for collector in (*_PROCESS_WIDE, *own):
        served.register(collector)
    ProcessCollector(registry=served)
    PlatformCollector(registry=served)
    return served
