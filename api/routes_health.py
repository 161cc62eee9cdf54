"""Open routes (no key): liveness, readiness and Prometheus metrics, for probes and scrapers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from api.metrics import CONTENT_TYPE
from rag.assistant import Assistant

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _index_size(assistant: Assistant) -> tuple[int, int]:
    try:
        stats = assistant.index.stats()
        return stats.chunks, stats.documents
    except Exception:  # noqa: BLE001 - no index yet: size zero, readiness says why
        return 0, 0


def _store_info(assistant: Assistant) -> dict[str, object]:
    """Which store and keyword engine serve the index (RAG_STORE), for operators."""
    info: dict[str, object] = {"store": assistant.settings.store}
    try:
        stats = assistant.index.stats()
        info.update(store=stats.store, keyword_engine=stats.keyword_engine, generation=stats.generation)
        info.update({k: v for k, v in stats.extra.items() if k in ("deployment", "collection", "corpus")})
    except Exception:  # noqa: BLE001 - no index yet: the setting is all there is to say
        pass
    return info


@router.get(
    "/readyz",
    summary="Index loaded and embedder ready (503 otherwise)",
    responses={503: {"description": "Not ready: the body's reason says why"}},
)
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    ready = state.status == "ready" and await run_in_threadpool(state.assistant.is_ready)
    chunks, documents = (
        await run_in_threadpool(_index_size, state.assistant) if state.status == "ready" else (0, 0)
    )
    body: dict[str, object] = {
        "status": "ready" if ready else "not_ready",
        "chunks": chunks,
        "documents": documents,
    }
    if state.status == "ready":
        body["store"] = await run_in_threadpool(_store_info, state.assistant)
    drift = state.assistant.corpus_drift
    if drift is not None:  # from the start-up check: files not indexed / changed / gone
        body["corpus"] = {k: len(v) for k, v in drift.items()}
        body["corpus_in_sync"] = not any(drift.values())
    if not ready:
        body["reason"] = state.load_error or (
            "still loading" if state.status == "starting" else "the index holds no documents"
        )
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus text format", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    state = request.app.state
    chunks, documents = (
        await run_in_threadpool(_index_size, state.assistant) if state.status == "ready" else (0, 0)
    )
    gauges = {
        "rag_index_chunks": float(chunks),
        "rag_index_documents": float(documents),
        "rag_ready": float(state.status == "ready" and chunks > 0),
        "rag_in_flight": float(state.in_flight.current),
    }
    return PlainTextResponse(state.metrics.render(gauges), media_type=CONTENT_TYPE)
