"""The FastAPI application factory.

The index and models load once, in the lifespan, not per request; every CPU-bound library call
runs in a worker thread so the event loop keeps serving (health checks answer during a long ask).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api import routes_ask, routes_documents, routes_health, routes_openai, routes_search
from api.auth import RateLimiter
from api.errors import CatchAllMiddleware, install_error_handlers
from api.metrics import Metrics, MetricsMiddleware
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import RagError

log = logging.getLogger("api")

API_VERSION = "1.0"


def _load(assistant: Assistant) -> None:
    """Build the index when none exists, load it and the embedder, and warm the lazy parts
    (jieba's dictionary, BM25, cross-lingual tables, the answer chain) so the first request is
    not the slow one."""
    report = assistant.ensure_index()
    if report is not None:
        log.info(
            "indexed %s: %d documents, %d chunks",
            assistant.settings.corpus_dir,
            len(report.added),
            report.chunks,
        )
    try:  # a file on disk but not indexed (e.g. an upload cut off by a crash), or indexed but gone
        drift = assistant.reconcile()
        if any(drift.values()):
            log.warning(
                "the corpus folder and the index differ (%s); `rag ingest --sync` makes them match",
                ", ".join(
                    f"{k}: {', '.join(v[:5])}{' …' if len(v) > 5 else ''}" for k, v in drift.items() if v
                ),
            )
    except Exception as exc:  # noqa: BLE001 - a report, never a reason not to start
        log.warning("could not compare the corpus folder with the index (%s)", exc)
    _ = assistant.embedder
    try:  # warming is an optimisation: a failure here shows up again, per request, as a clear error
        if assistant.is_ready():  # one zh and one en query: each side loads its own lazy tables
            assistant.search("科技政策 研发投入", k=1)
            assistant.search("research and development policy", k=1)
        _ = assistant.chain
    except Exception as exc:  # noqa: BLE001
        log.warning("warm-up failed (%s: %s); requests will report it", type(exc).__name__, exc)


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    *,
    on_ready: Callable[[FastAPI], None] | None = None,
) -> FastAPI:
    """``assistant`` lets tests share one already-loaded instance; ``on_ready`` runs after start-up
    (``rag serve`` prints its example requests there)."""
    if settings is None:
        settings = assistant.settings if assistant is not None else Settings()
    if assistant is None:
        assistant = Assistant(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.status = "starting"
        try:
            await run_in_threadpool(_load, assistant)
            app.state.status = "ready"
        except Exception as exc:  # noqa: BLE001 - stay up: /readyz and every /v1 call say why
            user_facing = isinstance(exc, RagError)
            log.error("could not load the index: %s", exc, exc_info=not user_facing)
            app.state.status = "error"
            app.state.load_error = (
                str(exc) if user_facing else f"start-up failed ({type(exc).__name__}; see the server log)"
            )
        if on_ready is not None:
            on_ready(app)
        yield

    app = FastAPI(
        title="Policy RAG",
        version=API_VERSION,
        summary="Bilingual (中文/English) answers with verified citations over Chinese S&T policy documents.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.metrics = Metrics()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.status = "starting"
    app.state.load_error = ""
    app.state.write_lock = asyncio.Lock()  # uploads and deletes, one at a time

    install_error_handlers(app)
    # add_middleware wraps from the inside out: CORS outermost, so error responses carry its headers.
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=lambda: app.state.metrics)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After"],
            allow_credentials="*" not in origins,
        )

    for module in (routes_health, routes_ask, routes_search, routes_openai, routes_documents):
        app.include_router(module.router)
    return app
