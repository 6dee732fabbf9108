"""A newcomer's first game, in a real browser: sign up, play the computer by clicking."""

from __future__ import annotations

import random
import re
import uuid

import chess
import httpx
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.helpers import PASSWORD, act, bearer, create_battle, register
from tests.web.conftest import problems_on, sign_in


def click_square(page: Page, square: str) -> None:
    """Click a square of the board, seen from white's side."""
    board = page.locator("cg-board")
    box = board.bounding_box()
    assert box is not None
    file, rank = "abcdefgh".index(square[0]), int(square[1])
    page.mouse.click(
        box["x"] + (file + 0.5) * box["width"] / 8,
        box["y"] + (8 - rank + 0.5) * box["height"] / 8,
    )


def test_a_newcomer_signs_up_and_plays_the_computer_by_clicking_to_a_result(
    web_server: LiveServer, page: Page
) -> None:
    name = "newcomer_" + uuid.uuid4().hex[:8]
    page.goto(web_server.url + "/account")
    sign_up = page.locator("form.sign-up")
    sign_up.locator("input[name=username]").fill(name)
    sign_up.locator("input[name=password]").fill(PASSWORD)
    sign_up.locator("button").click()
    expect(page.locator("header.top")).to_contain_text(name)

    page.locator("input[name=level]").fill("0")
    page.locator("input[name=level]").dispatch_event("change")
    page.locator("input[name=searchTime]").fill("100")
    page.locator("input[name=searchTime]").dispatch_event("change")
    page.locator("button.start").click()
    expect(page).to_have_url(re.compile(r"/game/[0-9a-f-]{36}$"))
    expect(page.locator("cg-board piece")).to_have_count(32)
    battle_url = page.url.replace("/game/", "/api/v1/battles/")

    click_square(page, "e2")
    click_square(page, "e4")
    # The computer's answer arrives by itself, over the socket.
    moves = page.locator("ol.moves li")
    expect(moves).to_have_count(2, timeout=15_000)
    expect(moves.first).to_have_text("e4")  # in SAN
    # What the computer reported while it thought stays shown: depth, score, line.
    expect(page.locator(".evaluation .eval-line")).to_contain_text("Depth")

    # A take-back undoes the computer's answer and the move it answered.
    page.locator("button.take-back").click()
    expect(moves).to_have_count(0)

    # Then on, by clicking, to the end: whatever the outcome, the page says it.
    chooser = random.Random(20261130)
    with httpx.Client() as api:
        for _ in range(200):
            battle = api.get(battle_url).json()
            if battle["status"] == "FINISHED":
                break
            board = chess.Board(battle["state"]["fen"])
            move = chooser.choice(list(board.legal_moves))
            played = len(battle["state"]["moves"])
            click_square(page, chess.square_name(move.from_square))
            click_square(page, chess.square_name(move.to_square))
            if move.promotion:
                page.locator(".promotion button.promote-q").click()
            page.wait_for_function(
                "n => document.querySelectorAll('ol.moves li').length >= n"
                " || document.querySelector('.result') !== null",
                arg=played + 2,
                timeout=15_000,
            )
    result = page.locator(".result")
    expect(result).to_have_text(re.compile(r"^(Black wins|White wins|Draw) \(\w+\)"))
    final = httpx.get(battle_url).json()["state"]["result"]
    assert final["reason"] in result.inner_text()


def test_the_pages_fit_a_phone_and_break_no_policy(web_server: LiveServer, page: Page) -> None:
    problems = problems_on(page)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/account", "/watch", "/leaderboard/chess?speed=blitz"):
        page.goto(web_server.url + path)
        expect(page.locator("header.top")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    assert problems == []  # a script or style refused by the Content-Security-Policy shows here


def test_a_pawn_promotes_to_the_piece_picked_and_moves_can_be_typed(
    web_server: LiveServer, page: Page
) -> None:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as api:
        white, black = register(api), register(api)
        person = {"type": "human"}
        battle = create_battle(
            api, white, "chess", person, person, fen="8/4P3/8/8/8/8/k7/4K3 w - - 0 1"
        )
        assert api.post(f"/battles/{battle['id']}/join", headers=bearer(black)).is_success
        sign_in(page, web_server.url, white)
        page.goto(f"{web_server.url}/game/{battle['id']}")
        expect(page.locator("cg-board piece")).to_have_count(3)

        click_square(page, "e7")
        click_square(page, "e8")
        page.locator(".promotion button.promote-r").click()
        expect(page.locator("ol.moves li")).to_have_text(["e8=R"])

        assert act(api, black, battle["id"], {"type": "move", "move": "a2b2"}).is_success
        expect(page.locator("ol.moves li")).to_have_count(2)
        typed = page.locator("form.type-move input")
        typed.fill("Qh8")
        typed.press("Enter")
        expect(page.locator(".error")).to_contain_text("Qh8 is not a legal move here")
        typed.fill("Rd8")
        typed.press("Enter")
        expect(page.locator("ol.moves li")).to_have_text(["e8=R", "Kb2", "Rd8"])


def test_the_watch_page_lists_battles_in_play_with_names_and_ratings(
    web_server: LiveServer, page: Page
) -> None:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as api:
        player = register(api)
        battle = create_battle(api, player, "chess", {"type": "human"}, {"type": "ai", "level": 0})
    page.goto(web_server.url + "/watch")
    entry = page.locator(f'ul.live-battles li[data-battle="{battle["id"]}"]')
    expect(entry).to_contain_text(f"chess · {player['username']} (1500) vs computer level 0")
    entry.locator("a").click()
    expect(page).to_have_url(f"{web_server.url}/game/{battle['id']}")
    expect(page.locator(".players")).to_have_text(
        f"{player['username']} (1500) vs computer level 0"
    )


def test_a_clocked_game_from_the_lobby_shows_both_clocks_running_down(
    web_server: LiveServer, page: Page
) -> None:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as api:
        sign_in(page, web_server.url, register(api))
    page.goto(web_server.url + "/")
    page.locator("input[name=level]").fill("0")
    page.locator("input[name=level]").dispatch_event("change")
    page.locator("input[name=searchTime]").fill("100")
    page.locator("input[name=searchTime]").dispatch_event("change")
    page.locator("select[name=timeControl]").select_option("3+2")
    page.locator("button.start").click()
    expect(page).to_have_url(re.compile(r"/game/[0-9a-f-]{36}$"))
    clocks = page.locator("ul.clocks li .time")
    expect(clocks).to_have_text(["3:00", "3:00"])  # nobody's time runs before both have moved

    click_square(page, "e2")
    click_square(page, "e4")
    expect(page.locator("ol.moves li")).to_have_count(2, timeout=15_000)
    # Now white's clock runs (3:00 and the 2 s increment, going down); black's stands.
    mine = page.locator('ul.clocks li.running[data-seat="0"] .time')
    expect(mine).to_have_text(re.compile(r"^(3:0[0-2]|2:5\d)$"))
    before = mine.inner_text()
    expect(mine).not_to_have_text(before, timeout=3_000)
    expect(page.locator('ul.clocks li[data-seat="1"]')).not_to_have_class(re.compile("running"))
