"""Prometheus text exposition, hand-rolled (no extra dependency): request counts and latencies per
route and status, retrieval and generation latency, and the index size read at scrape time."""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

Labels = tuple[tuple[str, str], ...]


def _fmt_labels(labels: Labels, extra: tuple[str, str] | None = None) -> str:
    items = list(labels) + ([extra] if extra else [])
    if not items:
        return ""
    esc = (v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") for _, v in items)
    return "{" + ",".join(f'{k}="{v}"' for (k, _), v in zip(items, esc, strict=True)) + "}"


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


class Counter:
    def __init__(self, name: str, help_: str) -> None:
        self.name, self.help = name, help_
        self._values: dict[Labels, float] = defaultdict(float)
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        with self._lock:
            self._values[tuple(sorted(labels.items()))] += amount

    def value(self, **labels: str) -> float:
        return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        with self._lock:
            for labels, v in sorted(self._values.items()):
                yield f"{self.name}{_fmt_labels(labels)} {_fmt_num(v)}"


class Histogram:
    def __init__(self, name: str, help_: str, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.name, self.help, self.buckets = name, help_, buckets
        # per label set: [bucket counts..., +Inf count], sum
        self._counts: dict[Labels, list[int]] = {}
        self._sums: dict[Labels, float] = defaultdict(float)
        self._lock = threading.Lock()

    def observe(self, seconds: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            counts[bisect_left(self.buckets, seconds)] += 1
            self._sums[key] += seconds

    def count(self, **labels: str) -> int:
        return sum(self._counts.get(tuple(sorted(labels.items())), []))

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        with self._lock:
            for labels, counts in sorted(self._counts.items()):
                cumulative = 0
                for bound, c in zip(self.buckets, counts, strict=False):
                    cumulative += c
                    yield f"{self.name}_bucket{_fmt_labels(labels, ('le', _fmt_num(bound)))} {cumulative}"
                cumulative += counts[-1]
                yield f"{self.name}_bucket{_fmt_labels(labels, ('le', '+Inf'))} {cumulative}"
                yield f"{self.name}_sum{_fmt_labels(labels)} {self._sums[labels]!r}"
                yield f"{self.name}_count{_fmt_labels(labels)} {cumulative}"


class Metrics:
    """The registry of one app instance (tests build several apps; they must not share counts)."""

    def __init__(self) -> None:
        self.requests = Counter("rag_http_requests_total", "HTTP requests by method, route and status.")
        self.latency = Histogram(
            "rag_http_request_duration_seconds", "HTTP request latency (to the last body byte)."
        )
        self.retrieval = Histogram(
            "rag_retrieval_seconds", "Retrieval latency (search and the ask retrieve step)."
        )
        self.generation = Histogram("rag_generation_seconds", "Answer generation latency by generator.")
        self.verification = Histogram("rag_verification_seconds", "Citation verification latency.")
        self.answers = Counter("rag_answers_total", "Answers by generator and whether they were refusals.")

    def observe_answer(self, answer: dict) -> None:
        """Feed the per-step timings an ``Answer.to_dict()`` carries."""
        t = answer.get("timings_ms") or {}
        gen = str(answer.get("generator", ""))
        if "retrieve" in t:
            self.retrieval.observe(t["retrieve"] / 1000.0)
        if "generate" in t:
            self.generation.observe(t["generate"] / 1000.0, generator=gen)
        if "verify" in t:
            self.verification.observe(t["verify"] / 1000.0)
        self.answers.inc(generator=gen, refused=str(bool(answer.get("refused"))).lower())

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        """``gauges``: name → (help, value), computed by the caller at scrape time."""
        lines: list[str] = []
        for metric in (self.requests, self.latency, self.retrieval, self.generation, self.verification):
            lines.extend(metric.render())
        lines.extend(self.answers.render())
        for name, (help_, value) in gauges.items():
            lines += [f"# HELP {name} {help_}", f"# TYPE {name} gauge", f"{name} {_fmt_num(value)}"]
        return "\n".join(lines) + "\n"


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
            labels = {"method": scope.get("method", ""), "route": path, "status": str(status)}
            m = self.metrics()
            m.requests.inc(**labels)
            m.latency.observe(time.perf_counter() - t0, **labels)
