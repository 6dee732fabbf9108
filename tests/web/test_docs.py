"""The API's documentation pages work in a browser from this server alone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.helpers import PASSWORD, register

CREATE_BATTLE = "#operations-battles-create_battle_api_v1_battles_post"


def test_swagger_ui_and_redoc_work_without_the_internet(web_server: LiveServer, page: Page) -> None:
    """Both pages load from local bundles; in Swagger UI the Authorize button signs in with
    a username and password, and "Try it out" sends an operation's example as it is."""
    outside: list[str] = []  # fetched from elsewhere (Redoc's own logo is refused by the policy)
    page.on(
        "requestfinished",
        lambda request: (
            None
            if request.url.startswith((web_server.url, "data:", "blob:"))
            else outside.append(request.url)
        ),
    )
    with web_server.client() as api:
        session = register(api)
    page.goto(web_server.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Authorize").first.click()
    page.locator("#oauth_username").fill(session["username"])
    page.locator("#oauth_password").fill(PASSWORD)
    page.get_by_role("button", name="Apply given OAuth2 credentials").click()
    dialog = page.locator(".modal-ux")
    expect(dialog.get_by_text("Authorized", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()
    create = page.locator(CREATE_BATTLE)
    create.locator(".opblock-summary").click()
    create.get_by_role("button", name="Try it out").click()
    create.get_by_role("button", name="Execute").click()
    status = create.locator(".live-responses-table .response .response-col_status").first
    expect(status).to_have_text("201", timeout=15_000)
    with web_server.client() as api:
        mine = api.get("/battles", params={"userId": session["userId"], "status": "ACTIVE"})
    assert [battle["game"] for battle in mine.json()["battles"]] == ["duel"]
    page.goto(web_server.url + "/redoc")
    expect(page.get_by_role("heading", name="Create a game")).to_be_visible(timeout=15_000)
    assert outside == []
