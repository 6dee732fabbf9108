"""A bot author makes a personal API token on the account page, uses it, and revokes it."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.helpers import register
from tests.web.conftest import sign_in


def test_a_token_is_made_shown_once_works_and_is_revoked(
    web_server: LiveServer, page: Page
) -> None:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as api:
        author = register(api)
    with httpx.Client(base_url=web_server.url, timeout=30) as http:
        sign_in(page, web_server.url, author)
        page.goto(web_server.url + "/account")
        form = page.locator("form.create-token")
        form.locator("input[name=description]").fill("my lichess-bot")
        form.locator("input[value='bot:play']").check()
        form.locator("button").click()
        shown = page.locator(".new-token code.token")
        expect(shown).to_have_text(re.compile(r"^gbt_[A-Za-z0-9]{32}$"))
        token = shown.inner_text()
        row = page.locator("table.tokens tbody tr", has_text="my lichess-bot")
        expect(row).to_contain_text("bot:play")
        expect(row).not_to_contain_text(token)  # the list never shows the secret

        # The token signs in as its user, on the lichess face and on gambit's own.
        as_bot = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/account", headers=as_bot).json()["username"] == author["username"]
        assert http.get("/api/v1/auth/me", headers=as_bot).status_code == 200

        row.locator("button.revoke").click()
        expect(page.locator("table.tokens")).to_have_count(0)
        assert http.get("/api/account", headers=as_bot).status_code == 401
        # Made once, never shown again: a fresh visit has no secret on the page.
        page.reload()
        expect(page.locator(".new-token")).to_have_count(0)
