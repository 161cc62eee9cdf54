"""FAISS store vs Milvus (Lite) store, side by side, on the same chunks and vectors.

The seed index's chunks (real text, real jieba tokens, real embeddings) are written into a fresh
store of each kind, replicated with Gaussian noise on the vectors up to ``--size`` chunks (like
bench/scale.py); embedding is not part of the build. Then, per store: write time, reopen time,
search latency p50/p95 (dense, keyword, hybrid through the real retriever, gold questions of both
splits with their real query embeddings), adding and removing one document (vectors given), and
how far the two stores' top 10 agree. Writes bench/reports/milvus_vs_faiss[_<size>].json.

    python bench/milvus_vs_faiss.py [--size 0 (= the seeds as they are) | 100000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.config import REPO_ROOT, Settings

SIGMA = 0.03


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def seed_docs(settings: Settings):
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
        docs.append(
            (
                record,
                ordered,
                store.get_vectors(record.ids),
                [keyword_tokens(embedding_text(c)) for c in ordered],
            )
        )
    return assistant, docs


def corpus(docs, size: int):
    """The seed documents, then noisy replicas of them until ``size`` chunks (0 = seeds only)."""
    from rag.store.base import DocRecord

    rng = np.random.default_rng(7)
    total, r = 0, 0
    while True:
        record, chunks, vectors, tokens = docs[r % len(docs)]
        rep = r // len(docs)
        if rep == 0:
            out = (replace(record, ids=[]), chunks, vectors, tokens)
        else:
            source = f"r{rep:06d}/{record.source}"
            noisy = vectors + rng.normal(scale=SIGMA, size=vectors.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            out = (
                DocRecord(
                    source, f"{record.doc_id}-{rep}", record.title, f"{record.content_hash}-{rep}", [], {}
                ),
                [replace(c, chunk_id=f"{source}#{c.ordinal}", source=source) for c in chunks],
                noisy.astype(np.float32),
                tokens,
            )
        yield out
        total += len(chunks)
        r += 1
        if (size <= 0 and r == len(docs)) or (size > 0 and total >= size):
            return


def questions() -> list[str]:
    from eval.gold import load_gold

    return [it.question for split in ("dev", "test") for it in load_gold(split)]


def measure(kind: str, settings: Settings, assistant, docs, size: int, qs: list[str]) -> dict:
    from rag.retrieve.crosslingual import QueryExpander
    from rag.retrieve.hybrid import FusionParams, HybridRetriever
    from rag.store.factory import make_store

    spec = assistant.spec
    store = make_store(settings)
    t0 = time.perf_counter()
    with store.writing(spec, rebuild=True) as w:
        for record, chunks, vectors, tokens in corpus(docs, size):
            w.replace_document(record, chunks, vectors, tokens)
    write_s = time.perf_counter() - t0
    n = len(store)
    store.close()

    t0 = time.perf_counter()
    store = make_store(settings)
    store.load(spec)
    len(store)
    reopen_s = time.perf_counter() - t0

    s = assistant.settings
    params = FusionParams(
        s.candidates,
        s.rrf_k,
        s.dense_weight,
        s.keyword_weight,
        s.keyword_weight_no_cjk,
        s.keyword_weight_expanded,
    )
    retriever = HybridRetriever(store, assistant.embedder, params, QueryExpander.from_index(store))
    embedder = assistant.embedder
    qvecs = {q: embedder.embed_query(q) for q in qs}
    retriever.embedder = _Cached(embedder, qvecs)  # query embedding is not the store's time
    for mode in ("dense", "keyword", "hybrid"):  # warm-up (first searches build caches)
        retriever.search(qs[0], 10, mode)
    lat: dict[str, list[float]] = {"dense": [], "keyword": [], "hybrid": []}
    tops: dict[str, list[list[str]]] = {m: [] for m in lat}
    for q in qs:
        for mode in lat:
            t0 = time.perf_counter()
            hits = retriever.search(q, 10, mode)
            lat[mode].append((time.perf_counter() - t0) * 1000)
            tops[mode].append([h.chunk.chunk_id for h in hits])

    record, chunks, vectors, tokens = docs[2] if len(docs) > 2 else docs[0]
    extra = replace(record, source=f"bench-extra/{record.source}", ids=[])
    extra_chunks = [replace(c, source=extra.source, chunk_id=f"{extra.source}#{c.ordinal}") for c in chunks]
    t0 = time.perf_counter()
    with store.writing(spec) as w:
        w.replace_document(extra, extra_chunks, vectors, tokens)
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with store.writing(spec) as w:
        w.remove_document(extra.source)
    remove_s = time.perf_counter() - t0
    store.close()
    return {
        "store": kind,
        "chunks": n,
        "write_s": round(write_s, 2),
        "reopen_s": round(reopen_s, 3),
        "search_ms": {
            m: {"p50": round(statistics.median(v), 2), "p95": round(pct(v, 95), 2)} for m, v in lat.items()
        },
        "add_document_s": round(add_s, 3),
        "remove_document_s": round(remove_s, 3),
        "document_chunks": len(chunks),
        "_tops": tops,
    }


class _Cached:
    def __init__(self, embedder, cache: dict) -> None:
        self.inner, self.cache = embedder, cache

    def embed_query(self, q: str) -> np.ndarray:
        return self.cache[q] if q in self.cache else self.inner.embed_query(q)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rag-milvus-bench"))
    args = ap.parse_args()
    base = Settings()
    assistant, docs = seed_docs(base)
    qs = questions()
    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    results = []
    for kind in ("faiss", "milvus"):
        settings = base.model_copy(
            update={
                "store": kind,
                "index_dir": args.workdir / kind,
                "milvus_uri": str(args.workdir / "milvus" / "m.db"),
            }
        )
        print(f"{kind}: writing and measuring …", flush=True)
        results.append(measure(kind, settings, assistant, docs, args.size, qs))
    agree = {}
    for mode in ("dense", "keyword", "hybrid"):
        a, b = results[0]["_tops"][mode], results[1]["_tops"][mode]
        agree[mode] = {
            "top1_same": round(sum(x[:1] == y[:1] for x, y in zip(a, b, strict=True)) / len(a), 3),
            "top10_overlap": round(
                sum(len(set(x) & set(y)) / max(1, len(x)) for x, y in zip(a, b, strict=True)) / len(a), 3
            ),
        }
    for r in results:
        r.pop("_tops")
    report = {
        "size": results[0]["chunks"],
        "queries": len(qs),
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "stores": results,
        "agreement_faiss_vs_milvus": agree,
        "note": "search_ms excludes query embedding; Milvus is Milvus Lite (embedded, pure Python) here",
    }
    name = "milvus_vs_faiss.json" if args.size <= 0 else f"milvus_vs_faiss_{args.size}.json"
    out = REPO_ROOT / "bench" / "reports" / name
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
