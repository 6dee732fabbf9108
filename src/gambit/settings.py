"""Every setting of the server in one place: `gambit serve` flags, the environment, a ``.env``
file."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Literal

from limits import RateLimitItem, parse
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/gambit.db"
ENV_FILE = ".env"  # read from the working directory
LOOPBACK = "127.0.0.0/8,::1/128"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    """The server's configuration. Each field is an environment variable of the same name,
    which may also be set in a ``.env`` file (in the working directory unless told
    otherwise); the environment wins over the file, and values given here (the command
    line's flags) over both. Each field has a description: `gambit serve --help` shows it."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    api_host: str = Field("127.0.0.1", description="Interface to listen on.")
    api_port: int = Field(8080, ge=0, le=65535, description="TCP port to listen on.")
    api_debug: bool = Field(False, description="Verbose logging.")
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as text, or as one JSON object per line."
    )
    dev_mode: bool = Field(
        False,
        description="Development mode: relaxed rate limits, and unless AUTH_SECRET_KEY is "
        "set a signing key generated once and kept in DATA_DIR.",
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy async URL.")
    database_timeout: float = Field(
        5.0, gt=0, description="Seconds a database call may wait (connect, lock) before failing."
    )
    battle_idle_seconds: float = Field(
        600.0, gt=0, description="A battle nobody has used this long leaves memory."
    )

    stockfish_path: str | None = Field(
        None,
        description="The Stockfish binary (serve refuses one that is not an executable file); "
        "if unset, stockfish on PATH or in /usr/games, else the built-in engine plays.",
    )
    engine_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=64,
        description="Engine processes shared by all games.",
    )

    data_dir: Path = Field(
        Path("data"), description="Files the server keeps: the dev-mode token key."
    )
    redis_url: str | None = Field(
        None, description="Redis for the events and rate-limit counters several processes share."
    )

    auth_secret_key: SecretStr | None = Field(
        None, description="Key that signs access tokens; required outside dev mode."
    )
    auth_algorithm: str = Field("HS256", pattern="^HS(256|384|512)$", description="JWT algorithm.")
    auth_token_expire_minutes: int = Field(30, ge=1, description="Access token lifetime.")
    auth_refresh_expire_days: int = Field(7, ge=1, description="Refresh token (session) lifetime.")
    argon2_time_cost: int = Field(3, ge=1, description="Argon2id passes over memory.")
    argon2_memory_kib: int = Field(65536, ge=8, description="Argon2id memory per hash, in KiB.")

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"], description="Comma-separated origins allowed by CORS."
    )
    require_https: bool = Field(False, description="Refuse plain HTTP (GETs are redirected).")
    ssl_certfile: Path | None = Field(None, description="TLS certificate: serve HTTPS.")
    ssl_keyfile: Path | None = Field(None, description="TLS private key.")

    ws_ping_interval: float = Field(
        30.0, gt=0, description="Seconds between the WebSocket pings the server sends."
    )
    ws_pong_timeout: float = Field(
        5.0,
        gt=0,
        description="Seconds a client has to answer a ping, or to take a close, before its "
        "connection is reset.",
    )
    ws_resume_seconds: float = Field(
        120.0, ge=0, description="How long a dropped WebSocket session can be resumed."
    )
    ws_resume_events: int = Field(
        1000, ge=0, description="How many recent events a session keeps for resuming."
    )
    ws_queue_size: int = Field(
        256, ge=1, description="Events waiting for a slow client before it is disconnected."
    )
    battle_waiting_expire_seconds: int = Field(
        1800, ge=1, description="A battle still waiting for players this long expires."
    )
    rate_limit_enabled: bool = Field(True, description="False switches every rate limit off.")
    rate_limit_games: int = Field(
        10, ge=1, description="Requests per second per client on the chess face (doubled in dev)."
    )
    rate_limit_requests: int = Field(
        100, ge=1, description="The general class: requests per RATE_LIMIT_PERIOD, per client."
    )
    rate_limit_period: int = Field(
        60, ge=1, description="The general class: the seconds RATE_LIMIT_REQUESTS are counted in."
    )
    rate_limit_register: str = Field("5/minute", description="Registrations per IP.")
    rate_limit_login: str = Field("10/minute", description="Logins (and POST /token) per IP.")
    rate_limit_auth: str = Field("5/minute", description="Refresh and logout, per client.")
    rate_limit_battle_create: str = Field("2/minute", description="Battles created, per client.")
    rate_limit_game_actions: str = Field(
        "30/minute", description="Battle actions, forfeits and AI analyses, per client."
    )
    rate_limit_state: str = Field("60/minute", description="State and replay queries, per client.")
    login_failures_per_pair: int = Field(
        5, ge=1, description="Failed logins of one account from one IP before that pair locks."
    )
    login_failures_per_ip: int = Field(
        20, ge=1, description="Failed logins from one IP (any account) before the IP locks."
    )
    login_failures_slow_down: int = Field(
        3, ge=1, description="Failed logins of one account after which each try waits."
    )
    login_lock_minutes: int = Field(15, ge=1, description="Window the failures count in.")
    long_poll_seconds: float = Field(
        25.0, gt=0, le=300, description="How long a long-poll waits for a change."
    )
    lichess_keepalive_seconds: float = Field(
        7.0, gt=0, description="Quiet seconds after which a lichess stream sends an empty line."
    )
    lichess_claim_victory_seconds: float = Field(
        20.0,
        ge=0,
        description="Seconds after a player's last game stream closed before the opponent "
        "may claim the win (lichess's claim-victory).",
    )
    trusted_proxies: Annotated[list[IPNetwork], NoDecode] = Field(
        default_factory=lambda: _parse_networks(LOOPBACK),
        description="Comma-separated networks whose X-Forwarded-For is believed.",
    )
    metrics_enabled: bool = Field(True, description="Serve Prometheus metrics at /metrics.")
    metrics_allow: Annotated[list[IPNetwork], NoDecode] = Field(
        default_factory=lambda: _parse_networks(LOOPBACK),
        description="Comma-separated networks that may read /metrics; others get 404.",
    )

    @field_validator("trusted_proxies", "metrics_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        return _parse_networks(value) if isinstance(value, str) else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "rate_limit_register",
        "rate_limit_login",
        "rate_limit_auth",
        "rate_limit_battle_create",
        "rate_limit_game_actions",
        "rate_limit_state",
    )
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        parse(value)  # raises ValueError on anything `limits` cannot read
        return value

    @field_validator("stockfish_path", "redis_url", "auth_secret_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def games_rate_per_second(self) -> int:
        """The chess face's per-IP limit: seed 003's 10/s, 20/s in development mode."""
        return self.rate_limit_games * 2 if self.dev_mode else self.rate_limit_games

    def limit(self, name: str) -> RateLimitItem:
        """The rate limit of class ``name`` (``register``, ``login``, ``general``, ...)."""
        if name == "general":
            return parse(f"{self.rate_limit_requests}/{self.rate_limit_period}second")
        value: str = getattr(self, f"rate_limit_{name}")
        return parse(value)


def _parse_networks(text: str) -> list[IPNetwork]:
    return [
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    ]
