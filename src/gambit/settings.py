"""Every setting of the server in one place, read from the environment or `gambit serve` flags."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/gambit.db"
LOOPBACK = "127.0.0.0/8,::1/128"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    """The server's configuration; each field is an environment variable of the same name."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    api_host: str = Field("127.0.0.1", description="Interface to listen on.")
    api_port: int = Field(8080, ge=0, le=65535, description="TCP port to listen on.")
    api_debug: bool = Field(False, description="Verbose logging.")
    dev_mode: bool = Field(False, description="Development mode: relaxed rate limits.")

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy async URL.")
    storage_enabled: bool = Field(True, description="False keeps games in memory only.")

    stockfish_path: str | None = Field(None, description="Stockfish binary; searched if unset.")
    engine_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, le=64, description="Engine processes."
    )

    rate_limit_enabled: bool = Field(True, description="False switches every rate limit off.")
    rate_limit_games: int = Field(
        10, ge=1, description="Requests per second per client on the chess face (doubled in dev)."
    )
    long_poll_seconds: float = Field(
        25.0, gt=0, le=300, description="How long a long-poll waits for a change."
    )
    trusted_proxies: Annotated[list[IPNetwork], NoDecode] = Field(
        default_factory=lambda: _parse_networks(LOOPBACK),
        description="Comma-separated networks whose X-Forwarded-For is believed.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        return _parse_networks(value) if isinstance(value, str) else value

    @field_validator("stockfish_path", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def games_rate_per_second(self) -> int:
        """The chess face's per-IP limit: seed 003's 10/s, 20/s in development mode."""
        return self.rate_limit_games * 2 if self.dev_mode else self.rate_limit_games

    def sqlite_directory(self) -> Path | None:
        """The directory holding the SQLite file, if the database is a SQLite file."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url.removeprefix(prefix).split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path).parent


def _parse_networks(text: str) -> list[IPNetwork]:
    return [
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    ]
