"""How much work the server takes on at once: a bounded CPU pool, native thread counts, and an
in-flight cap that answers 503 instead of queueing.

Measured (2 cores, shared): /v1/search fell from ~110 req/s at 4 clients to 7.5 at 20. A profile
put 90 % of a search in the embedder's BLAS matmuls, each wrapped in a per-call OpenBLAS thread
limit of 2; 20 request threads (anyio's default pool is 40) each running 2 spinning BLAS threads
on 2 cores thrashed. In-process, 20 threads x 60 searches: 20 req/s with 2 BLAS threads per call,
230-420 req/s with 1 BLAS thread and FAISS's OpenMP at 1. So the server runs native libraries
single-threaded and gets its parallelism from a pool of ``cpu_count`` workers; requests beyond
``RAG_MAX_IN_FLIGHT`` get 503 + Retry-After at once rather than a 13 s queue.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response
from rag.config import Settings

log = logging.getLogger("api")

T = TypeVar("T")

# Routes that are never refused for capacity: probes must answer while the server is busy.
OPEN_PATHS = ("/healthz", "/readyz", "/metrics")


def worker_count(settings: Settings) -> int:
    """``RAG_SERVE_WORKERS``, or the CPUs this process may use when it is 0."""
    if settings.serve_workers > 0:
        return settings.serve_workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def limit_native_threads(threads: int) -> None:
    """Process-wide BLAS (numpy) and OpenMP (FAISS) thread counts; 0 leaves them alone."""
    if threads <= 0:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)  # not used as a context manager: the limit stays for the process
    try:
        import faiss

        faiss.omp_set_num_threads(threads)
    except ImportError:  # pragma: no cover - faiss is a hard dependency
        pass


class CpuPool:
    """The bounded pool CPU-bound library calls run in (anyio threads behind a capacity limiter)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._limiter: CapacityLimiter | None = None

    def _get(self) -> CapacityLimiter:
        if self._limiter is None:  # created lazily: it must belong to the running event loop
            self._limiter = CapacityLimiter(self.workers)
        return self._limiter

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=self._get())

    @property
    def busy(self) -> int:
        return 0 if self._limiter is None else int(self._limiter.borrowed_tokens)


class InFlight:
    """The count of API requests being handled (one event loop: plain arithmetic is safe)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.current = 0


class InFlightLimit:
    """Pure ASGI middleware: at most ``limit`` API requests (streams until their last byte) at
    once; the next one gets 503 with Retry-After. Health, readiness and metrics stay open."""

    def __init__(self, app: ASGIApp, state: InFlight, on_reject: Callable[[], None] | None = None) -> None:
        self.app = app
        self.state = state
        self.on_reject = on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.state
        if scope["type"] != "http" or state.limit <= 0 or scope.get("path", "") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        if state.current >= state.limit:
            if self.on_reject is not None:
                self.on_reject()
            response = error_response(
                503,
                "overloaded",
                f"the server is at its limit of {state.limit} requests in flight (RAG_MAX_IN_FLIGHT); "
                "retry shortly",
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        state.current += 1
        try:
            await self.app(scope, receive, send)
        finally:
            state.current -= 1
