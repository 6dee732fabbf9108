"""Two people duel in their browsers, by clicking, while a third watches on a phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.helpers import PASSWORD
from tests.web.conftest import RESULTS, problems_on

GAME_URL = re.compile(r"/game/([0-9a-f-]{36})$")
TURN_TIMEOUT = 5_000


@contextmanager
def screenshots_on_failure(pages: dict[str, Page]) -> Iterator[None]:
    """The extra contexts' pages leave a screenshot too when the test fails."""
    try:
        yield
    except BaseException:
        RESULTS.mkdir(exist_ok=True)
        for name, page in pages.items():
            page.screenshot(path=str(RESULTS / f"test_duel-{name}.png"), full_page=True)
        raise


def sign_up(page: Page, url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    page.goto(url + "/account")
    form = page.locator("form.sign-up")
    form.locator("input[name=username]").fill(name)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button").click()
    expect(page.locator("header.top")).to_contain_text(name)
    return name


def move(page: Page, x: int, y: int) -> None:
    page.locator(f'svg.duel-grid rect.target[data-x="{x}"][data-y="{y}"]').click(
        timeout=TURN_TIMEOUT
    )


def press(page: Page, action: str) -> None:
    page.locator(f"button.act-{action}").click(timeout=TURN_TIMEOUT)


def test_two_people_duel_by_clicking_while_a_third_watches(
    web_server: LiveServer, browser: Browser, page: Page
) -> None:
    alice = page
    bob_context = browser.new_context(viewport={"width": 1200, "height": 900})
    watcher_context = browser.new_context(viewport={"width": 390, "height": 844})
    bob, watcher = bob_context.new_page(), watcher_context.new_page()
    try:
        with screenshots_on_failure({"bob": bob, "watcher": watcher}):
            play(web_server.url, alice, bob, watcher)
    finally:
        bob_context.close()
        watcher_context.close()


def play(url: str, alice: Page, bob: Page, watcher: Page) -> None:
    problems = problems_on(watcher)
    sign_up(alice, url, "alice")
    sign_up(bob, url, "bob")
    sign_up(watcher, url, "watcher")

    alice.goto(url + "/")
    alice.locator("button.duel-open").click()
    expect(alice).to_have_url(GAME_URL)
    match = GAME_URL.search(alice.url)
    assert match is not None
    battle_id = match.group(1)

    watcher.goto(f"{url}/game/{battle_id}")
    expect(watcher.locator("svg.duel-grid g.token")).to_have_count(2)

    bob.goto(url + "/")
    bob.locator(f'li[data-battle="{battle_id}"] button.join').click()
    expect(bob).to_have_url(re.compile(f"/game/{battle_id}$"))
    expect(bob.locator("svg.duel-grid rect.tile")).to_have_count(49)
    # The players see their spectator; the spectator does not count the players.
    expect(alice.locator(".spectators")).to_have_text("1 watching")
    expect(watcher.locator(".spectators")).to_have_text("1 watching")

    # Alice starts in the corner (0, 0), Bob in (6, 6); they close in and Alice strikes.
    move(alice, 2, 0)
    move(bob, 6, 4)
    move(alice, 4, 0)
    move(bob, 6, 2)
    move(alice, 5, 1)
    press(bob, "shield")
    move(alice, 6, 1)
    press(bob, "rest")
    # Adjacent, Alice may attack, bolt, poison or stun: clicking Bob asks which.
    alice.locator("svg.duel-grid g.token.strikable").click(timeout=TURN_TIMEOUT)
    alice.locator("button.strike-attack").click()

    log = watcher.locator("ol.duel-log li")
    expect(log).to_have_text(
        [
            "Player 1 moves to 2, 0",
            "Player 2 moves to 6, 4",
            "Player 1 moves to 4, 0",
            "Player 2 moves to 6, 2",
            "Player 1 moves to 5, 1",
            "Player 2 raises a shield",
            "Player 1 moves to 6, 1",
            "Player 2 rests",
            "Player 1 attacks Player 2",
        ]
    )
    expect(watcher.locator("li.fighter").nth(1)).to_contain_text("Health 88")
    expect(bob.locator("ol.duel-log li").last).to_have_text("Player 1 attacks Player 2 (you)")
    width = watcher.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the duel page is {width} px wide on a 390 px screen"
    assert problems == []


def test_a_duel_against_two_computers_from_the_lobby(web_server: LiveServer, page: Page) -> None:
    sign_up(page, web_server.url, "solo")
    page.goto(web_server.url + "/")
    page.locator("select[name=fighters]").select_option("3")
    page.locator("input[name=duelLevel]").fill("0")
    page.locator("input[name=duelLevel]").dispatch_event("change")
    page.locator("input[name=searchTime]").fill("100")
    page.locator("input[name=searchTime]").dispatch_event("change")
    page.locator("button.duel-computer").click()
    expect(page).to_have_url(GAME_URL)
    expect(page.locator("svg.duel-grid g.token")).to_have_count(3)
    expect(page.locator("li.fighter").nth(1)).to_contain_text("Player 2 (computer, level 0)")

    press(page, "rest")
    # Both computers answer by themselves, over the socket; then it is your turn again.
    log = page.locator("ol.duel-log li")
    expect(log).to_have_count(3, timeout=15_000)
    expect(log.first).to_have_text("Player 1 (you) rests")
    expect(page.locator("button.act-rest")).to_be_visible(timeout=TURN_TIMEOUT)
