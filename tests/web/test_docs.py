"""The API's documentation pages work in a browser from this server alone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer


def test_swagger_ui_and_redoc_load_without_the_internet(web_server: LiveServer, page: Page) -> None:
    outside: list[str] = []  # fetched from elsewhere (Redoc's own logo is refused by the policy)
    page.on(
        "requestfinished",
        lambda request: (
            None
            if request.url.startswith((web_server.url, "data:", "blob:"))
            else outside.append(request.url)
        ),
    )
    page.goto(web_server.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    page.goto(web_server.url + "/redoc")
    expect(page.get_by_role("heading", name="Create a game")).to_be_visible(timeout=15_000)
    assert outside == []
