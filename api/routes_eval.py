"""GET /v1/eval/reports[/{split}]: the HTML reports ``rag eval`` wrote, for the web page.

Served as they are (self-contained: inline styles, charts as data: images) and only from
``<RAG_EVAL_REPORTS_DIR>/<split>/report.html``; a split name is a plain word, never a path.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.auth import require_key
from api.deps import get_settings
from api.errors import ApiError
from api.schemas import ERROR_RESPONSES
from rag.config import Settings

router = APIRouter(
    prefix="/v1/eval", tags=["evaluation"], dependencies=[Depends(require_key)], responses=ERROR_RESPONSES
)
# The report itself is HTML, but its errors are JSON like every other route's: say so explicitly,
# or the schema would claim the errors come as text/html.
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
_HTML_ROUTE_ERRORS = {
    code: {"description": r["description"], "content": _JSON_ERROR}
    for code, r in {**ERROR_RESPONSES, 404: {"description": "No report for that split"}}.items()
}

_SPLIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
REPORT = "report.html"


def report_splits(settings: Settings) -> list[dict[str, Any]]:
    """Splits that have an HTML report, newest first."""
    root = settings.eval_reports_dir
    if not root.is_dir():
        return []
    found = []
    for d in root.iterdir():
        html = d / REPORT
        if _SPLIT.match(d.name) and html.is_file():
            mtime = html.stat().st_mtime
            found.append(
                {
                    "split": d.name,
                    "modified": dt.datetime.fromtimestamp(mtime, dt.UTC)
                    .isoformat(timespec="seconds")
                    .replace("+00:00", "Z"),
                    "_mtime": mtime,
                }
            )
    found.sort(key=lambda r: r["_mtime"], reverse=True)
    return [{k: v for k, v in r.items() if k != "_mtime"} for r in found]


@router.get("/reports", summary="Evaluation reports that exist, newest first")
async def list_reports(settings: Settings = Depends(get_settings)) -> dict[str, Any]:
    return {"reports": await run_in_threadpool(report_splits, settings)}


@router.get(
    "/reports/{split}",
    summary="The HTML report of one split",
    response_class=HTMLResponse,
    responses=_HTML_ROUTE_ERRORS,
)
async def get_report(split: str, settings: Settings = Depends(get_settings)) -> HTMLResponse:
    if not _SPLIT.match(split):
        raise ApiError(422, f"split: not a split name: {split!r}")
    path = settings.eval_reports_dir / split / REPORT
    if not path.is_file():
        raise ApiError(404, f"no evaluation report for split {split!r} (run `rag eval --split {split}`)")
    html = await run_in_threadpool(path.read_text, encoding="utf-8", errors="replace")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
