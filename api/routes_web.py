"""The web page: ``/`` serves api/web/index.html to browsers (the JSON service description to
other clients), ``/web/*`` its scripts and styles. Plain files, no build step, no CDN: every
asset comes from this process, so the page works offline and behind the same auth as the API
(the page sends the key as a bearer token; the files themselves hold no data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).resolve().parent / "web"

# The page runs only our own scripts; the evaluation report (inline styles, data: charts) is shown
# in a sandboxed srcdoc frame, which inherits this policy.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


@router.get("/", response_model=None)
async def root(request: Request) -> Response | dict[str, Any]:
    if _wants_html(request):
        return FileResponse(WEB_DIR / "index.html", media_type="text/html", headers=SECURITY_HEADERS)
    return {
        "name": "policy-rag",
        "web": "/",
        "docs": "/docs",
        "openapi": "/openapi.json",
        "health": "/healthz",
    }


class WebFiles(StaticFiles):
    """Static files revalidated on every load (ETag), so a new version shows after a reload."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update({"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
        return response


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/web", WebFiles(directory=WEB_DIR), name="web")
