"""Load test of the HTTP API on loopback: requests/s, p50/p95/p99 latency, errors and server RSS for
/v1/search and /v1/ask at several client counts (default 1, 4, 20, 50).

Bounded in count and time per step. Starts its own ``rag serve`` on 127.0.0.1 (a free port)
unless ``--url`` names a running one, which must be a loopback address. Questions come from the
gold set (zh and en mixed). Writes bench/reports/load_api.json (with the 1-minute load average
around every step: the machine may be shared) and prints a table.

    .venv/bin/python bench/load_api.py [--concurrency 1,4,20,50] [--requests 400] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORT = REPO_ROOT / "bench" / "reports" / "load_api.json"
START_TIMEOUT = 300.0


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _questions() -> list[str]:
    out = []
    for f in sorted((REPO_ROOT / "eval" / "gold").glob("*.jsonl")):
        out += [
            json.loads(line)["question"]
            for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    # interleave the files so zh/en and all five documents mix from the start
    half = len(out) // 2
    return [q for pair in zip(out[:half], out[half:], strict=False) for q in pair] or ["集成电路产业政策"]


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time the server process has used (from /proc), when we know its pid."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _rss_mb(pid: int | None, field: str = "VmRSS") -> float | None:
    """Resident (or, with VmHWM, peak resident) memory of the server process, when we know it."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


@contextmanager
def _server(index_dir: str | None, log_path: Path):
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "RAG_API_KEYS": "", "RAG_RATE_LIMIT_PER_MINUTE": "0"}
    if index_dir:
        env["RAG_INDEX_DIR"] = index_dir
    cmd = [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--rebuild-if-stale", "--log-level", "warning"]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    sys.exit(f"rag serve exited with {proc.returncode}; see {log_path}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit(f"rag serve not ready after {START_TIMEOUT:.0f} s; see {log_path}")
                time.sleep(0.5)
            yield base, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def _load(
    client_args: dict[str, Any],
    path: str,
    bodies: list[dict],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    issued = 0
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        """One client with one keep-alive connection, as a real caller has: a shared pool of 50
        connections cost the bench process 4 ms of CPU per request (1 ms at 4), CPU the server
        on the same 2 cores then lacked."""
        nonlocal issued
        async with httpx.AsyncClient(**client_args, limits=httpx.Limits(max_connections=1)) as client:
            while issued < max_requests and time.perf_counter() < deadline:
                await _one(client)

    async def _one(client: httpx.AsyncClient) -> None:
        nonlocal issued
        body = bodies[issued % len(bodies)]
        issued += 1
        t0 = time.perf_counter()
        try:
            r = await client.post(path, json=body)
            key = str(r.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        latencies.append(time.perf_counter() - t0)
        statuses[key] = statuses.get(key, 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    ok = statuses.get("200", 0)
    lat = sorted(latencies)
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(_pct(lat, 50) * 1000, 1),
        "p95_ms": round(_pct(lat, 95) * 1000, 1),
        "p99_ms": round(_pct(lat, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else float("nan"),
    }


async def _bench(base: str, args: argparse.Namespace, pid: int | None) -> dict[str, Any]:
    questions = _questions()
    headers = {"Authorization": f"Bearer {args.key}"} if args.key else {}
    # plain HTTP on loopback: no TLS context (building one per client costs ~40 ms of CPU)
    client_args: dict[str, Any] = {"base_url": base, "headers": headers, "timeout": 120, "verify": False}
    async with httpx.AsyncClient(**client_args) as client:
        for q in questions[:3]:  # warm-up, not measured
            await client.post("/v1/search", json={"query": q, "k": 10})
            await client.post("/v1/ask", json={"question": q})
        results = {}
        for name, path, bodies in (
            ("search", "/v1/search", [{"query": q, "k": 10} for q in questions]),
            ("ask", "/v1/ask", [{"question": q} for q in questions]),
        ):
            if name not in args.endpoints:
                continue
            for conc in args.concurrency:
                key = f"{name} c={conc}"
                load_before = os.getloadavg()[0]
                server_cpu, client_cpu = _cpu_seconds(pid), time.process_time()
                results[key] = await _load(client_args, path, bodies, conc, args.requests, args.seconds)
                n = max(1, results[key]["requests"])
                if server_cpu is not None:  # where the time goes: server work per request vs the client's
                    results[key]["server_cpu_ms_per_req"] = round(
                        (_cpu_seconds(pid) - server_cpu) * 1000 / n, 2
                    )
                results[key]["client_cpu_ms_per_req"] = round(
                    (time.process_time() - client_cpu) * 1000 / n, 2
                )
                results[key].update(
                    endpoint=path,
                    concurrency=conc,
                    rss_mb=_rss_mb(pid),
                    loadavg_1m={"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
                )
        ready = (await client.get("/readyz")).json()
    return {
        "results": results,
        "index": {"chunks": ready.get("chunks"), "documents": ready.get("documents")},
        "server": {"peak_rss_mb": _rss_mb(pid, "VmHWM")},
    }


def _table(results: dict[str, dict[str, Any]]) -> str:
    head = (
        f"{'endpoint':<16}{'conc':>5}{'reqs':>6}{'err':>5}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'RSS MB':>8}{'load':>6}"
    )
    rows = [head, "-" * len(head)]
    for r in results.values():
        rows.append(
            f"{r['endpoint']:<16}{r['concurrency']:>5}{r['requests']:>6}{r['errors']:>5}{r['rps']:>8.1f}"
            f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['rss_mb'] or float('nan'):>8.0f}{r['loadavg_1m']['after']:>6.1f}"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="A running server on loopback (default: start one)")
    ap.add_argument("--key", default="", help="Bearer key for --url when it has auth on")
    ap.add_argument("--index-dir", help="RAG_INDEX_DIR for the server this script starts (default: settings)")
    ap.add_argument(
        "--concurrency",
        type=lambda v: sorted({int(c) for c in v.split(",") if c.strip()}),
        default=[1, 4, 20, 50],
        help="Comma-separated client counts (default 1,4,20,50)",
    )
    ap.add_argument(
        "--endpoints",
        type=lambda v: v.split(","),
        default=["search", "ask"],
        help="search,ask (default both)",
    )
    ap.add_argument("--requests", type=int, default=400, help="Max requests per endpoint and concurrency")
    ap.add_argument("--seconds", type=float, default=30.0, help="Max seconds per endpoint and concurrency")
    ap.add_argument("--out", type=Path, default=REPORT)
    args = ap.parse_args()
    conc_ok = args.concurrency and all(1 <= c <= 64 for c in args.concurrency)
    if not (conc_ok and 1 <= args.requests <= 10_000 and 0 < args.seconds <= 600):
        sys.exit("bounds: 1 <= each --concurrency <= 64, 1 <= --requests <= 10000, 0 < --seconds <= 600")

    load_before = os.getloadavg()[0]
    if args.url:
        host = urlparse(args.url).hostname or ""
        if not _is_loopback(host):
            sys.exit(f"--url must be a loopback address (127.0.0.1, ::1, localhost), not {host!r}")
        base = args.url.rstrip("/")
        out = asyncio.run(_bench(base, args, None))
    else:
        log_path = Path(tempfile.gettempdir()) / f"load_api_server.{os.getpid()}.log"
        with _server(args.index_dir, log_path) as (base, pid):
            out = asyncio.run(_bench(base, args, pid))

    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # other work on the machine skews every figure: record how busy it was
            "loadavg_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        },
        "limits": {"requests": args.requests, "seconds": args.seconds},
        **out,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(_table(out["results"]))
    m = report["machine"]
    print(
        f"\nindex: {out['index']['documents']} documents, {out['index']['chunks']} chunks; "
        f"{m['cpus']} CPUs, 1-min load {m['loadavg_1m']['before']} -> {m['loadavg_1m']['after']}; "
        f"report: {args.out}"
    )


if __name__ == "__main__":
    main()
