"""POST /v1/search: the same JSON object as ``rag search --json``."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.auth import require_key
from api.capacity import CpuPool
from api.deps import check_question, get_assistant, get_cpu, get_metrics, get_settings, require_ready
from api.metrics import Metrics
from api.schemas import ERROR_RESPONSES, SearchRequest, SearchResponse
from rag.assistant import Assistant
from rag.config import Settings

router = APIRouter(
    prefix="/v1", tags=["search"], dependencies=[Depends(require_key)], responses=ERROR_RESPONSES
)


@router.post(
    "/search",
    summary="Hybrid (dense + keyword) passage search",
    responses={200: {"model": SearchResponse}, **ERROR_RESPONSES},
    dependencies=[Depends(require_ready)],
)
async def search(
    body: SearchRequest,
    assistant: Assistant = Depends(get_assistant),
    settings: Settings = Depends(get_settings),
    metrics: Metrics = Depends(get_metrics),
    cpu: CpuPool = Depends(get_cpu),
) -> JSONResponse:
    check_question(body.query, settings, "query")
    t0 = time.perf_counter()
    hits = await cpu.run(assistant.search, body.query, body.k, body.mode)
    metrics.retrieval.observe(time.perf_counter() - t0)
    return JSONResponse({"query": body.query, "hits": [h.to_dict() for h in hits]})
