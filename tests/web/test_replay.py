"""A finished battle played back in a real browser, and the pages that rank and
describe its players: the replay, the profile, the leaderboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.helpers import FOOLS_MATE, act, bearer, create_battle, register
from tests.web.conftest import problems_on, sign_in

HUMAN = {"type": "human"}


@pytest.fixture(scope="module")
def api(web_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def fools_mate(api: httpx.Client) -> dict[str, Any]:
    """Two new players and the battle black won in four plies."""
    white, black = register(api), register(api)
    battle_id = create_battle(api, white, "chess", HUMAN, HUMAN)["id"]
    assert api.post(f"/battles/{battle_id}/join", headers=bearer(black)).status_code == 200
    for ply, move in enumerate(FOOLS_MATE):
        answer = act(api, (white, black)[ply % 2], battle_id, {"type": "move", "move": move})
        assert answer.status_code == 200, answer.text
    return {"white": white, "black": black, "battleId": battle_id}


def wait_for_piece(page: Page, piece: str, square: str) -> None:
    """Wait until chessground shows ``piece`` (e.g. ``black.queen``) on ``square``."""
    page.wait_for_function(
        """([piece, square]) => Array.from(document.querySelectorAll('cg-board piece.' + piece))
             .some((p) => p.cgKey === square && !p.classList.contains('fading'))""",
        arg=[piece, square],
        timeout=10_000,
    )


def test_the_replay_steps_jumps_and_downloads_the_pgn(
    web_server: LiveServer, page: Page, fools_mate: dict[str, Any], tmp_path: Path
) -> None:
    sign_in(page, web_server.url, fools_mate["white"])
    page.goto(f"{web_server.url}/replay/{fools_mate['battleId']}")

    # It lands on how the battle ended.
    wait_for_piece(page, "black.queen", "h4")
    expect(page.locator(".result")).to_contain_text(fools_mate["black"]["username"])
    expect(page.locator(".result")).to_contain_text("checkmate")
    expect(page.locator("ol.replay-moves button.ply")).to_have_text(["f3", "e5", "g4", "Qh4#"])
    expect(page.locator("button.ply.current")).to_have_text("Qh4#")

    # Back with the arrow key, to the very start.
    for _ in FOOLS_MATE:
        page.keyboard.press("ArrowLeft")
    wait_for_piece(page, "black.queen", "d8")
    expect(page.locator(".position")).to_have_text("Position 0 of 4")
    expect(page.locator("button.ply.current")).to_have_count(0)
    page.keyboard.press("ArrowRight")
    wait_for_piece(page, "white.pawn", "f3")
    expect(page.locator("button.ply.current")).to_have_text("f3")

    # A move of the list, clicked: straight there.
    page.locator("button.ply", has_text="g4").click()
    wait_for_piece(page, "white.pawn", "g4")
    wait_for_piece(page, "black.queen", "d8")
    expect(page.locator(".position")).to_have_text("Position 3 of 4")

    with page.expect_download() as waiting:
        page.locator("a.download-pgn").click()
    saved = tmp_path / "game.pgn"
    waiting.value.save_as(saved)
    pgn = saved.read_text()
    assert "1. f3 e5 2. g4 Qh4#" in pgn
    assert fools_mate["white"]["username"] in pgn


def test_the_finished_game_page_links_its_replay(
    web_server: LiveServer, page: Page, fools_mate: dict[str, Any]
) -> None:
    page.goto(f"{web_server.url}/game/{fools_mate['battleId']}")
    page.locator("a.replay-link").click()
    expect(page).to_have_url(f"{web_server.url}/replay/{fools_mate['battleId']}")
    wait_for_piece(page, "black.queen", "h4")


def test_the_lobby_lists_recent_results_with_their_replays(
    web_server: LiveServer, page: Page, fools_mate: dict[str, Any]
) -> None:
    page.goto(web_server.url + "/")
    white, black = fools_mate["white"]["username"], fools_mate["black"]["username"]
    result = page.locator(".recent-results li", has_text=f"{black} won (checkmate)")
    expect(result).to_contain_text(f"chess · {white} (1500) vs {black} (1500): {black} won")
    result.get_by_role("link", name="Replay").click()
    expect(page).to_have_url(re.compile(r"/replay/[0-9a-f-]{36}$"))


def test_a_duel_replays_as_the_fighters_table(
    web_server: LiveServer, page: Page, api: httpx.Client
) -> None:
    first, second = register(api), register(api)
    battle_id = create_battle(api, first, "duel", HUMAN, HUMAN)["id"]
    api.post(f"/battles/{battle_id}/join", headers=bearer(second))
    api.post(f"/battles/{battle_id}/forfeit", headers=bearer(first))
    page.goto(f"{web_server.url}/replay/{battle_id}")
    fighters = page.locator("table.fighters tbody tr")
    expect(fighters).to_have_count(2)
    expect(fighters.first).to_contain_text(first["username"])
    expect(page.locator(".result")).to_contain_text(f"{second['username']} won (forfeit)")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".position")).to_have_text("Position 0 of 1")
    expect(fighters.first.locator("td").first).to_have_text("100")
    expect(page.locator("a.download-pgn")).to_have_count(0)


def test_the_profile_and_the_leaderboard(
    web_server: LiveServer, page: Page, fools_mate: dict[str, Any]
) -> None:
    winner, loser = fools_mate["black"], fools_mate["white"]
    sign_in(page, web_server.url, loser)
    page.goto(web_server.url + "/")
    page.locator("header.top a.me").click()  # the signed-in name: their own profile
    expect(page).to_have_url(f"{web_server.url}/profile/{loser['userId']}")
    expect(page.locator("h1.username")).to_have_text(loser["username"])
    chess = page.locator("table.ratings tr.chess td")
    expect(chess).to_have_text([re.compile(r"^1\d{3}\?$"), "1", "0", "1", "0"])
    recent = page.locator("ul.battles li a", has_text="lost (checkmate)")
    expect(recent).to_have_attribute("href", f"/replay/{fools_mate['battleId']}")

    page.goto(f"{web_server.url}/profile/{winner['userId']}")
    expect(page.locator("table.ratings tr.chess td")).to_have_text(
        [re.compile(r"^1\d{3}\?$"), "1", "1", "0", "0"]
    )

    page.locator("header.top a", has_text="Leaderboard").click()
    expect(page).to_have_url(web_server.url + "/leaderboard/chess")
    rows = page.locator("table.leaderboard tbody tr")
    expect(rows.first.locator("th")).to_have_text(winner["username"])
    expect(rows.first.locator("td.rank")).to_have_text("1")
    rows.first.locator("th a").click()
    expect(page).to_have_url(f"{web_server.url}/profile/{winner['userId']}")


def test_the_new_pages_fit_a_phone_and_break_no_policy(
    web_server: LiveServer, page: Page, fools_mate: dict[str, Any]
) -> None:
    problems = problems_on(page)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, web_server.url, fools_mate["white"])
    for path in (
        f"/replay/{fools_mate['battleId']}",
        f"/profile/{fools_mate['white']['userId']}",
        "/leaderboard/chess",
        "/leaderboard/duel",
    ):
        page.goto(web_server.url + path)
        expect(page.locator("main h1, main .result").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    # A script or style refused by the Content-Security-Policy shows here.
    assert problems == [], "\n".join(problems)
