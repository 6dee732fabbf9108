"""docs/production.md as printed: its settings file is gambit's, and its nginx file, run
by Debian's nginx with TLS in front of a real gambit on the guide's settings, passes on
client addresses and the scheme, the socket and lichess's streams, and hides /metrics."""

from __future__ import annotations

import asyncio
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gambit.settings import Settings
from tests.conftest import LiveServer, free_port, make_settings
from tests.helpers import PASSWORD, assert_error, bearer, register
from tests.ws import open_socket

GUIDE = Path(__file__).parents[1] / "docs" / "production.md"
NGINX_FILE = "/etc/nginx/conf.d/gambit.conf"
SETTINGS_FILE = "/etc/gambit/gambit.env"
FORGED_ADDRESS = "203.0.113.9"


def guide_file(path: str) -> str:
    """The text of the file the guide prints in a code block whose first line names ``path``."""
    for block in re.findall(r"^```\w*\n(.*?)^```", GUIDE.read_text(), re.MULTILINE | re.DOTALL):
        first_line, _, rest = block.partition("\n")
        if first_line.startswith(f"# {path}"):
            return str(rest)
    raise AssertionError(f"docs/production.md prints no {path}")


def guide_settings() -> dict[str, str]:
    """The guide's settings file, as systemd's EnvironmentFile reads it."""
    lines = guide_file(SETTINGS_FILE).splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name: value for name, value in pairs}


def test_the_guides_settings_file_holds_gambit_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = guide_settings()
    # Settings ignores names it does not know: a misspelt one would be silently dropped.
    assert {name.lower() for name in settings} <= set(Settings.model_fields), settings
    assert not [value for value in settings.values() if "#" in value]  # no trailing comments
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    read = Settings()
    assert read.require_https
    assert read.redis_url == settings["REDIS_URL"]


@dataclass
class Proxied:
    """nginx, run with the guide's file, in front of gambit."""

    gambit: LiveServer
    https_url: str
    http_url: str
    tls: ssl.SSLContext

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        """A client of nginx's TLS server, connecting from the loopback address ``source``."""
        transport = httpx.HTTPTransport(local_address=source, verify=self.tls)
        return httpx.Client(base_url=self.https_url, transport=transport, timeout=10)


def _nginx_configuration(
    directory: Path, gambit_port: int, ports: dict[int, int], cert: Path, key: Path
) -> str:
    """The guide's nginx file on the test's ports and certificate, in a main configuration
    that keeps every file nginx writes in ``directory``."""
    site = guide_file(NGINX_FILE)
    replacements = [
        (r"server 127\.0\.0\.1:\d+;", f"server 127.0.0.1:{gambit_port};"),
        (r"^\s*listen \[::\]:.*$", ""),  # the test listens on 127.0.0.1 only
        *((rf"listen {public}\b", f"listen 127.0.0.1:{local}") for public, local in ports.items()),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement, site, flags=re.MULTILINE)
        assert count, f"the guide's nginx file has no {pattern!r} to run it on the test's ports"
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {directory / 'nginx.pid'};\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n{site}\n}}\n"
    )


def _wait_for_nginx(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until nginx answers on ``port``; its error log if it exits or takes too long."""
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"nginx did not start: {log.read_text() if log.exists() else ''}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def proxied(
    tmp_path_factory: pytest.TempPathFactory, certificate: tuple[Path, Path]
) -> Iterator[Proxied]:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.fail("NGINX NOT INSTALLED: run `make nginx`")
    settings = guide_settings()
    directory = tmp_path_factory.mktemp("nginx")
    gambit = LiveServer(
        make_settings(
            f"sqlite+aiosqlite:///{directory / 'gambit.db'}",
            trusted_proxies=settings["TRUSTED_PROXIES"],
            require_https=settings["REQUIRE_HTTPS"],
            rate_limit_enabled=True,
            engine_workers=1,
            lichess_keepalive_seconds=60,  # only the events themselves cross the stream
        )
    ).start()
    https_port, http_port = free_port(), free_port()
    cert, key = certificate
    configuration = directory / "nginx.conf"
    configuration.write_text(
        _nginx_configuration(
            directory,
            httpx.URL(gambit.url).port or 0,
            {443: https_port, 80: http_port},
            cert,
            key,
        )
    )
    log = directory / "error.log"
    process = subprocess.Popen(
        [
            *(nginx, "-p", str(directory), "-c", str(configuration)),
            *("-e", str(log), "-g", "daemon off;"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_nginx(http_port, process, log)
        yield Proxied(
            gambit,
            f"https://127.0.0.1:{https_port}",
            f"http://127.0.0.1:{http_port}",
            ssl.create_default_context(cafile=str(cert)),
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        gambit.stop()


def test_each_clients_own_address_reaches_gambit(proxied: Proxied) -> None:
    registrations = proxied.gambit.settings.limit("register").amount  # per address
    with proxied.client("127.0.0.2") as first, proxied.client("127.0.0.3") as second:
        for _ in range(registrations):
            register(first)
        refused = first.post(
            "/api/v1/auth/register", json={"username": "one_more", "password": PASSWORD}
        )
        assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
        # What a client writes into X-Forwarded-For is not believed: nginx's hop is.
        forged = first.post(
            "/api/v1/auth/register",
            json={"username": "forged", "password": PASSWORD},
            headers={"X-Forwarded-For": FORGED_ADDRESS},
        )
        assert_error(forged, 429, "RATE_LIMIT_EXCEEDED")
        register(second)


def test_tls_at_nginx_satisfies_require_https(proxied: Proxied) -> None:
    with proxied.client() as through_nginx:
        created = through_nginx.post(
            "/api/v1/games", json={"white": {"type": 1}, "black": {"type": 1}}
        )
        assert created.status_code == 201, created.text
        assert created.headers["Strict-Transport-Security"].startswith("max-age=")
    # Straight to gambit over plain HTTP: refused, or redirected to https://.
    direct = httpx.post(
        proxied.gambit.url + "/api/v1/games", json={"white": {"type": 1}, "black": {"type": 1}}
    )
    assert_error(direct, 403, "FORBIDDEN", "HTTPS required")
    assert httpx.get(proxied.gambit.url + "/api/v1/leaderboard/chess").status_code == 308
    # Health checks from the machine itself may stay plain.
    assert httpx.get(proxied.gambit.url + "/health").status_code == 200
    # nginx's plain-HTTP server sends everyone to https://.
    plain = httpx.get(proxied.http_url + "/lobby?x=1", headers={"Host": "gambit.example.org"})
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://gambit.example.org/lobby?x=1"


def test_a_socket_through_nginx_hears_a_move_made_over_rest(proxied: Proxied) -> None:
    with proxied.client() as http:
        game = http.post("/api/v1/games", json={"white": {"type": 1}, "black": {"type": 1}}).json()

        async def watch() -> None:
            async with open_socket(proxied.https_url, ssl=proxied.tls) as socket:
                await socket.send("subscribe", {"battleId": game["gameId"]})
                await socket.expect("subscribe")
                moved = http.post(f"/api/v1/games/{game['gameId']}/moves", json={"move": "e2e4"})
                assert moved.status_code == 200, moved.text
                update = await socket.expect("game:update", battleId=game["gameId"], timeout=5)
                assert update["data"]["moves"] == ["e2e4"]

        asyncio.run(asyncio.wait_for(watch(), 20))


def test_lichess_streams_pass_through_as_they_come(proxied: Proxied) -> None:
    with proxied.client("127.0.0.4") as http:
        challenged, challenger = register(http), register(http)
        events = http.stream("GET", "/api/stream/event", headers=bearer(challenged), timeout=3)
        with events as stream:
            assert stream.status_code == 200
            sent = http.post(
                f"/api/challenge/{challenged['username']}",
                data={"rated": "false"},
                headers=bearer(challenger),
            )
            assert sent.status_code == 200, sent.text
            # nginx holding the line back in a buffer would time this read out.
            line = next(line for line in stream.iter_lines() if line)
    assert '"type":"challenge"' in line


def test_metrics_are_not_served_through_nginx(proxied: Proxied) -> None:
    with proxied.client() as http:
        response = http.get("/metrics")
    assert response.status_code == 404
    assert "X-Content-Type-Options" not in response.headers  # nginx's answer: gambit never saw it
    assert "nginx" in response.text
    # Straight from the machine itself, plain HTTP, the scrape works.
    direct = httpx.get(proxied.gambit.url + "/metrics")
    assert direct.status_code == 200
    assert "gambit_http_requests_total" in direct.text
