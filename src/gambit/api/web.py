"""The web face: the pages built from ``web/`` (``make install`` builds them), served at
``/`` and the pages' own paths, with their scripts and styles under ``/assets``; and the
API's ``/docs`` and ``/redoc``, whose bundles the same build provides.

The pages are a client of the public API like any other; the server only hands out the
one HTML shell, whatever the page, and the files it loads.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

BUILT = Path(__file__).resolve().parent.parent / "web" / "dist"
PAGES = (
    "/",
    "/account",
    "/watch",
    "/game/{battleId}",
    "/replay/{battleId}",
    "/profile/{userId}",
    "/leaderboard/{game}",
    "/tournaments",
    "/tournament/{tournamentId}",
)
PAGE_PREFIXES = (
    "/assets/",
    "/game/",
    "/account",
    "/watch",
    "/replay/",
    "/profile/",
    "/leaderboard/",
    "/tournaments",
    "/tournament/",
)
"""Paths of the web face (besides ``/`` itself), for the security headers."""

NOT_BUILT = (
    "<!doctype html><title>gambit</title><p>The web face is not built. Run "
    "<code>make install</code> (it needs Node.js and npm), or use the API at "
    '<a href="/docs">/docs</a>.</p>'
)

router = APIRouter(include_in_schema=False)


async def page() -> Response:
    shell = BUILT / "index.html"
    if not shell.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503)
    return FileResponse(shell, headers={"Cache-Control": "no-cache"})


for path in PAGES:
    router.add_api_route(path, page, methods=["GET"])

DOCS_ASSETS = "/docs-assets"
"""Swagger UI's and ReDoc's bundles, copied from npm packages by the web face's build."""


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="gambit — API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
    )


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="gambit — API",
        redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        with_google_fonts=False,
    )


def install_web_face(app: FastAPI) -> None:
    """Serve the pages, their assets (hashed names) and the API's documentation pages,
    all from this server."""
    app.include_router(router)
    for path, folder in (("/assets", "assets"), (DOCS_ASSETS, "docs-assets")):
        app.mount(path, StaticFiles(directory=BUILT / folder, check_dir=False), name=folder)


def is_page(path: str) -> bool:
    return path == "/" or path.startswith(PAGE_PREFIXES)
