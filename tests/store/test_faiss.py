import json
import shutil

import faiss
import numpy as np
import pytest

from rag.errors import IndexMismatchError, IndexMissingError, UnknownDocumentError
from rag.store.base import DocRecord, IndexSpec, Store, StoreWriter
from rag.store.bm25 import Postings
from rag.store.faiss import FaissStore, StoreOptions
from rag.store.segment import AnnParams
from rag.types import Chunk

SPEC = IndexSpec(embedder="test", dim=4, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x")


def _doc(writer, source: str, texts: list[str], seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(len(texts), 4)).astype("float32")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [
        Chunk(f"{source}#{i}", source, source, "T", "", t, i * 10, i * 10 + 5, 3, i)
        for i, t in enumerate(texts)
    ]
    return writer.replace_document(
        DocRecord(source, source, "T", f"h-{seed}", []), chunks, vecs, [t.split() for t in texts]
    )


def _store(path, **kw) -> FaissStore:
    return FaissStore(path, StoreOptions(**kw))


def test_add_search_remove_round_trip(tmp_path):
    store = _store(tmp_path)
    assert isinstance(store, Store)
    with store.writing(SPEC) as w:
        assert isinstance(w, StoreWriter)
        _doc(w, "a.txt", ["芯片 进口", "研发 投入"], 1)
        _doc(w, "b.txt", ["专利 数量"], 2)
    assert len(store) == 3 and store.generation == 1
    b_ids = store.document("b.txt").ids
    a_ids = store.document("a.txt").ids
    assert store.keyword_search(["专利"], 5)[0][0] == b_ids[0]
    probe = store.get_vectors([a_ids[1]])[0]
    assert store.dense_search(probe, 1)[0][0] == a_ids[1]
    assert store.get_chunks(a_ids)[a_ids[1]].text == "研发 投入"

    with store.writing() as w:
        assert w.remove_document("b.txt") == 1
    assert store.keyword_search(["专利"], 5) == []
    assert all(i in a_ids for i, _ in store.dense_search(probe, 5))
    assert [d.source for d in store.documents()] == ["a.txt"]
    with pytest.raises(UnknownDocumentError), store.writing() as w:
        w.remove_document("b.txt")
    assert store.stats().chunks == 2 and store.stats().documents == 1


def test_replacing_a_document_tombstones_its_old_chunks(tmp_path):
    store = _store(tmp_path)
    with store.writing(SPEC) as w:
        _doc(w, "a.txt", ["旧 内容", "旧 段落"], 1)
    old_ids = store.document("a.txt").ids
    with store.writing() as w:
        _doc(w, "a.txt", ["新 内容"], 3)
    assert len(store) == 1
    assert not set(old_ids) & set(store.document("a.txt").ids)
    assert store.keyword_search(["旧"], 5) == []
    assert {i for i, _ in store.dense_search(store.get_vectors(old_ids)[0], 5)} == set(
        store.document("a.txt").ids
    )
    # one segment per write; compaction merges them and drops the dead rows
    assert len(store.stats().extra["segments"]) == 2
    report = store.compact()
    assert report["segments_after"] == 1
    assert store.stats().extra["segments"][0]["chunks"] == 1
    assert store.keyword_search(["新"], 5)[0][0] == store.document("a.txt").ids[0]


def test_reopen_preserves_everything(tmp_path):
    store = _store(tmp_path)
    with store.writing(SPEC) as w:
        _doc(w, "a.txt", ["芯片 进口", "研发 投入"], 1)
    loaded = FaissStore.open(tmp_path, expect=SPEC)
    ids = store.document("a.txt").ids
    assert loaded.get_chunks(ids) == store.get_chunks(ids)
    assert loaded.document("a.txt").content_hash == "h-1"
    probe = store.get_vectors([ids[0]])[0]
    assert loaded.dense_search(probe, 2) == store.dense_search(probe, 2)
    assert loaded.keyword_search(["研发"], 2) == store.keyword_search(["研发"], 2)


def test_open_refuses_another_spec(tmp_path):
    with _store(tmp_path).writing(SPEC) as w:
        _doc(w, "a.txt", ["x y"], 1)
    other = IndexSpec(
        embedder="other", dim=4, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x"
    )
    with pytest.raises(IndexMismatchError, match="rebuild"):
        FaissStore.open(tmp_path, expect=other)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="rag ingest"):
        FaissStore.open(tmp_path / "nothing")


def test_failed_write_commits_nothing_and_debris_is_cleared(tmp_path):
    store = _store(tmp_path)
    with store.writing(SPEC) as w:
        _doc(w, "a.txt", ["芯片 进口"], 1)
    with pytest.raises(RuntimeError), store.writing() as w:
        _doc(w, "b.txt", ["专利"], 2)
        w.flush()  # a segment is on disk, not yet committed
        raise RuntimeError("crash")
    assert [d.source for d in FaissStore.open(tmp_path).documents()] == ["a.txt"]
    # What a kill -9 mid-write leaves: a half-written folder and an unreferenced segment.
    (tmp_path / ".tmp-seg-dead-999").mkdir()
    (tmp_path / "seg-000000000000").mkdir()
    loaded = FaissStore.open(tmp_path, expect=SPEC)
    assert len(loaded) == 1
    with loaded.writing() as w:
        _doc(w, "b.txt", ["专利"], 2)
    assert not (tmp_path / ".tmp-seg-dead-999").exists() and not (tmp_path / "seg-000000000000").exists()
    assert len(FaissStore.open(tmp_path, expect=SPEC)) == 2


def test_a_reader_sees_a_generation_committed_by_another_store_object(tmp_path):
    writer = _store(tmp_path)
    with writer.writing(SPEC) as w:
        _doc(w, "a.txt", ["芯片"], 1)
    reader = FaissStore.open(tmp_path, expect=SPEC)
    with writer.writing() as w:
        _doc(w, "b.txt", ["专利"], 2)
    assert reader.keyword_search(["专利"], 5) == []  # still the generation it loaded
    assert reader.refresh() is True
    assert reader.keyword_search(["专利"], 5)[0][0] == writer.document("b.txt").ids[0]
    assert reader.refresh() is False


def test_bm25_scores_match_bm25s():
    import bm25s

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    corpus = [list(rng.choice(words, size=rng.integers(1, 30))) for _ in range(200)]
    ref = bm25s.BM25()
    ref.index(corpus, show_progress=False)
    p = Postings.build(corpus)
    query = ["w1", "w7", "w7", "w33"]
    idfs = {}
    for t in set(query):
        df = sum(t in doc for doc in corpus)
        idfs[t] = float(np.log(1 + (len(corpus) - df + 0.5) / (df + 0.5)))
    ours = p.score(query, idfs, len(corpus))
    np.testing.assert_allclose(ours, ref.get_scores(query), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_approximate_segments_keep_recall(tmp_path, kind):
    rng = np.random.default_rng(1)
    n = 4000
    centers = rng.normal(size=(50, 4))
    store = _store(tmp_path, ann=AnnParams(kind=kind, ivf_nprobe=16))
    with store.writing(SPEC) as w:
        vecs = (centers[rng.integers(0, 50, n)] + 0.3 * rng.normal(size=(n, 4))).astype("float32")
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        chunks = [Chunk(f"d#{i}", "d", "d", "T", "", f"t{i}", 0, 1, 1, i) for i in range(n)]
        w.replace_document(DocRecord("d", "d", "T", "h", []), chunks, vecs, [[f"t{i}"] for i in range(n)])
    assert store.stats().extra["segments"][0]["ann"] == kind
    exact = faiss.IndexFlatIP(4)
    exact.add(vecs)
    queries = rng.normal(size=(50, 4)).astype("float32")
    recall = []
    for q in queries:
        got = {i for i, _ in store.dense_search(q, 10)}
        _, want = exact.search(q[None, :], 10)
        recall.append(len(got & set(want[0].tolist())) / 10)
    assert np.mean(recall) >= 0.9


def test_format_1_index_is_migrated(tmp_path):
    """An index written by the previous layout (CURRENT → gen-*/ with chunks.jsonl) loads after a migration."""
    gen = tmp_path / "gen-000003"
    gen.mkdir(parents=True)
    vecs = np.eye(4, dtype="float32")[:2]
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(4))
    index.add_with_ids(vecs, np.array([5, 6], dtype=np.int64))
    faiss.write_index(index, str(gen / "vectors.faiss"))
    chunks = [
        Chunk(f"a.txt#{i}", "a", "a.txt", "T", "", t, 0, 1, 1, i) for i, t in enumerate(["芯片 进口", "专利"])
    ]
    with open(gen / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for i, c in zip([5, 6], chunks, strict=True):
            fh.write(
                json.dumps({"id": i, "chunk": c.to_dict(), "tokens": c.text.split()}, ensure_ascii=False)
                + "\n"
            )
    record = DocRecord("a.txt", "a", "T", "h", [5, 6])
    manifest = {
        "format_version": 1,
        "spec": SPEC.__dict__,
        "next_id": 7,
        "documents": {"a.txt": record.__dict__},
        "chunks": 2,
    }
    (gen / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    (tmp_path / "CURRENT").write_text("gen-000003")
    store = FaissStore.open(tmp_path, expect=SPEC)
    assert len(store) == 2 and store.document("a.txt").ids == [5, 6]
    assert store.keyword_search(["专利"], 3)[0][0] == 6
    assert store.dense_search(vecs[0], 1)[0][0] == 5
    assert not gen.exists()
    shutil.rmtree(tmp_path)


def test_a_second_writer_waits_then_gets_a_clear_message(tmp_path):
    from rag.errors import IndexBusyError

    first = _store(tmp_path)
    second = _store(tmp_path, lock_timeout=0.3)
    with first.writing(SPEC) as w:
        _doc(w, "a.txt", ["芯片"], 1)
        with pytest.raises(IndexBusyError, match="RAG_WRITE_LOCK_TIMEOUT"), second.writing(SPEC):
            pass
    with second.writing(SPEC) as w:  # the lock is free again; the write starts from the newest generation
        _doc(w, "b.txt", ["专利"], 2)
    assert [d.source for d in first.documents()] == ["a.txt", "b.txt"]
