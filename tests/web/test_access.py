"""The pages for everyone: text meets WCAG AA contrast, and the keyboard reaches every control."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.helpers import create_battle, register
from tests.web.conftest import sign_in

# For each element with text of its own: its colour, the first opaque background behind
# it, and WCAG 2's contrast ratio between them (3:1 is enough for large text).
# The board is left out: its coordinates sit on the board image, which no style shows.
CONTRAST = """() => {
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const rgba = (text) => text.match(/[\\d.]+/g).map(Number);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour.length < 4 || colour[3] === 1) return colour;
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const element of document.querySelectorAll('body *')) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(element);
    if (!own || style.visibility === 'hidden' || element.closest('.cg-wrap, svg')) continue;
    const [fg, bg] = [luminance(rgba(style.color)), luminance(background(element))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const text = element.textContent.trim().slice(0, 30);
      const name = `${element.tagName.toLowerCase()}.${element.className}`;
      failures.push(`${name} "${text}" ${ratio.toFixed(2)}`);
    }
  }
  return failures;
}"""


@pytest.fixture
def battle_id(web_server: LiveServer, page: Page) -> str:
    with httpx.Client(base_url=web_server.url + "/api/v1", timeout=30) as api:
        player = register(api)
        battle = create_battle(api, player, "chess", {"type": "human"}, {"type": "ai", "level": 0})
        sign_in(page, web_server.url, player)
    return str(battle["id"])


def test_text_meets_wcag_aa_contrast_on_every_page(
    web_server: LiveServer, page: Page, battle_id: str
) -> None:
    pages = ["/", "/account", "/watch", f"/game/{battle_id}", "/leaderboard/chess"]
    for path in pages:
        page.goto(web_server.url + path)
        expect(page.locator("header.top")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(CONTRAST) == [], path
    # The check sees pale text: grey #999 on white is 2.85:1.
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = 'pale';"
        " p.style.cssText = 'color: #999; background: #fff'; document.body.append(p); }"
    )
    assert page.evaluate(CONTRAST) == ['p. "pale" 2.85']


def test_the_keyboard_reaches_the_lobby_controls_and_starts_a_game(
    web_server: LiveServer, page: Page, battle_id: str
) -> None:
    page.goto(web_server.url + "/")
    expect(page.locator("button.start")).to_be_visible()
    reached: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e.className || e.name || e.tagName; }"
        )
        reached.append(str(focused))
        if focused == "start":
            break
    assert "start" in reached, reached
    # What has the focus shows it.
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(web_server.url + "/")
