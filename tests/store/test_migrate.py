"""`rag migrate`: an index copied between stores answers the same, with no re-embedding."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rag.config import REPO_ROOT, Settings
from rag.ingest.migrate import copy_store
from rag.ingest.pipeline import embedding_text
from rag.store.base import DocRecord, IndexSpec
from rag.store.factory import make_store
from rag.text import keyword_tokens
from rag.types import Chunk

SPEC = IndexSpec(embedder="test", dim=8, chunk_tokens=350, chunk_overlap_sentences=1, pipeline_version="x")
DOCS = {
    "a.txt": ["我国芯片进口依赖程度很高。", "研发投入占国内生产总值的比重提高到2.4%。"],
    "b.txt": ["全國專利申請數量連續多年位居世界第一。", "香港創新科技發展藍圖。"],
}


def _fill(store) -> None:
    rng = np.random.default_rng(3)
    with store.writing(SPEC) as writer:
        for source, texts in DOCS.items():
            chunks = [
                Chunk(
                    f"{source}#{i}", f"d-{source}", source, source, "总则", t, i * 50, i * 50 + len(t), 9, i
                )
                for i, t in enumerate(texts)
            ]
            vecs = rng.normal(size=(len(texts), 8)).astype("float32")
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            toks = [keyword_tokens(embedding_text(c)) for c in chunks]
            writer.replace_document(
                DocRecord(source, f"d-{source}", source, f"h-{source}", []), chunks, vecs, toks
            )


def _answers(store) -> tuple:
    """What a reader sees, by chunk id (store ids differ between copies)."""
    ids = [i for d in store.documents() for i in d.ids]
    chunks = store.get_chunks(ids)
    name = {i: c.chunk_id for i, c in chunks.items()}
    probe = store.get_vectors([ids[1]])[0]
    dense = [name[i] for i, _ in store.dense_search(probe, 4)]
    keyword = [name[i] for i, _ in store.keyword_search(keyword_tokens("专利申请 芯片进口"), 4)]
    texts = sorted(c.text for c in chunks.values())
    return [d.source for d in store.documents()], dense, keyword, texts


@pytest.mark.parametrize(("src", "dst"), [("faiss", "milvus"), ("milvus", "faiss")])
def test_copy_store_keeps_documents_vectors_and_rankings(tmp_path, src, dst):
    def settings(kind: str) -> Settings:
        return Settings(
            store=kind, index_dir=tmp_path / "idx", milvus_uri=str(tmp_path / "idx" / "m.db"), _env_file=None
        )

    source = make_store(settings(src))
    _fill(source)
    report = copy_store(source, make_store(settings(dst)))
    assert (report.documents, report.chunks) == (2, 4)
    copy = make_store(settings(dst))
    copy.load(SPEC)
    assert _answers(copy) == _answers(source)
    v_src = source.get_vectors([source.document("b.txt").ids[0]])
    v_dst = copy.get_vectors([copy.document("b.txt").ids[0]])
    np.testing.assert_allclose(v_dst, v_src, rtol=1e-6)


def _rag(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO_ROOT,
        timeout=300,
    )


def test_cli_migrate_to_milvus_and_search(seed_assistant, tmp_path):
    """The seed index copied into Milvus Lite answers `rag search` like the FAISS original."""
    env = {
        "RAG_INDEX_DIR": str(seed_assistant.settings.index_dir),
        "RAG_MILVUS_URI": str(tmp_path / "seeds.db"),
        "RAG_STORE": "faiss",
    }
    out = _rag("migrate", "--to", "milvus", "--json", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["chunks"] == len(seed_assistant.index)
    again = _rag("migrate", "--to", "milvus", env=env)
    assert again.returncode == 1 and "--replace" in again.stderr and "Traceback" not in again.stderr
    query = "根據SIA統計，2021年中國市場集成電路銷售額佔全球的比重是多少？"
    faiss_hits = json.loads(_rag("search", query, "-k", "5", "--json", env=env).stdout)["hits"]
    milvus = _rag("search", query, "-k", "5", "--json", env={**env, "RAG_STORE": "milvus"})
    assert milvus.returncode == 0, milvus.stderr
    milvus_hits = json.loads(milvus.stdout)["hits"]
    assert [h["chunk_id"] for h in milvus_hits] == [h["chunk_id"] for h in faiss_hits]
    assert [(h["start"], h["end"], h["text"]) for h in milvus_hits] == [
        (h["start"], h["end"], h["text"]) for h in faiss_hits
    ]
    docs = json.loads(_rag("docs", "--json", env={**env, "RAG_STORE": "milvus"}).stdout)
    assert docs["store"]["store"] == "milvus" and docs["store"]["keyword_engine"].startswith("milvus-bm25")
    assert len(docs["documents"]) == len(list(seed_assistant.index.documents()))


def test_cli_migrate_errors_are_clear(tmp_path):
    env = {"RAG_INDEX_DIR": str(tmp_path / "none"), "RAG_MILVUS_URI": str(tmp_path / "none.db")}
    out = _rag("migrate", "--to", "milvus", env=env)
    assert out.returncode == 1 and "no index to migrate" in out.stderr
    out = _rag("migrate", "--to", "elastic", env=env)
    assert out.returncode == 1 and "--to must be one of" in out.stderr
