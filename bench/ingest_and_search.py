"""Benchmark: ingest seeds/ from scratch, then query latency per retrieval mode and answer latency.

Writes bench/reports/ingest_and_search.json and prints a table. Targets on a 2-core machine:
seeds ingest under 60 s, hybrid query under 50 ms p50 after load.

    .venv/bin/python bench/ingest_and_search.py [--queries 100]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from eval.gold import load_gold
from rag.assistant import Assistant
from rag.config import REPO_ROOT, Settings
from rag.text import load_tokenizers


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--answers", type=int, default=60, help="questions answered for ask latency")
    parser.add_argument("--trials", type=int, default=5, help="ingest + embedder-alone pairs (median kept)")
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "bench" / "reports" / "ingest_and_search.json"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            index_dir=Path(tmp) / "index", corpus_dir=REPO_ROOT / "seeds", embed_cache=False, _env_file=None
        )
        assistant = Assistant(settings)
        # Start-up, counted on neither side below: the model's weights and jieba's dictionary (which the
        # Assistant loads beside the model).
        t0 = time.perf_counter()
        _ = assistant.embedder.embed_query("warm up")
        load_tokenizers()
        model_load = time.perf_counter() - t0

        # Ingest from scratch, then the embedder alone on the same chunk texts (the floor an ingest can
        # reach: the rest of the pipeline overlaps with it), in pairs: a shared 2-core machine drifts
        # by 20% between minutes, so each ratio compares neighbours and the report takes the median.
        from rag.ingest.pipeline import embedding_text

        trials = []
        for trial in range(args.trials):
            trial_settings = settings.model_copy(update={"index_dir": Path(tmp) / f"index-{trial}"})
            run = Assistant(trial_settings, embedder=assistant.embedder)
            t0 = time.perf_counter()
            report = run.ingest(rebuild=True)
            ingest_total = time.perf_counter() - t0
            store = run.index
            texts = [embedding_text(c) for d in store.documents() for c in store.get_chunks(d.ids).values()]
            t0 = time.perf_counter()
            assistant.embedder.embed_documents(texts)
            embed_alone = time.perf_counter() - t0
            trials.append((ingest_total / embed_alone, ingest_total, embed_alone, report))
        ratio, ingest_total, embed_alone, report = sorted(trials, key=lambda t: t[0])[len(trials) // 2]
        assistant = run

        questions = [item.question for item in load_gold()]
        queries = (questions * (args.queries // max(len(questions), 1) + 1))[: args.queries]
        latency: dict[str, dict[str, float]] = {}
        for mode in ("dense", "keyword", "hybrid"):
            assistant.search(queries[0], 10, mode)  # warm caches
            times = []
            for q in queries:
                t0 = time.perf_counter()
                assistant.search(q, 10, mode)
                times.append((time.perf_counter() - t0) * 1000)
            latency[mode] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 95), 2),
                "mean_ms": round(statistics.fmean(times), 2),
            }

        # Whole answers with the default extractive generator (retrieve + compose + verify).
        assistant.ask(queries[0])  # warm: jieba's tagger, the passage cache
        times = []
        for q in questions[: args.answers]:
            t0 = time.perf_counter()
            assistant.ask(q)
            times.append((time.perf_counter() - t0) * 1000)
        latency["ask (extractive)"] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2),
            "mean_ms": round(statistics.fmean(times), 2),
        }

    result = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "embedder": assistant.embedder.name,
        "documents": len(report.added),
        "chunks": report.chunks,
        "startup_s": round(model_load, 2),  # model + jieba dictionary
        "ingest_s": {**{k: round(v, 2) for k, v in report.seconds.items()}, "total": round(ingest_total, 2)},
        "chunks_per_s": round(report.chunks / ingest_total, 1),
        "embedder_alone_s": round(embed_alone, 2),
        "ingest_over_embedder": round(ratio, 3),
        "trials": [
            {"ingest_s": round(t[1], 2), "embedder_alone_s": round(t[2], 2), "ratio": round(t[0], 3)}
            for t in trials
        ],
        "queries": len(queries),
        "latency": latency,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")

    print(
        f"ingest of {result['documents']} documents, {result['chunks']} chunks: {ingest_total:.1f}s "
        f"({result['chunks_per_s']} chunks/s), {result['ingest_over_embedder']}x the embedder alone "
        f"(median of {len(trials)}); start-up {model_load:.1f}s"
    )
    print("  " + ", ".join(f"{k} {v}s" for k, v in result["ingest_s"].items()))
    for mode, row in latency.items():
        print(f"  {mode:16s} p50 {row['p50_ms']:7.2f} ms   p95 {row['p95_ms']:7.2f} ms")
    print(f"peak RSS {result['peak_rss_mb']} MB -> {args.out}")


if __name__ == "__main__":
    main()
