"""Tournaments in a real browser: an organiser makes them through the form, starts them,
and watches standings, crosstable, Elo and the SPRT curve fill in live, then downloads the
games."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import LiveServer
from tests.helpers import bearer, register
from tests.web.conftest import problems_on, sign_in

TOURNAMENT_URL = re.compile(r"/tournament/([0-9A-Za-z_-]+)$")
# Engines at 50 ms a move, adjudicated: a few seconds a game, several games at once.
FINISH_TIMEOUT = 240_000
ELO = re.compile(r"^([+−]\d+|0) ±\d+$")
POINTS = {"0": 0.0, "½": 0.5, "1": 1.0, "1½": 1.5, "2": 2.0}


@pytest.fixture(scope="module")
def api(web_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as client:
        yield client


def points(text: str) -> float:
    """A points cell as the pages write it ("1½", "½", "3") as a number."""
    whole, half = (text[:-1], 0.5) if text.endswith("½") else (text, 0.0)
    return (float(whole) if whole else 0.0) + half


def new_form(page: Page, url: str, name: str) -> Locator:
    page.goto(url + "/tournaments")
    form = page.locator("form.create")
    form.locator("input[name=name]").fill(name)
    return form


def add_engine(form: Locator, level: int, search_time: int = 50) -> None:
    form.locator("input[name=engineLevel]").fill(str(level))
    form.locator("input[name=engineSearchTime]").fill(str(search_time))
    form.locator("button.add-engine").click()


def create(page: Page, form: Locator) -> str:
    form.locator("button.create").click()
    expect(page).to_have_url(TOURNAMENT_URL)
    found = TOURNAMENT_URL.search(page.url)
    assert found
    return found.group(1)


def test_a_round_robin_of_engines_made_in_the_form_runs_live_to_its_results(
    web_server: LiveServer, page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    organiser = register(api)
    sign_in(page, web_server.url, organiser)
    name = f"Levels {uuid.uuid4().hex[:6]}"
    form = new_form(page, web_server.url, name)
    form.locator("select[name=game]").select_option("chess")
    form.locator("select[name=format]").select_option("round-robin")
    # What each level is worth, from the calibration, before picking one.
    expect(form.locator(".calibration")).to_contain_text(
        "Stockfish levels in Elo at 50 ms a move, relative to level 10:"
    )
    for level in (0, 5, 10):
        add_engine(form, level)
    expect(form.locator("ol.chosen li .who")).to_have_text(
        [f"Stockfish level {level} · 50 ms" for level in (0, 5, 10)]
    )
    form.locator("input[name=gamesPerPairing]").fill("2")
    form.locator("select[name=timeControl]").select_option("")
    form.locator("select[name=openingSource]").select_option("builtin")
    form.locator("input[name=concurrency]").fill("3")
    form.locator("input[name=adjudicate]").check()
    tournament_id = create(page, form)

    # The server has what the form said.
    made = api.get(f"/tournaments/{tournament_id}").json()
    assert made["name"] == name
    assert (made["game"], made["format"], made["status"]) == ("chess", "round-robin", "open")
    assert made["createdBy"] == organiser["userId"]
    engines = [(p["kind"], p["engine"], p["level"], p["searchTime"]) for p in made["participants"]]
    assert engines == [("engine", "stockfish", level, 50) for level in (0, 5, 10)]
    assert made["settings"]["gamesPerPairing"] == 2
    assert made["settings"]["concurrency"] == 3
    assert made["settings"]["timeControl"] is None
    assert made["settings"]["openings"]["book"] == "builtin"
    assert made["settings"]["adjudication"]["resign"] == {"score": 800, "moves": 5}
    assert made["progress"]["total"] == 6

    expect(page.locator("main.tournament h1")).to_have_text(name)
    expect(page.locator(".summary .status")).to_have_text("open")
    expect(page.locator("section.participants li")).to_have_count(3)

    # Started by its creator; from here on the page only listens to the socket.
    page.evaluate("window.notReloaded = true")
    page.locator("button.start").click()
    expect(page.locator(".summary .status")).to_have_text("running")
    expect(page.locator("button.pause")).to_be_visible()
    watch = page.locator("ul.running-games a.watch").first
    expect(watch).to_have_attribute("href", re.compile(r"^/game/[0-9a-f-]{36}$"))
    expect(page.locator("table.standings tbody tr")).to_have_count(3)
    expect(page.locator("ul.finished-games a.replay").first).to_be_visible(timeout=FINISH_TIMEOUT)

    expect(page.locator(".summary .status")).to_have_text("finished", timeout=FINISH_TIMEOUT)
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator(".summary .progress")).to_have_text("6/6 games played")
    expect(page.locator("button.start, button.pause, button.cancel")).to_have_count(0)

    # Standings: everyone played 4, 6 points shared, ranks in order, an Elo with ± each.
    rows = page.locator("table.standings tbody tr")
    expect(rows.locator("td.games")).to_have_text(["4", "4", "4"])
    expect(rows.locator("td.rank").first).to_have_text("1")
    shown_points = [points(text) for text in rows.locator("td.points").all_inner_texts()]
    assert sum(shown_points) == 6
    assert shown_points == sorted(shown_points, reverse=True)
    for wdl in rows.locator("td.wdl").all_inner_texts():
        assert sum(int(n) for n in wdl.split("/")) == 4
    for elo in rows.locator("td.elo").all_inner_texts():
        assert ELO.match(elo), elo
    expect(rows.locator("td.elo").first).to_have_attribute("title", re.compile(r"^95%: "))

    # The crosstable: each pair's two cells share its two games' points.
    crosstable = page.locator("table.crosstable tbody tr")
    expect(crosstable).to_have_count(3)
    expect(page.locator("table.crosstable td.self")).to_have_count(3)
    cells: dict[tuple[str, str], float] = {}
    for row in crosstable.all():
        me = row.get_attribute("data-participant") or ""
        for cell in row.locator("td[data-opponent]").all():
            text = cell.inner_text()
            assert re.fullmatch(r"(0|½|1|1½|2)/2", text), text
            cells[(me, cell.get_attribute("data-opponent") or "")] = POINTS[text.split("/")[0]]
    assert len(cells) == 6
    for (me, them), score in cells.items():
        assert score + cells[(them, me)] == 2

    # Likelihood of superiority, as percentages.
    for text in page.locator("table.los td[data-opponent]").all_inner_texts():
        assert re.fullmatch(r"\d{1,3}(\.\d)?%", text), text
    # Pentanomial counts: two pairs for each participant (one opening per pairing).
    pentanomial = page.locator("table.pentanomial tbody tr")
    expect(pentanomial).to_have_count(3)
    for row in pentanomial.all():
        assert sum(int(n) for n in row.locator("td").all_inner_texts()) == 2

    # Every game, finished, replayable.
    replays = page.locator("ul.finished-games a.replay")
    expect(replays).to_have_count(6)
    expect(replays.first).to_have_attribute("href", re.compile(r"^/replay/[0-9a-f-]{36}$"))
    expect(page.locator("ul.running-games a.watch")).to_have_count(0)

    # Downloads: every game in one PGN, the results as JSON.
    with page.expect_download() as waiting:
        page.locator("a.download-pgn").click()
    saved = tmp_path / "games.pgn"
    waiting.value.save_as(saved)
    pgn = saved.read_text()
    assert pgn.count("[Event ") == 6
    assert len(re.findall(r'\[Result "(1-0|0-1|1/2-1/2)"\]', pgn)) == 6
    with page.expect_download() as waiting:
        page.locator("a.download-results").click()
    results = tmp_path / "results.json"
    waiting.value.save_as(results)
    exported = json.loads(results.read_text())
    assert exported["id"] == tournament_id
    assert exported["status"] == "finished"
    assert len(exported["standings"]) == 3

    # The list shows it among the finished ones.
    page.locator("header.top a", has_text="Tournaments").click()
    expect(page).to_have_url(web_server.url + "/tournaments")
    page.locator("nav.statuses a", has_text="finished").click()
    row = page.locator(f'tr[data-tournament="{tournament_id}"]')
    expect(row.locator("td.progress")).to_have_text("6/6")
    expect(row.locator("td.participants")).to_have_text("3")
    expect(row.locator("td.status")).to_have_text("finished")
    row.get_by_role("link", name=name).click()
    expect(page).to_have_url(f"{web_server.url}/tournament/{tournament_id}")


def test_a_match_draws_its_sprt_curve_between_the_bounds(
    web_server: LiveServer, page: Page, api: httpx.Client
) -> None:
    organiser = register(api)
    sign_in(page, web_server.url, organiser)
    form = new_form(page, web_server.url, f"SPRT {uuid.uuid4().hex[:6]}")
    form.locator("select[name=format]").select_option("match")
    add_engine(form, 10)
    add_engine(form, 0)
    form.locator("input[name=gamesPerPairing]").fill("12")
    form.locator("input[name=concurrency]").fill("4")
    form.locator("input[name=adjudicate]").check()
    sprt = form.locator("fieldset.sprt")
    sprt.locator("input[name=elo0]").fill("0")
    sprt.locator("input[name=elo1]").fill("100")
    sprt.locator("input[name=alpha]").fill("0.1")
    sprt.locator("input[name=beta]").fill("0.1")
    tournament_id = create(page, form)
    made = api.get(f"/tournaments/{tournament_id}").json()
    assert made["format"] == "match"
    assert made["settings"]["sprt"] == {"elo0": 0, "elo1": 100, "alpha": 0.1, "beta": 0.1}
    assert made["sprt"]["lower"] < 0 < made["sprt"]["upper"]

    # Before any pair: the bounds and a line that has only its start.
    plot = page.locator("svg.sprt-plot")
    expect(plot).to_be_visible()
    upper = float(plot.locator("line.bound.upper").get_attribute("y1") or "nan")
    lower = float(plot.locator("line.bound.lower").get_attribute("y1") or "nan")
    assert upper < lower  # the upper bound is drawn higher up
    expect(page.locator(".sprt-facts")).to_contain_text("elo0 0, elo1 100")

    page.locator("button.start").click()
    expect(page.locator(".summary .status")).to_have_text("finished", timeout=FINISH_TIMEOUT)
    final = api.get(f"/tournaments/{tournament_id}").json()
    history = final["sprt"]["history"]
    assert history, "the match played no pair"
    # One point for the start, one per pair; the last at the LLR the server reports.
    line = plot.locator("polyline.llr")
    expect(line).to_have_attribute("points", re.compile(rf"^\S+(\s\S+){{{len(history)}}}$"))
    expect(page.locator(".sprt-facts .llr")).to_have_text(f"LLR {final['sprt']['llr']:.2f}")
    if final["sprt"]["decision"]:
        expect(page.locator(".decision")).to_contain_text(f"{final['sprt']['decision']} accepted")
    # Pentanomial counts add up to the pairs played, from each side.
    for row in page.locator("table.pentanomial tbody tr").all():
        assert sum(int(n) for n in row.locator("td").all_inner_texts()) == history[-1]["pairs"]


def test_users_are_added_by_name_and_others_join_from_the_list(
    web_server: LiveServer, page: Page, api: httpx.Client
) -> None:
    organiser, bob, carol = register(api), register(api), register(api)
    sign_in(page, web_server.url, organiser)
    name = f"Open {uuid.uuid4().hex[:6]}"
    form = new_form(page, web_server.url, name)

    # Nothing to play yet: the form says so, in words.
    form.locator("button.create").click()
    expect(form.locator("ul.form-errors")).to_contain_text("Add at least two participants.")

    form.locator("input[name=user]").fill(bob["username"])
    form.locator("button.add-user").click()
    expect(form.locator("ol.chosen li", has_text=bob["username"])).to_have_count(1)
    form.locator("button.add-me").click()
    form.locator("input[name=user]").fill("nobody_" + uuid.uuid4().hex[:8])
    form.locator("button.add-user").click()
    expect(form.locator("ul.form-errors")).to_contain_text("No user named nobody_")
    add_engine(form, 1, 100)
    expect(form.locator("ol.chosen li .who")).to_have_text(
        [bob["username"], organiser["username"], "Stockfish level 1 · 100 ms"]
    )
    form.locator("select[name=format]").select_option("swiss")
    form.locator("input[name=rounds]").fill("3")
    tournament_id = create(page, form)

    made = api.get(f"/tournaments/{tournament_id}").json()
    assert [p["userId"] for p in made["participants"]] == [
        bob["userId"],
        organiser["userId"],
        None,
    ]
    assert made["settings"]["rounds"] == 3
    bob_link = page.locator("section.participants li a", has_text=bob["username"])
    expect(bob_link).to_have_attribute("href", f"/profile/{bob['userId']}")
    expect(page.locator("button.join")).to_have_count(0)  # the organiser is in it already

    # Carol finds it among the open ones and joins.
    sign_in(page, web_server.url, carol)
    page.goto(web_server.url + "/tournaments?status=open")
    row = page.locator(f'tr[data-tournament="{tournament_id}"]')
    expect(row.locator("td.participants")).to_have_text("3")
    row.locator("button.join").click()
    expect(page).to_have_url(f"{web_server.url}/tournament/{tournament_id}")
    expect(page.locator("section.participants li")).to_have_count(4)
    expect(page.locator("section.participants")).to_contain_text(carol["username"])
    expect(page.locator("button.join")).to_have_count(0)
    expect(page.locator("button.start")).to_have_count(0)  # only its creator starts it
    joined = api.get(f"/tournaments/{tournament_id}").json()
    assert carol["userId"] in [p["userId"] for p in joined["participants"]]

    # Its creator calls it off.
    sign_in(page, web_server.url, organiser)
    page.goto(f"{web_server.url}/tournament/{tournament_id}")
    page.locator("button.cancel").click()
    expect(page.locator(".summary .status")).to_have_text("canceled")
    assert api.get(f"/tournaments/{tournament_id}").json()["status"] == "canceled"


def test_the_tournament_pages_fit_a_phone_and_break_no_policy(
    web_server: LiveServer, page: Page, api: httpx.Client
) -> None:
    organiser = register(api)
    body: dict[str, Any] = {
        "name": "A rather long tournament name that has to wrap on a phone screen",
        "game": "chess",
        "format": "round-robin",
        "participants": [
            {"engine": "stockfish", "level": level, "searchTime": 50} for level in (0, 3, 6, 9)
        ],
        "gamesPerPairing": 2,
        "timeControl": None,
        "openings": {"book": "builtin"},
        "concurrency": 1,
    }
    answer = api.post("/tournaments", json=body, headers=bearer(organiser))
    assert answer.status_code == 201, answer.text
    tournament_id = answer.json()["id"]

    problems = problems_on(page)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, web_server.url, organiser)
    for path in ("/tournaments", f"/tournament/{tournament_id}"):
        page.goto(web_server.url + path)
        expect(page.locator("main h1").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    # A script or style refused by the Content-Security-Policy shows here.
    assert problems == [], "\n".join(problems)
