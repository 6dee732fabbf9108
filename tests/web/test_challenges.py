"""Challenges in the browser: a bot author sets gambit's engine on their bot and watches,
and a person accepts a bot's challenge from the lobby."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.helpers import bearer, register
from tests.web.conftest import sign_in


def _bot(api: httpx.Client) -> dict[str, str]:
    bot = register(api)
    upgraded = api.post(
        f"{api.base_url.scheme}://{api.base_url.netloc.decode()}/api/bot/account/upgrade",
        headers=bearer(bot),
    )
    assert upgraded.status_code == 200, upgraded.text
    return dict(bot)


def test_an_author_sets_the_engine_on_their_bot_and_watches(
    web_server: LiveServer, page: Page
) -> None:
    root = web_server.url
    with httpx.Client(base_url=root + "/api/v1", timeout=30) as api:
        author, bot = register(api), _bot(api)
        sign_in(page, root, author)
        page.goto(root + "/")
        form = page.locator("form.challenge-form")
        form.locator("input[name=opponent]").fill(bot["username"])
        form.locator("select[name=challengeClock]").select_option("3+2")
        form.locator("select[name=engine]").select_option("1")
        form.locator("select[name=challengeColour]").select_option("white")
        form.locator("button.send-challenge").click()
        waiting = page.locator("ul.challenge-list li.outgoing")
        expect(waiting).to_contain_text(f"BOT Stockfish level 1 → BOT {bot['username']} · 3+2")

        # The bot accepts (as lichess-bot would, from its event stream).
        listed = api.get(root + "/api/challenge", headers=bearer(bot)).json()
        challenge_id = listed["in"][0]["id"]
        accepted = api.post(root + f"/api/challenge/{challenge_id}/accept", headers=bearer(bot))
        assert accepted.status_code == 200, accepted.text

        # The author is taken to the game, and watches the engine open as white.
        expect(page).to_have_url(f"{root}/game/{challenge_id}", timeout=10_000)
        expect(page.locator(".players")).to_have_text(
            f"computer level 0 vs {bot['username']} (1500)"
        )
        expect(page.locator("ol.moves li")).to_have_count(1, timeout=15_000)
        three_minutes = re.compile(r"^3:0[0-2]$")  # no time runs before both have moved
        expect(page.locator("ul.clocks li .time")).to_have_text([three_minutes] * 2)


def test_a_person_accepts_a_bots_challenge_from_the_lobby(
    web_server: LiveServer, page: Page
) -> None:
    root = web_server.url
    with httpx.Client(base_url=root + "/api/v1", timeout=30) as api:
        person, bot = register(api), _bot(api)
        sent = api.post(
            root + f"/api/challenge/{person['username']}",
            data={"clock.limit": "300", "clock.increment": "0", "color": "black"},
            headers=bearer(bot),
        )
        assert sent.status_code == 200, sent.text
    sign_in(page, root, person)
    page.goto(root + "/")
    incoming = page.locator("ul.challenge-list li.incoming")
    expect(incoming).to_contain_text(f"BOT {bot['username']} challenges you · 5+0")
    incoming.locator("button.accept").click()
    expect(page).to_have_url(re.compile(f"/game/{sent.json()['id']}$"))
    expect(page.locator("cg-board piece")).to_have_count(32)
    expect(page.locator(".players")).to_have_text(
        f"{person['username']} (1500) vs {bot['username']} (1500)"
    )
