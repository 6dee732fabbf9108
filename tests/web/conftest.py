"""Browser tests: Debian's Chromium, driven by Playwright, against a real server.

Nothing is downloaded: Playwright launches the Chromium at ``/usr/bin/chromium``. A
failing test leaves a screenshot of its page in ``test-results/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

from tests.conftest import LiveServer, make_settings

CHROMIUM = "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
# As headless Chromium runs on a closed network: no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("web") / "gambit.db"
    live = LiveServer(make_settings(f"sqlite+aiosqlite:///{database}")).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"CHROMIUM NOT INSTALLED at {CHROMIUM}: run `make chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call":
        item.stash[FAILED] = bool(getattr(report, "failed", False))
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    yield opened
    if request.node.stash.get(FAILED, False):
        RESULTS.mkdir(exist_ok=True)
        opened.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page: Page, url: str, session: dict[str, Any]) -> None:
    """Keep the session where the pages look for it, as the account page would."""
    page.goto(url + "/account")
    stored = {key: session[key] for key in ("token", "refreshToken", "userId", "username")}
    page.evaluate("s => localStorage.setItem('gambit.session', s)", json.dumps(stored))


def problems_on(page: Page) -> list[str]:
    """A list that collects, from now on, what goes wrong on ``page``: console errors (a
    script or style the Content-Security-Policy refuses shows here) and uncaught errors."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def page_error(error: Error) -> None:
        problems.append(str(error))

    page.on("console", console)
    page.on("pageerror", page_error)
    return problems
