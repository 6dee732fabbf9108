"""The lines a server logs once it listens: where it is, and what it runs on."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from gambit import __version__
from gambit.api.deps import Services
from gambit.settings import Settings

EVERY_INTERFACE = ("0.0.0.0", "::", "")


def banner(settings: Settings, services: Services, port: int) -> list[str]:
    """What an operator (or a newcomer) wants to know first; never a password."""
    scheme = "https" if settings.ssl_certfile else "http"
    host = settings.api_host
    everywhere = host in EVERY_INTERFACE
    shown = "localhost" if everywhere else f"[{host}]" if ":" in host else host
    url = f"{scheme}://{shown}:{port}"
    if settings.dev_mode:
        key = "AUTH_SECRET_KEY" if settings.auth_secret_key else f"the key in {settings.data_dir}"
        mode = f"development (--dev): rate limits relaxed, tokens signed with {key}"
    else:
        mode = "production"
    lines = [
        f"gambit {__version__} listening at {url}"
        + (" (on every interface)" if everywhere else ""),
        f"  web face:  {url}/    API docs: {url}/docs",
        f"  engine:    {services.engine.name}",
        f"  storage:   {storage(settings.database_url)}",
        f"  bus:       {bus(settings.redis_url)}",
        f"  mode:      {mode}",
    ]
    if settings.metrics_enabled:
        allowed = ", ".join(str(network) for network in settings.metrics_allow)
        lines.append(f"  metrics:   {url}/metrics (for {allowed})")
    else:
        lines.append("  metrics:   off (METRICS_ENABLED=false)")
    return lines


def storage(database_url: str) -> str:
    """The database, as ``SQLite at PATH`` or ``PostgreSQL database D on HOST:PORT``."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "SQLite in memory (nothing is kept)"
        return f"SQLite at {Path(url.database).resolve()}"
    if backend == "postgresql":
        return f"PostgreSQL database {url.database} on {url.host}:{url.port or 5432}"
    return f"{backend} database {url.database} on {url.host}"


def bus(redis_url: str | None) -> str:
    """``in-process``, or the Redis that carries events between processes."""
    if redis_url is None:
        return "in-process (one server process)"
    parts = urlsplit(redis_url)
    database = parts.path.strip("/") or "0"
    return f"Redis at {parts.hostname}:{parts.port or 6379}/{database}"
