"""The security envelope: headers on every response, CORS, HTTPS and REQUIRE_HTTPS."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import LiveServer
from tests.helpers import assert_error, bearer, register
from tests.ws import open_socket


def test_headers_on_every_response(client: httpx.Client, server: LiveServer) -> None:
    responses = [
        client.get("/health"),
        client.get("/games/not-a-uuid"),
        client.post("/games", content=b"{", headers={"Content-Type": "application/json"}),
        httpx.get(server.url + "/nowhere"),
    ]
    for response in responses:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_docs_load_swagger_from_this_server_alone(server: LiveServer) -> None:
    response = httpx.get(server.url + "/docs")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "https:" not in policy  # nothing from elsewhere
    assert "frame-ancestors 'none'" in policy
    assert "https://" not in response.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert httpx.get(f"{server.url}/docs-assets/{asset}").status_code == 200
    redoc = httpx.get(server.url + "/redoc")
    assert "/docs-assets/redoc.standalone.js" in redoc.text
    assert "https://" not in redoc.text


def test_user_text_is_json_never_html(client: httpx.Client) -> None:
    account = register(client)
    response = client.patch(
        "/users/me", json={"displayName": "Bob & Alice"}, headers=bearer(account)
    )
    assert response.headers["Content-Type"] == "application/json"
    assert_error(
        client.patch("/users/me", json={"displayName": "<img src=x>"}, headers=bearer(account)),
        400,
        "INVALID_REQUEST",
    )


def test_cors(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(cors_origins="https://app.example")
    preflight = httpx.options(
        live.url + "/api/v1/games",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    simple = httpx.get(live.url + "/health", headers={"Origin": "https://app.example"})
    assert simple.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "X-RateLimit-Remaining" in simple.headers["Access-Control-Expose-Headers"]
    foreign = httpx.get(live.url + "/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_serves_https_with_hsts(
    start_server: Callable[..., LiveServer], certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    live = start_server(ssl_certfile=cert, ssl_keyfile=key, require_https=True)
    assert live.url.startswith("https://")
    context = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(base_url=live.url, verify=context) as client:
        response = client.get("/health")
        assert response.status_code == 200
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        created = client.post("/api/v1/games", json={"white": {"type": 1}, "black": {"type": 1}})
        assert created.status_code == 201


def test_require_https_refuses_plain_http(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(require_https=True, trusted_proxies="10.0.0.0/8")
    redirected = httpx.get(live.url + "/api/v1/games/x?wait=true", follow_redirects=False)
    assert redirected.status_code == 308
    assert redirected.headers["Location"].startswith("https://127.0.0.1:")
    assert redirected.headers["Location"].endswith("/api/v1/games/x?wait=true")
    refused = httpx.post(live.url + "/api/v1/games", json={"white": {"type": 1}})
    assert_error(refused, 403, "FORBIDDEN", "HTTPS required")
    # Loopback is not a trusted proxy here, so its X-Forwarded-Proto is not believed.
    spoofed = httpx.get(live.url + "/api/v1/games/x", headers={"X-Forwarded-Proto": "https"})
    assert spoofed.status_code == 308
    # A plain socket is refused before it opens: its URL may carry a token.
    with pytest.raises(InvalidStatus) as refused_socket:
        asyncio.run(_open_and_close(live.url))
    assert refused_socket.value.response.status_code == 403
    # Health checks and scrapes from the machine's own monitoring may stay plain.
    assert httpx.get(live.url + "/health").status_code == 200
    assert httpx.get(live.url + "/health/ready").status_code == 200


async def _open_and_close(http_url: str) -> None:
    async with open_socket(http_url):
        pass


def test_a_trusted_proxy_may_vouch_for_https(start_server: Callable[..., LiveServer]) -> None:
    live = start_server(require_https=True)  # loopback is trusted by default
    response = httpx.get(live.url + "/health", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers
