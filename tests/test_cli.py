"""The command line: flags become settings, the same ones the environment sets."""

from __future__ import annotations

import ipaddress

import pytest

from gambit.cli import _parser, _settings
from gambit.settings import Settings


def _parse(*argv: str) -> Settings:
    return _settings(_parser().parse_args(["serve", *argv]))


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_PORT", "DATABASE_URL", "RATE_LIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    settings = _parse()
    assert settings.api_port == 8080
    assert settings.database_url == "sqlite+aiosqlite:///./data/gambit.db"
    assert settings.rate_limit_enabled


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_PORT", "9001")
    monkeypatch.setenv("ENGINE_WORKERS", "3")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    from_env = _parse()
    assert from_env.api_port == 9001
    assert from_env.engine_workers == 3
    assert from_env.trusted_proxies == [ipaddress.ip_network("10.0.0.0/8")]
    flags = _parse(
        "--port",
        "9002",
        "--engine-workers",
        "1",
        "--dev",
        "--no-storage",
        "--no-rate-limit",
        "--database-url",
        "postgresql+asyncpg://db/gambit",
        "--host",
        "0.0.0.0",
    )
    assert flags.api_port == 9002
    assert flags.engine_workers == 1
    assert flags.dev_mode
    assert flags.games_rate_per_second == 20
    assert not flags.storage_enabled
    assert not flags.rate_limit_enabled
    assert flags.database_url == "postgresql+asyncpg://db/gambit"
    assert flags.api_host == "0.0.0.0"
