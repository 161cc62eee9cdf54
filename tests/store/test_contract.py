"""The Store contract, run against every store (FAISS + bm25s files, Milvus Lite): whatever
RAG_STORE chooses, the retriever, ingest and the API see the same behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from rag.config import Settings
from rag.errors import IndexMismatchError, UnknownDocumentError
from rag.store.base import DocRecord, IndexSpec, Store
from rag.store.factory import STORES, make_store, store_exists
from rag.text import keyword_tokens
from rag.types import Chunk

DIM = 8
SPEC = IndexSpec(embedder="test", dim=DIM, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x")

A = ["我国芯片进口依赖程度很高。", "研发投入占国内生产总值的比重提高到2.4%。"]
B = ["全國專利申請數量連續多年位居世界第一。"]  # Traditional: found by Simplified queries


@pytest.fixture(params=STORES)
def settings(request: pytest.FixtureRequest, tmp_path) -> Settings:
    return Settings(
        store=request.param,
        index_dir=tmp_path / "index",
        milvus_uri=str(tmp_path / "index" / "milvus.db"),
        _env_file=None,
    )


@pytest.fixture
def store(settings: Settings) -> Store:
    return make_store(settings)


def open_store(settings: Settings, spec: IndexSpec) -> Store:
    """Another reader of the same index, as a new process would open it."""
    other = make_store(settings)
    other.load(spec)
    return other


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype("float32")
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _add(store: Store, source: str, texts: list[str], seed: int) -> tuple[list[int], np.ndarray]:
    vecs = _vectors(len(texts), seed)
    chunks = [
        Chunk(
            f"{source}#{i}",
            f"d-{source}",
            source,
            f"《{source}》",
            "一、总则",
            t,
            i * 100,
            i * 100 + len(t),
            9,
            i,
        )
        for i, t in enumerate(texts)
    ]
    record = DocRecord(source, f"d-{source}", f"《{source}》", f"h-{seed}", [], {"date": "2021-03-04"})
    ids = store.replace_document(record, chunks, vecs, [keyword_tokens(t) for t in texts])
    return list(ids) if ids is not None else list(record.ids), vecs


def _reopen(settings: Settings, store: Store) -> Store:
    return open_store(settings, SPEC)


def test_documents_chunks_vectors_round_trip(store: Store, settings: Settings) -> None:
    with store.writing(SPEC) as w:
        ids_a, vecs_a = _add(w, "a.txt", A, 1)
        ids_b, _ = _add(w, "b.txt", B, 2)
    assert len(store) == 3
    assert store_exists(settings)
    assert [d.source for d in store.documents()] == ["a.txt", "b.txt"]
    rec = store.document("a.txt")
    assert rec is not None and rec.ids == ids_a and rec.content_hash == "h-1"
    assert rec.metadata == {"date": "2021-03-04"}
    assert store.document("missing.txt") is None

    chunks = store.get_chunks([ids_b[0], ids_a[1], 10**9])
    assert set(chunks) == {ids_b[0], ids_a[1]}
    got = chunks[ids_b[0]]
    assert got.text == B[0] and got.source == "b.txt" and got.section == "一、总则"  # original script kept
    assert (got.start, got.end, got.ordinal) == (0, len(B[0]), 0)
    np.testing.assert_allclose(store.get_vectors([ids_a[1], ids_a[0]]), vecs_a[[1, 0]], rtol=1e-5, atol=1e-6)


def test_dense_search_ranks_by_inner_product(store: Store) -> None:
    with store.writing(SPEC) as w:
        ids_a, vecs_a = _add(w, "a.txt", A, 1)
        _add(w, "b.txt", B, 2)
    hits = store.dense_search(vecs_a[1], 3)
    assert hits[0][0] == ids_a[1]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_keyword_search_folds_traditional_and_simplified(store: Store) -> None:
    with store.writing(SPEC) as w:
        ids_a, _ = _add(w, "a.txt", A, 1)
        ids_b, _ = _add(w, "b.txt", B, 2)
    simplified = store.keyword_search(keyword_tokens("专利申请数量"), 5)
    assert [i for i, _ in simplified] == ids_b
    assert simplified[0][1] > 0
    traditional = store.keyword_search(keyword_tokens("芯片進口"), 5)
    assert traditional[0][0] == ids_a[0]
    assert store.keyword_search(keyword_tokens("量子计算"), 5) == []  # no shared term: no hit
    assert store.keyword_search([], 5) == []


def test_keyword_scores_agree_across_stores(tmp_path) -> None:
    """Both engines score BM25 with k1=1.5, b=0.75 on the same terms: same ranking, same scores."""
    results = []
    for kind in STORES:
        s = Settings(
            store=kind, index_dir=tmp_path / kind, milvus_uri=str(tmp_path / kind / "m.db"), _env_file=None
        )
        st = make_store(s)
        with st.writing(SPEC) as w:
            _add(w, "a.txt", A, 1)
            _add(w, "b.txt", B, 2)
            _add(w, "c.txt", ["芯片设计与芯片制造，研发投入不足。", "专利质量有待提高。"], 3)
        results.append(st.keyword_search(keyword_tokens("芯片研发投入专利"), 10))
    faiss_hits, milvus_hits = results
    assert [i for i, _ in milvus_hits] == [i for i, _ in faiss_hits]
    np.testing.assert_allclose([s for _, s in milvus_hits], [s for _, s in faiss_hits], rtol=1e-3)


def test_replacing_a_document_drops_its_old_chunks(store: Store) -> None:
    with store.writing(SPEC) as w:
        old_ids, _ = _add(w, "a.txt", A, 1)
    with store.writing(SPEC) as w:
        new_ids, _ = _add(w, "a.txt", ["新版本只谈量子计算。"], 5)
    assert len(store) == 1
    assert not set(old_ids) & set(new_ids)  # ids are never reused
    assert store.keyword_search(keyword_tokens("芯片进口"), 5) == []
    assert [i for i, _ in store.keyword_search(keyword_tokens("量子计算"), 5)] == new_ids
    assert store.document("a.txt").ids == new_ids
    store.compact()  # a store may keep removed chunks' terms until it merges its storage
    assert store.vocabulary().doc_freq.get("芯片", 0) == 0


def test_replaced_and_removed_ids_are_not_fetched(store: Store, settings: Settings) -> None:
    """base.Store.get_chunks: ids no longer present are left out (a stale hit cannot resurrect a chunk)."""
    if settings.store == "faiss":
        pytest.xfail("FaissStore.get_chunks still returns tombstoned chunks until compaction (store branch)")
    with store.writing(SPEC) as w:
        old_ids, _ = _add(w, "a.txt", A, 1)
        gone_ids, _ = _add(w, "b.txt", B, 2)
    with store.writing(SPEC) as w:
        _add(w, "a.txt", ["新版本只谈量子计算。"], 5)
        w.remove_document("b.txt")
    assert store.get_chunks(old_ids + gone_ids) == {}


def test_remove_document(store: Store) -> None:
    with store.writing(SPEC) as w:
        ids_a, vecs_a = _add(w, "a.txt", A, 1)
        _add(w, "b.txt", B, 2)
    with store.writing(SPEC) as w:
        assert w.remove_document("a.txt") == 2
    assert [d.source for d in store.documents()] == ["b.txt"]
    assert len(store) == 1
    assert all(i not in ids_a for i, _ in store.dense_search(vecs_a[0], 5))
    assert store.keyword_search(keyword_tokens("芯片"), 5) == []
    with pytest.raises(UnknownDocumentError), store.writing(SPEC) as w:
        w.remove_document("a.txt")


def test_vocabulary_counts_chunks_per_term(store: Store) -> None:
    with store.writing(SPEC) as w:
        _add(w, "a.txt", A, 1)
        _add(w, "c.txt", ["芯片设计。", "芯片制造。"], 3)
    vocab = store.vocabulary()
    assert vocab.n_docs == 4
    assert vocab.doc_freq["芯片"] == 3
    assert "专利" not in vocab.terms and "研发" in vocab.terms
    with store.writing(SPEC) as w:
        w.remove_document("c.txt")
    store.compact()
    assert store.vocabulary().doc_freq["芯片"] == 1
    assert store.vocabulary().n_docs == 2


def test_stats_name_the_store_and_keyword_engine(store: Store, settings: Settings) -> None:
    with store.writing(SPEC) as w:
        _add(w, "a.txt", A, 1)
    stats = store.stats()
    assert (stats.chunks, stats.documents, stats.spec) == (2, 1, SPEC)
    assert stats.store == settings.store
    assert stats.keyword_engine


def test_each_commit_is_a_new_generation(store: Store, settings: Settings) -> None:
    start = store.generation
    with store.writing(SPEC) as w:
        _add(w, "a.txt", A, 1)
    assert store.generation == start + 1
    assert store.stats().generation == store.generation
    other = open_store(settings, SPEC)
    assert other.generation == store.generation
    with store.writing(SPEC) as w:
        w.remove_document("a.txt")
    assert other.refresh() is True
    assert other.generation == start + 2
    assert other.refresh() is False


def test_a_failed_write_commits_nothing(store: Store, settings: Settings) -> None:
    with store.writing(SPEC) as w:
        ids_a, _ = _add(w, "a.txt", A, 1)
    before = store.generation
    with pytest.raises(RuntimeError, match="boom"), store.writing(SPEC) as w:
        _add(w, "b.txt", B, 2)
        w.remove_document("a.txt")
        raise RuntimeError("boom")
    again = _reopen(settings, store)
    again.refresh()
    assert again.generation == before
    assert [d.source for d in again.documents()] == ["a.txt"]
    assert len(again) == 2
    assert set(again.get_chunks(ids_a)) == set(ids_a)
    assert again.keyword_search(keyword_tokens("专利"), 5) == []


def test_reopened_store_serves_the_same_results(store: Store, settings: Settings) -> None:
    with store.writing(SPEC) as w:
        ids_a, vecs_a = _add(w, "a.txt", A, 1)
        _add(w, "b.txt", B, 2)
    query = keyword_tokens("芯片研发投入")
    again = open_store(settings, SPEC)
    assert again.generation == store.generation
    dense, dense_again = store.dense_search(vecs_a[0], 3), again.dense_search(vecs_a[0], 3)
    assert [i for i, _ in dense_again] == [i for i, _ in dense]
    assert [s for _, s in dense_again] == pytest.approx([s for _, s in dense], abs=1e-5)
    assert again.keyword_search(query, 3) == store.keyword_search(query, 3)
    assert [d.source for d in again.documents()] == ["a.txt", "b.txt"]


def test_an_index_built_under_another_spec_is_refused(store: Store, settings: Settings) -> None:
    with store.writing(SPEC) as w:
        _add(w, "a.txt", A, 1)
    other = IndexSpec(
        embedder="other", dim=DIM, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x"
    )
    with pytest.raises(IndexMismatchError):
        open_store(settings, other)


def test_empty_store_answers_empty(store: Store) -> None:
    with store.writing(SPEC):
        pass
    assert len(store) == 0
    assert store.dense_search(_vectors(1, 9)[0], 5) == []
    assert store.keyword_search(keyword_tokens("芯片"), 5) == []
    assert list(store.documents()) == []
