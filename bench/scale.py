"""Scale benchmark: the store at 10k, 100k and 1M chunks on one machine.

The seed chunks (real text, real jieba tokens, real embeddings) are replicated into whole
documents; each replica's vectors get independent Gaussian noise (sigma 0.03 per dimension,
then re-normalised), so neighbours are distinct vectors, not copies of a few hundred, and
approximate search has real work to do. The corpus is written through the store's own writer
(segments of RAG_SEGMENT_CHUNKS) and then compacted into one segment (the IVF index is built
there), exactly the `rag ingest` + `rag compact` path; embedding is not part of the build
(it is the ingest limit and is measured by bench/ingest_and_search.py).

Each size is then measured in a fresh subprocess, as a server would see it: load time, RSS,
search latency p50/p95 per mode (gold questions, real query embedding), recall@10 of the
approximate dense index against exact search and of hybrid-with-ANN against hybrid-exact, and
adding/removing one document (the largest of the first 20, vectors given; its embedding time is
reported beside). Search latencies exclude embedding the query (reported as query_embed_ms). Writes bench/reports/scale.json and
bench/reports/scale.png.

    python bench/scale.py [--sizes 10000 100000 1000000] [--workdir /tmp/rag-scale]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from rag.config import REPO_ROOT, Settings
from rag.store.factory import faiss_options

SIGMA = 0.03


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    status = Path("/proc/self/status").read_text()
    get = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    return int(get["VmRSS"]) / 1024, int(get["VmHWM"]) / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def seed_material(settings: Settings):
    """Seed documents as (record, chunks, vectors, tokens), from the seed index (built if missing)."""
    from rag.assistant import Assistant
    from rag.ingest.pipeline import embedding_text
    from rag.text import keyword_tokens

    assistant = Assistant(settings)
    assistant.ensure_index(rebuild_on_mismatch=True)
    store = assistant.index
    docs = []
    for record in store.documents():
        chunks = store.get_chunks(record.ids)
        ordered = [chunks[i] for i in record.ids]
        vectors = store.get_vectors(record.ids)
        tokens = [keyword_tokens(embedding_text(c)) for c in ordered]
        docs.append((record, ordered, vectors, tokens))
    return docs, assistant.spec


def replica(doc, r: int, rng: np.random.Generator):
    from dataclasses import replace

    from rag.store.base import DocRecord

    record, chunks, vectors, tokens = doc
    source = f"r{r:06d}/{record.source}"
    new_chunks = [replace(c, chunk_id=f"{source}#{c.ordinal}", source=source) for c in chunks]
    noisy = vectors + rng.normal(scale=SIGMA, size=vectors.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    rec = DocRecord(source, f"{record.doc_id}-{r}", record.title, f"{record.content_hash}-{r}", [], {})
    return rec, new_chunks, noisy.astype(np.float32), tokens


def build(size: int, folder: Path, settings: Settings) -> dict:
    from rag.store.faiss import FaissStore

    docs, spec = seed_material(settings)
    if folder.exists():
        shutil.rmtree(folder)
    rng = np.random.default_rng(size)
    options = dataclasses.replace(
        faiss_options(settings),
        auto_compact_segments=10**6,  # compaction measured on its own below
        faiss_threads=os.cpu_count()
        or 1,  # building is a batch job: all cores (serving uses RAG_FAISS_THREADS)
    )
    store = FaissStore(folder, options)
    t0 = time.perf_counter()
    written, r = 0, 0
    with store.writing(spec) as w:
        while written < size:
            doc = docs[r % len(docs)]
            rec, chunks, vectors, tokens = replica(doc, r // len(docs), rng)
            if written + len(chunks) > size:
                cut = size - written
                chunks, vectors, tokens = chunks[:cut], vectors[:cut], tokens[:cut]
            w.replace_document(rec, chunks, vectors, tokens)
            written += len(chunks)
            r += 1
    write_s = time.perf_counter() - t0
    segments_before = len(store.stats().extra["segments"])
    t0 = time.perf_counter()
    store.compact()
    compact_s = time.perf_counter() - t0
    return {
        "chunks": size,
        "documents": r,
        "write_s": round(write_s, 2),
        "segments_written": segments_before,
        "compact_s": round(compact_s, 2),
        "build_s": round(write_s + compact_s, 2),
        "disk_mb": round(du_mb(folder), 1),
        "peak_rss_build_mb": round(rss_mb()[1]),
        "ann": store.stats().extra["segments"][0]["ann"],
    }


def measure(folder: Path, settings: Settings, queries: int) -> dict:
    """Run in a fresh process: what a server holding this index costs."""
    from eval.gold import load_gold
    from rag.embeddings import get_embedder
    from rag.retrieve.crosslingual import QueryExpander
    from rag.retrieve.hybrid import FusionParams, HybridRetriever
    from rag.store.faiss import FaissStore

    embedder = get_embedder(settings.embedder, threads=settings.embed_threads)
    embedder.embed_query("warm up")
    base_rss = rss_mb()[0]
    options = dataclasses.replace(faiss_options(settings), auto_compact_segments=10**6)
    t0 = time.perf_counter()
    store = FaissStore.open(folder, options=options)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    expander = QueryExpander.from_index(store)
    vocab_s = time.perf_counter() - t0
    params = FusionParams(
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        dense_weight=settings.dense_weight,
        keyword_weight=settings.keyword_weight,
        keyword_weight_no_cjk=settings.keyword_weight_no_cjk,
        keyword_weight_expanded=settings.keyword_weight_expanded,
    )
    questions = [item.question for item in load_gold()]
    qs = (questions * (queries // len(questions) + 1))[:queries]
    # Query embedding is the embedder's cost, not the store's: measured once here, then the
    # retriever gets the cached vectors so the latencies below are retrieval proper.
    embed_ms, cache = [], {}
    for q in dict.fromkeys(qs):
        t = time.perf_counter()
        cache[q] = embedder.embed_query(q)
        embed_ms.append((time.perf_counter() - t) * 1000)
    retriever = HybridRetriever(store, CachedQueries(embedder, cache), params, expander)
    calls: list[tuple[list[str], int, list[tuple[int, float]]]] = []
    keyword_search = store.keyword_search

    def recorded(tokens, k):  # the keyword searches the retriever makes, kept to check against brute force
        hits = keyword_search(tokens, k)
        calls.append((list(tokens), k, hits))
        return hits

    store.keyword_search = recorded
    latency = {}
    results: dict[str, list[list[int]]] = {}
    for mode in ("dense", "keyword", "hybrid"):
        retriever.search(qs[0], 10, mode)
        times, got = [], []
        for q in qs:
            t = time.perf_counter()
            hits = retriever.search(q, 10, mode)
            times.append((time.perf_counter() - t) * 1000)
            got.append([h.chunk.chunk_id for h in hits])
        results[mode] = got
        latency[mode] = {"p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1)}
    rss_after_search = rss_mb()[0]
    store.keyword_search = keyword_search
    keyword_recall, keyword_exact_ms = keyword_vs_brute_force(store, calls)

    # Exact reference: the same segments scored by brute force (ANN switched off).
    anns = {s.name: s.ann for s in store.view.segments}
    for s in store.view.segments:
        s.ann = None
    exact_dense = [[h.chunk.chunk_id for h in retriever.search(q, 10, "dense")] for q in qs]
    exact_hybrid = [[h.chunk.chunk_id for h in retriever.search(q, 10, "hybrid")] for q in qs]
    for s in store.view.segments:
        s.ann = anns[s.name]

    def recall(a: list[list[str]], b: list[list[str]]) -> float:
        return round(
            statistics.mean(len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b, strict=True)), 4
        )

    # Add and remove one document (vectors given: embedding is measured separately).
    record = max(itertools.islice(store.documents(), 20), key=lambda d: len(d.ids))
    chunks = store.get_chunks(record.ids)
    ordered = [chunks[i] for i in record.ids]
    vectors = store.get_vectors(record.ids)
    from dataclasses import replace

    from rag.ingest.pipeline import embedding_text
    from rag.store.base import DocRecord
    from rag.text import keyword_tokens

    tokens = [keyword_tokens(embedding_text(c)) for c in ordered]
    new = DocRecord("bench/new.txt", "new", record.title, "new-hash", [])
    new_chunks = [replace(c, source="bench/new.txt", chunk_id=f"bench/new.txt#{c.ordinal}") for c in ordered]
    t0 = time.perf_counter()
    with store.writing() as w:
        w.replace_document(new, new_chunks, vectors, tokens)
    add_s = time.perf_counter() - t0
    t = time.perf_counter()
    retriever.search(qs[1], 10, "hybrid")
    first_search_after_add_ms = (time.perf_counter() - t) * 1000
    t0 = time.perf_counter()
    with store.writing() as w:
        w.remove_document("bench/new.txt")
    remove_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    emb = embedder.embed_documents([embedding_text(c) for c in ordered])
    embed_s = time.perf_counter() - t0
    assert len(emb) == len(ordered)
    cur, peak = rss_mb()
    return {
        "load_s": round(load_s, 2),
        "vocabulary_s": round(vocab_s, 2),
        "rss_model_only_mb": round(base_rss),
        "rss_after_search_mb": round(rss_after_search),
        "rss_end_mb": round(cur),
        "peak_rss_mb": round(peak),
        "latency": latency,
        "query_embed_ms": {"p50_ms": round(pct(embed_ms, 50), 1), "p95_ms": round(pct(embed_ms, 95), 1)},
        "dense_recall_at_10_vs_exact": recall(results["dense"], exact_dense),
        "keyword_recall_at_10_vs_exact": keyword_recall,
        "keyword_brute_force_ms": keyword_exact_ms,
        "hybrid_recall_at_10_vs_exact": recall(results["hybrid"], exact_hybrid),
        "add_one_doc_s": round(add_s, 3),
        "remove_one_doc_s": round(remove_s, 3),
        "added_doc_chunks": len(ordered),
        "embed_that_doc_s": round(embed_s, 2),
        "first_hybrid_after_add_ms": round(first_search_after_add_ms, 1),
        "queries": len(qs),
    }


def keyword_vs_brute_force(store, calls) -> tuple[float, dict]:
    """Recall@10 of the store's keyword hits against scoring every row of every segment (ties by id),
    and the latency of that previous method (score every row, partial selection), over the recorded
    calls (the retriever's own tokens, cross-lingual expansion included)."""
    import math

    from rag.store.segment import _top

    view = store.view
    n_docs = sum(len(s) for s in view.segments)
    recalls, times = [], []
    for tokens, k, got in calls:
        t = time.perf_counter()
        idfs = {}
        for term in set(tokens):
            df = 0
            for s in view.segments:
                col = s.postings.column.get(term)
                if col is not None:
                    df += int(s.postings.indptr[col + 1] - s.postings.indptr[col])
            if df:
                idfs[term] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        known = [term for term in tokens if term in idfs]
        per_segment = []
        for s in view.segments:
            scores = s.postings.score(known, idfs, len(s)) if known else None
            if scores is None:
                continue
            dead = view.dead.get(s.name)
            if dead is not None:
                scores[dead] = 0.0
            _top(scores, s.ids, k)  # the previous method: every row scored, then partial selection
            per_segment.append((s, scores))
        times.append((time.perf_counter() - t) * 1000)
        want: list[tuple[int, float]] = []
        for s, scores in per_segment:  # the reference: a full sort (score desc, id), outside the timing
            order = np.lexsort((s.ids, -scores))[:k]
            want += [(int(s.ids[r]), float(scores[r])) for r in order if scores[r] > 0]
        want.sort(key=lambda h: (-h[1], h[0]))
        ref = {i for i, _ in want[:10]}
        recalls.append(len(ref & {i for i, _ in got[:10]}) / len(ref) if ref else 1.0)
    return round(statistics.mean(recalls), 4), {
        "p50_ms": round(pct(times, 50), 1),
        "p95_ms": round(pct(times, 95), 1),
    }


class CachedQueries:
    """The real embedder, with the benchmark's query vectors computed ahead of time."""

    def __init__(self, embedder, cache: dict) -> None:
        self.embedder, self.cache = embedder, cache
        self.name, self.dim = embedder.name, embedder.dim

    def embed_query(self, text: str) -> np.ndarray:
        v = self.cache.get(text)
        return v if v is not None else self.embedder.embed_query(text)

    def embed_documents(self, texts, progress=None):
        return self.embedder.embed_documents(texts, progress=progress)


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["sizes"] if "measure" in r]
    xs = [r["build"]["chunks"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for mode in ("dense", "keyword", "hybrid"):
        axes[0].plot(xs, [r["measure"]["latency"][mode]["p50_ms"] for r in rows], "o-", label=f"{mode} p50")
        axes[0].plot(xs, [r["measure"]["latency"][mode]["p95_ms"] for r in rows], "x--", label=f"{mode} p95")
    axes[0].axhline(50, color="grey", lw=0.8, ls=":")
    axes[0].set(xscale="log", xlabel="chunks", ylabel="ms", title="search latency")
    axes[0].legend(fontsize=7)
    axes[1].plot(
        xs, [r["measure"]["rss_after_search_mb"] for r in rows], "o-", label="server RSS after search"
    )
    axes[1].plot(xs, [r["build"]["disk_mb"] for r in rows], "s-", label="disk")
    axes[1].axhline(4096, color="grey", lw=0.8, ls=":")
    axes[1].set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="memory and disk")
    axes[1].legend(fontsize=7)
    axes[2].plot(xs, [r["measure"]["load_s"] for r in rows], "o-", label="load s")
    axes[2].plot(xs, [r["measure"]["add_one_doc_s"] for r in rows], "s-", label="add one doc s")
    axes[2].plot(xs, [r["measure"]["remove_one_doc_s"] for r in rows], "^-", label="remove one doc s")
    axes[2].set(xscale="log", xlabel="chunks", ylabel="s", title="load and updates")
    axes[2].legend(fontsize=7)
    fig.suptitle("policy-rag store at scale (2 cores); see bench/reports/scale.json")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rag-scale"))
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "reports" / "scale.json")
    parser.add_argument(
        "--reuse", action="store_true", help="measure an index kept by an earlier --keep run (no rebuild)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the built index (and its build.json)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: child process
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # internal: child process
    args = parser.parse_args()
    settings = Settings(index_dir=REPO_ROOT / ".rag-test", corpus_dir=REPO_ROOT / "seeds", _env_file=None)
    if args.measure:
        print(json.dumps(measure(args.measure, settings, args.queries)))
        return
    if args.build:
        print(json.dumps(build(args.build, args.workdir / f"n{args.build}", settings)))
        return

    report: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "sizes": []}
    if args.out.exists():  # keep sizes measured by an earlier run (the 1M point is run on its own)
        report["sizes"] = [
            r
            for r in json.loads(args.out.read_text()).get("sizes", [])
            if r["build"]["chunks"] not in args.sizes
        ]
    for size in args.sizes:
        load = os.getloadavg()[0]
        child = [sys.executable, __file__, "--workdir", str(args.workdir), "--queries", str(args.queries)]
        folder = args.workdir / f"n{size}"
        if args.reuse and (folder / "build.json").exists():
            built = json.loads((folder / "build.json").read_text())
        else:
            b = subprocess.run([*child, "--build", str(size)], capture_output=True, text=True, check=False)
            if b.returncode != 0:
                print(b.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"build of {size} failed")
            built = json.loads(b.stdout.strip().splitlines()[-1])
            (folder / "build.json").write_text(json.dumps(built))
        print(f"{size}: built {built}", flush=True)
        m = subprocess.run([*child, "--measure", str(folder)], capture_output=True, text=True, check=False)
        if m.returncode != 0:
            print(m.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"measuring {size} failed")
        measured = json.loads(m.stdout.strip().splitlines()[-1])
        print(f"{size}: measured {measured}", flush=True)
        report["sizes"].append(
            {
                "build": built,
                "measure": measured,
                "load_avg_1m_before": round(load, 2),
                "load_avg_1m_after": round(os.getloadavg()[0], 2),
            }
        )
        report["sizes"].sort(key=lambda r: r["build"]["chunks"])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
        plot(report, args.out.with_suffix(".png"))
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"wrote {args.out} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
