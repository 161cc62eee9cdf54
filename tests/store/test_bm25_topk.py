"""The pruned keyword top-k (Postings.top) against brute-force scoring, on the seed index's real tokens.

The seed chunks are replicated until common terms have long posting lists (the pruned path only
runs on columns of at least IMPACT_MIN postings), as the 1M-chunk bench corpus does.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from eval.gold import load_gold
from rag.ingest.pipeline import embedding_text
from rag.store.base import DocRecord, IndexSpec
from rag.store.bm25 import IMPACT_MIN, Postings
from rag.store.faiss import FaissStore, StoreOptions
from rag.store.segment import _top
from rag.text import keyword_tokens

K = 10


@pytest.fixture(scope="module")
def seed_docs(seed_assistant):
    """(record, chunks in order, token lists) of every seed document."""
    store = seed_assistant.index
    docs = []
    for record in store.documents():
        chunks = store.get_chunks(record.ids)
        ordered = [chunks[i] for i in record.ids]
        docs.append((record, ordered, [keyword_tokens(embedding_text(c)) for c in ordered]))
    return docs


@pytest.fixture(scope="module")
def queries(seed_docs):
    """Gold questions' tokens, plus queries made of the most common terms (the hard case for pruning)."""
    qs = [keyword_tokens(item.question) for item in load_gold()]
    counts: dict[str, int] = {}
    for _, _, token_lists in seed_docs:
        for toks in token_lists:
            for t in set(toks):
                counts[t] = counts.get(t, 0) + 1
    common = sorted(counts, key=lambda t: (-counts[t], t))
    rng = np.random.default_rng(0)
    for _ in range(30):
        qs.append([common[int(i)] for i in rng.integers(0, 40, rng.integers(1, 6))])
    qs.append([common[0], common[0], common[1]])  # duplicates count twice
    return [q for q in qs if q]


def _replicated(seed_docs, copies: int) -> list[list[str]]:
    return [toks for _ in range(copies) for _, _, token_lists in seed_docs for toks in token_lists]


def _idfs(p: Postings, tokens, n: int) -> dict[str, float]:
    df = np.diff(p.indptr)
    return {
        t: math.log(1 + (n - int(df[p.column[t]]) + 0.5) / (int(df[p.column[t]]) + 0.5))
        for t in set(tokens)
        if t in p.column
    }


def _brute(p: Postings, tokens, idfs, n: int, ids: np.ndarray, dead=None) -> list[tuple[int, float]]:
    """Every row scored, fully sorted by (score desc, id): the reference."""
    scores = p.score([t for t in tokens if t in idfs], idfs, n)
    if scores is None:
        return []
    if dead is not None:
        scores[dead] = 0.0
    order = np.lexsort((ids, -scores))[:K]
    return [(int(ids[r]), float(scores[r])) for r in order if scores[r] > 0]


def test_pruned_top_k_equals_brute_force(seed_docs, queries):
    token_lists = _replicated(seed_docs, 40)
    n = len(token_lists)
    p = Postings.build(token_lists)
    assert int(np.diff(p.indptr).max()) >= IMPACT_MIN  # the pruned path is reached, not only the fallback
    ids = np.arange(n, dtype=np.int64) * 7 + 3
    dead = np.zeros(n, dtype=bool)
    dead[np.random.default_rng(1).choice(n, n // 20, replace=False)] = True
    long_queries = 0
    for q in queries:
        idfs = _idfs(p, q, n)
        long_queries += any(np.diff(p.indptr)[p.column[t]] >= IMPACT_MIN for t in idfs)
        for mask in (None, dead):
            want = _brute(p, q, idfs, n, ids, mask)
            rows, scores = p.top([t for t in q if t in idfs], idfs, K, n, mask)
            assert _top(scores, ids[rows], K) == want, q
    assert long_queries >= len(queries) // 2


def test_segment_without_impact_files_gives_the_same_results(tmp_path, seed_docs, queries):
    """A segment written before impact-ordered copies existed sorts columns on first use."""
    token_lists = _replicated(seed_docs, 20)
    p = Postings.build(token_lists)
    p.save(tmp_path)
    for name in ("bm25_impact_indptr.npy", "bm25_impact_rows.npy", "bm25_impact_tfc.npy"):
        (tmp_path / name).unlink()
    old = Postings.load(tmp_path)
    assert old.impact_indptr is None
    n = len(token_lists)
    for q in queries:
        idfs = _idfs(p, q, n)
        known = [t for t in q if t in idfs]
        a, b = p.top(known, idfs, K, n), old.top(known, idfs, K, n)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_store_keyword_search_equals_brute_force_across_segments_and_tombstones(tmp_path, seed_docs, queries):
    """The store's keyword search (several segments, a removed document) against scoring every row."""
    spec = IndexSpec(
        embedder="test", dim=4, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x"
    )
    store = FaissStore(tmp_path, StoreOptions(segment_chunks=6000, auto_compact_segments=10**6))
    rng = np.random.default_rng(2)
    sources = []
    with store.writing(spec) as w:
        for r in range(25):
            for record, chunks, token_lists in seed_docs:
                source = f"{r}/{record.source}"
                vecs = rng.normal(size=(len(chunks), 4)).astype("float32")
                new = [replace(c, source=source, chunk_id=f"{source}#{c.ordinal}") for c in chunks]
                w.replace_document(
                    DocRecord(source, record.doc_id, record.title, f"h{r}", []), new, vecs, token_lists
                )
                sources.append(source)
    with store.writing() as w:
        w.remove_document(sources[3])
    view = store.view
    assert len(view.segments) >= 2 and view.dead
    assert max(int(np.diff(s.postings.indptr).max()) for s in view.segments) >= IMPACT_MIN
    n_docs = sum(len(s) for s in view.segments)
    for q in queries:
        idfs = {}
        for t in set(q):
            df = sum(
                int(s.postings.indptr[s.postings.column[t] + 1] - s.postings.indptr[s.postings.column[t]])
                for s in view.segments
                if t in s.postings.column
            )
            if df:
                idfs[t] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        want = []
        for s in view.segments:
            want += _brute(s.postings, q, idfs, len(s), s.ids, view.dead.get(s.name))
        want.sort(key=lambda h: (-h[1], h[0]))
        assert store.keyword_search(q, K) == want[:K], q
