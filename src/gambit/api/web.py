"""The web face: the pages built from ``web/`` (``make install`` builds them), served at
``/`` and the pages' own paths, with their scripts and styles under ``/assets``.

The pages are a client of the public API like any other; the server only hands out the
one HTML shell, whatever the page, and the files it loads.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

BUILT = Path(__file__).resolve().parent.parent / "web" / "dist"
PAGES = (
    "/",
    "/account",
    "/game/{battleId}",
    "/replay/{battleId}",
    "/profile/{userId}",
    "/leaderboard/{game}",
)
PAGE_PREFIXES = ("/assets/", "/game/", "/account", "/replay/", "/profile/", "/leaderboard/")
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


def install_web_face(app: FastAPI) -> None:
    """Serve the pages and their assets (hashed names: cached for good)."""
    app.include_router(router)
    app.mount("/assets", StaticFiles(directory=BUILT / "assets", check_dir=False), name="assets")


def is_page(path: str) -> bool:
    return path == "/" or path.startswith(PAGE_PREFIXES)
