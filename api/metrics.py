"""Prometheus metrics (``prometheus-client``): request counts and latencies per route and status,
retrieval and generation latency, requests refused for capacity, and the index size read at
scrape time."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST

_ROUTE_LABELS = ("method", "route", "status")


class Metrics:
    """The registry of one app instance (tests build several apps; they must not share counts)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.requests = Counter(
            "rag_http_requests", "HTTP requests by method, route and status.", _ROUTE_LABELS, registry=reg
        )
        self.latency = Histogram(
            "rag_http_request_duration_seconds",
            "HTTP request latency (to the last body byte).",
            _ROUTE_LABELS,
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.retrieval = Histogram(
            "rag_retrieval_seconds",
            "Retrieval latency (search and the ask retrieve step).",
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.generation = Histogram(
            "rag_generation_seconds",
            "Answer generation latency by generator.",
            ("generator",),
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.verification = Histogram(
            "rag_verification_seconds",
            "Citation verification latency.",
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.answers = Counter(
            "rag_answers", "Answers by generator and whether they were refusals.", ("generator", "refused"),
            registry=reg,
        )  # fmt: skip
        self.rejected = Counter(
            "rag_rejected_requests",
            "Requests refused before any work: over the in-flight cap, or too many failed authentications.",
            ("reason",),
            registry=reg,
        )
        self._gauges = {
            name: Gauge(name, help_, registry=reg)
            for name, help_ in (
                ("rag_index_chunks", "Chunks in the loaded index."),
                ("rag_index_documents", "Documents in the loaded index."),
                ("rag_ready", "1 when the index is loaded and non-empty."),
                ("rag_in_flight", "API requests being handled now."),
            )
        }

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = {"method": method, "route": route, "status": str(status)}
        self.requests.labels(**labels).inc()
        self.latency.labels(**labels).observe(seconds)

    def observe_answer(self, answer: dict) -> None:
        """Feed the per-step timings an ``Answer.to_dict()`` carries."""
        t = answer.get("timings_ms") or {}
        gen = str(answer.get("generator", ""))
        if "retrieve" in t:
            self.retrieval.observe(t["retrieve"] / 1000.0)
        if "generate" in t:
            self.generation.labels(generator=gen).observe(t["generate"] / 1000.0)
        if "verify" in t:
            self.verification.observe(t["verify"] / 1000.0)
        self.answers.labels(generator=gen, refused=str(bool(answer.get("refused"))).lower()).inc()

    def render(self, gauges: dict[str, float]) -> bytes:
        """The exposition text; ``gauges`` (name → value) are read by the caller at scrape time."""
        for name, value in gauges.items():
            self._gauges[name].set(value)
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template (``/v1/documents/{source:path}``,
    not the raw path, so label cardinality stays bounded). Pure ASGI so streams are timed to the end."""

    def __init__(self, app: ASGIApp, metrics: Callable[[], Metrics]) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        t0 = time.perf_counter()

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics().observe_request(scope.get("method", ""), path, status, time.perf_counter() - t0)
