import numpy as np
import pytest

from rag.errors import IndexMismatchError, IndexMissingError, UnknownDocumentError
from rag.store.base import DocRecord, IndexSpec
from rag.store.faiss import Index
from rag.types import Chunk

SPEC = IndexSpec(embedder="test", dim=4, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x")


def _doc(index: Index, source: str, texts: list[str], seed: int) -> None:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(len(texts), 4)).astype("float32")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [
        Chunk(f"{source}#{i}", source, source, "T", "", t, i * 10, i * 10 + 5, 3, i)
        for i, t in enumerate(texts)
    ]
    index.replace_document(
        DocRecord(source, source, "T", f"h-{seed}", []), chunks, vecs, [t.split() for t in texts]
    )


def test_add_search_remove_round_trip(tmp_path):
    index = Index(SPEC)
    _doc(index, "a.txt", ["芯片 进口", "研发 投入"], 1)
    _doc(index, "b.txt", ["专利 数量"], 2)
    assert len(index) == 3
    assert index.keyword_search(["专利"], 5)[0][0] == index.docs["b.txt"].ids[0]
    probe = index.vector(index.docs["a.txt"].ids[1])
    assert index.dense_search(probe, 1)[0][0] == index.docs["a.txt"].ids[1]

    assert index.remove_document("b.txt") == 1
    assert index.keyword_search(["专利"], 5) == []
    assert all(i in index.docs["a.txt"].ids for i, _ in index.dense_search(probe, 5))
    with pytest.raises(UnknownDocumentError):
        index.remove_document("b.txt")


def test_replacing_a_document_drops_its_old_vectors():
    index = Index(SPEC)
    _doc(index, "a.txt", ["旧 内容", "旧 段落"], 1)
    old_ids = index.docs["a.txt"].ids
    _doc(index, "a.txt", ["新 内容"], 3)
    assert len(index) == 1
    assert not set(old_ids) & set(index.docs["a.txt"].ids)
    assert index.vectors.ntotal == 1
    assert index.keyword_search(["旧"], 5) == []


def test_save_and_load_preserve_everything(tmp_path):
    index = Index(SPEC)
    _doc(index, "a.txt", ["芯片 进口", "研发 投入"], 1)
    index.save(tmp_path)
    loaded = Index.load(tmp_path, expect=SPEC)
    assert loaded.chunks == index.chunks
    assert loaded.docs["a.txt"].content_hash == "h-1"
    probe = index.vector(0)
    assert loaded.dense_search(probe, 2) == index.dense_search(probe, 2)
    assert loaded.keyword_search(["研发"], 2) == index.keyword_search(["研发"], 2)


def test_load_refuses_another_spec(tmp_path):
    index = Index(SPEC)
    _doc(index, "a.txt", ["x y"], 1)
    index.save(tmp_path)
    other = IndexSpec(
        embedder="other", dim=4, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x"
    )
    with pytest.raises(IndexMismatchError, match="rebuild"):
        Index.load(tmp_path, expect=other)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="rag ingest"):
        Index.load(tmp_path / "nothing")


def test_interrupted_write_leaves_previous_generation_usable(tmp_path):
    index = Index(SPEC)
    _doc(index, "a.txt", ["芯片 进口"], 1)
    index.save(tmp_path)
    # What a crash mid-save leaves behind: a half-written generation that CURRENT does not name.
    partial = tmp_path / ".tmp-gen-000002-999"
    partial.mkdir()
    (partial / "vectors.faiss").write_bytes(b"\x00garbage")
    (tmp_path / "gen-000003").mkdir()
    loaded = Index.load(tmp_path, expect=SPEC)
    assert len(loaded) == 1
    # The next save still succeeds and clears the debris.
    _doc(loaded, "b.txt", ["专利"], 2)
    loaded.save(tmp_path)
    assert not partial.exists()
    assert len(Index.load(tmp_path, expect=SPEC)) == 2


def test_copy_is_independent():
    index = Index(SPEC)
    _doc(index, "a.txt", ["芯片 进口"], 1)
    clone = index.copy()
    _doc(clone, "b.txt", ["专利"], 2)
    assert len(index) == 1 and len(clone) == 2
    assert index.keyword_search(["专利"], 5) == []
