"""GET /v1/status: what the index holds and how the server answers, in one call (the web page's
status card; the health routes stay minimal for probes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

import rag
from api.auth import require_key
from api.deps import get_assistant, get_settings
from api.routes_eval import report_splits
from api.schemas import ERROR_RESPONSES
from rag.answer.generators import GENERATORS
from rag.assistant import Assistant
from rag.config import Settings
from rag.ingest.loaders import SUPPORTED_SUFFIXES

router = APIRouter(prefix="/v1", tags=["status"], dependencies=[Depends(require_key)])


class StatusResponse(BaseModel):
    status: str
    reason: str | None = None
    documents: int
    chunks: int
    embedder: str
    dimension: int | None
    generator: str
    generators: list[str]
    version: str
    max_upload_mb: float
    supported_types: list[str]
    auth: dict[str, bool]
    eval_reports: list[dict[str, Any]]


def _index_facts(assistant: Assistant) -> dict[str, Any]:
    try:
        stats = assistant.index.stats()
        return {
            "documents": stats.documents,
            "chunks": stats.chunks,
            "embedder": stats.spec.embedder,
            "dimension": stats.spec.dim,
        }
    except Exception:  # noqa: BLE001 - no index yet: the status says so rather than failing
        return {"documents": 0, "chunks": 0, "embedder": assistant.settings.embedder, "dimension": None}


@router.get(
    "/status",
    summary="Index size, embedder, generator and upload limits",
    responses={200: {"model": StatusResponse}, **ERROR_RESPONSES},
)
async def status(
    request: Request,
    assistant: Assistant = Depends(get_assistant),
    settings: Settings = Depends(get_settings),
) -> dict[str, Any]:
    state = request.app.state
    facts = await run_in_threadpool(_index_facts, assistant) if state.status == "ready" else None
    if facts is None:
        facts = {"documents": 0, "chunks": 0, "embedder": settings.embedder, "dimension": None}
    ready = state.status == "ready" and facts["chunks"] > 0
    reason = None
    if not ready:
        reason = state.load_error or (
            "still loading" if state.status == "starting" else "the index holds no documents"
        )
    return {
        "status": "ready" if ready else "not_ready",
        "reason": reason,
        **facts,
        "generator": settings.generator,
        "generators": list(GENERATORS),
        "version": rag.__version__,
        "max_upload_mb": settings.max_upload_mb,
        "supported_types": sorted(SUPPORTED_SUFFIXES),
        "auth": {"api_keys": bool(settings.key_set("api")), "admin_keys": bool(settings.key_set("admin"))},
        "eval_reports": await run_in_threadpool(report_splits, settings),
    }
