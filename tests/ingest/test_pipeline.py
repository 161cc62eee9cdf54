"""Ingest over a small real corpus: incremental, replace, remove, bad files, mismatch."""

import shutil

import numpy as np
import pytest

from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import IndexMismatchError, UnknownDocumentError
from rag.ingest.pipeline import embedding_text
from tests.conftest import SEEDS

SMALL = ["000_d56512941d572a28.txt", "003_2e75dc72019db59a.txt"]


@pytest.fixture
def small(tmp_settings, embedder):
    for name in SMALL:
        shutil.copy(SEEDS / name, tmp_settings.corpus_dir / name)
    return Assistant(tmp_settings, embedder=embedder)


def _chunks(assistant: Assistant, source: str) -> list:
    record = assistant.index.document(source)
    return list(assistant.index.get_chunks(record.ids).values()) if record else []


def test_ingest_then_reingest_does_no_work(small):
    first = small.ingest()
    assert sorted(first.added) == SMALL and first.chunks > 0
    gen = (small.settings.index_dir / "CURRENT").read_text()
    again = small.ingest()
    assert again.added == [] and sorted(again.unchanged) == SMALL and again.chunks == 0
    assert (small.settings.index_dir / "CURRENT").read_text() == gen  # nothing rewritten


def test_changed_document_replaces_its_chunks(small):
    small.ingest()
    path = small.settings.corpus_dir / SMALL[1]
    before = {c.chunk_id for c in _chunks(small, SMALL[1])}
    path.write_text(
        "新增一段：量子计算专项资金为九十九亿元。\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    report = small.ingest()
    assert report.updated == [SMALL[1]]
    chunks = _chunks(small, SMALL[1])
    assert any("九十九亿元" in c.text for c in chunks)
    assert small.index.stats().documents == 2
    assert len({c.chunk_id for c in chunks}) == len(chunks) >= len(before)
    hits = small.search("量子计算专项资金", 3)
    assert hits[0].chunk.source == SMALL[1]


def test_remove_drops_a_document_everywhere(small):
    small.ingest()
    n = small.remove(SMALL[1])
    assert n > 0
    assert [d["source"] for d in small.documents()] == [SMALL[0]]
    for mode in ("dense", "keyword", "hybrid"):
        assert all(h.chunk.source != SMALL[1] for h in small.search("香港創新科技發展藍圖", 10, mode))
    # persisted: a fresh process sees the same
    fresh = Assistant(small.settings, embedder=small.embedder)
    assert [d["source"] for d in fresh.documents()] == [SMALL[0]]
    with pytest.raises(UnknownDocumentError):
        small.remove(SMALL[1])


def test_bad_files_are_skipped_and_the_rest_goes_on(small):
    (small.settings.corpus_dir / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    report = small.ingest()
    assert sorted(report.added) == SMALL
    assert len(report.skipped) == 1 and "broken.txt" in report.skipped[0][1]


def test_user_documents_get_paths_relative_to_corpus_root(small):
    sub = small.settings.corpus_dir / "user" / "notes.md"
    sub.parent.mkdir()
    sub.write_text(
        "---\ntitle: 测试笔记\nauthor: 研究员\n---\n# 测试笔记\n\n研发经费投入强度提高到百分之三。\n",
        encoding="utf-8",
    )
    small.ingest([sub])
    docs = {d["source"]: d for d in small.documents()}
    assert "user/notes.md" in docs
    assert docs["user/notes.md"]["title"] == "测试笔记"
    hit = small.search("研发经费投入强度", 1)[0]
    assert hit.chunk.source == "user/notes.md"
    assert "title:" not in hit.chunk.text  # front matter is metadata, not text


def test_index_from_another_embedder_is_refused_until_rebuild(small, tmp_settings):
    small.ingest()
    other = Assistant(Settings(**{**tmp_settings.model_dump(), "chunk_tokens": 200}), embedder=small.embedder)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        other.search("芯片", 3)
    report = other.ingest(rebuild=True)
    assert sorted(report.added) == SMALL
    assert other.search("芯片", 3)


def test_an_edited_document_re_embeds_only_its_changed_chunks(small):
    first = small.ingest()
    assert first.cache_misses == first.chunks and first.cache_hits == 0
    path = small.settings.corpus_dir / SMALL[1]
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\n附则：本计划自发布之日起施行。\n", encoding="utf-8"
    )
    again = small.ingest()
    assert again.updated == [SMALL[1]]
    assert again.cache_hits >= again.chunks - 2 and again.cache_misses >= 1
    assert any("自发布之日起施行" in c.text for c in _chunks(small, SMALL[1]))


def test_a_file_over_the_document_limit_is_refused_with_the_setting_named(tmp_settings, embedder):
    shutil.copy(SEEDS / SMALL[0], tmp_settings.corpus_dir / SMALL[0])
    big = tmp_settings.corpus_dir / "huge.txt"
    big.write_text("研发投入。" * 300_000, encoding="utf-8")  # 4.5 MB
    settings = tmp_settings.model_copy(update={"max_document_mb": 1.0})
    report = Assistant(settings, embedder=embedder).ingest()
    assert report.added == [SMALL[0]]
    assert len(report.skipped) == 1 and "RAG_MAX_DOCUMENT_MB" in report.skipped[0][1]


def test_bm25_tokens_equal_the_tokens_of_each_whole_embedding_text():
    """The section path is cut once per document; that must not change a single BM25 token."""
    from rag.ingest.chunking import chunk_document
    from rag.ingest.cleaning import clean
    from rag.ingest.loaders import iter_files, load_path
    from rag.ingest.pipeline import bm25_tokens, embedding_text
    from rag.text import keyword_tokens

    checked = 0
    for path in iter_files([SEEDS]):
        doc = load_path(path, SEEDS)
        chunks = chunk_document(doc, clean(doc), 400, 1)
        assert bm25_tokens(chunks) == [keyword_tokens(embedding_text(c)) for c in chunks]
        checked += sum(1 for c in chunks if c.section)
    assert checked > 100  # the seeds have section paths, so the shortcut is exercised


def _index_contents(assistant: Assistant) -> tuple[list, list]:
    store = assistant.index
    chunks = sorted(
        (c.chunk_id, c.text, c.section, c.start, c.end)
        for d in store.documents()
        for c in store.get_chunks(d.ids).values()
    )
    # BM25 as the store holds it: the hits of a few queries
    hits = [store.keyword_search(q, 5) for q in (["香港", "创新"], ["科技"], ["美国", "法案"], ["半导体"])]
    return chunks, hits


def _vectors_by_text(assistant: Assistant) -> dict[str, np.ndarray]:
    store = assistant.index
    out = {}
    for d in store.documents():
        chunks = store.get_chunks(d.ids)
        for c, v in zip(chunks.values(), store.get_vectors(list(chunks)), strict=True):
            out[f"{d.source}:{c.start}"] = v
    return out


def test_preparing_in_a_forked_process_builds_the_index_a_thread_builds(tmp_path, embedder):
    """Preparation runs in a forked process by default (a real `rag ingest`, a fresh process) and in
    a thread where fork is unsafe (gRPC loaded) or missing: both give the same chunks and BM25."""
    import json
    import subprocess
    import sys

    from rag.config import REPO_ROOT
    from rag.ingest.pipeline import ingest
    from tests.serve import server_env

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in [*SMALL, "004_2f977091897462c0.txt"]:
        shutil.copy(SEEDS / name, corpus / name)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    want = sorted([*SMALL, "004_2f977091897462c0.txt"])

    out = subprocess.run(
        [sys.executable, "-m", "rag", "ingest", "--json"],
        cwd=REPO_ROOT,
        env=server_env(tmp_path / "forked", corpus),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["prepared_in"] == "process"
    assert sorted(report["added"]) == want and len(report["skipped"]) == 1
    forked = Assistant(
        Settings(index_dir=tmp_path / "forked", corpus_dir=corpus, _env_file=None), embedder=embedder
    )

    settings = Settings(index_dir=tmp_path / "thread", corpus_dir=corpus, _env_file=None)
    threaded = Assistant(settings, embedder=embedder)
    with threaded._store().writing(threaded.spec) as writer:
        local = ingest(
            [corpus],
            corpus,
            writer,
            embedder,
            chunk_tokens=settings.chunk_tokens,
            overlap_sentences=settings.chunk_overlap_sentences,
            queue_documents=1,
            prepare_in_process=False,
        )
    assert local.prepared_in == "thread" and sorted(local.added) == want
    assert [p for p, _ in local.skipped] == [str(corpus / "broken.pdf")]
    assert local.seconds["clean"] > 0 and local.seconds["chunk"] > 0 and local.tokenize_seconds > 0
    chunks, hits = _index_contents(forked)
    assert (chunks, hits) == _index_contents(threaded)
    assert len(chunks) > 100 and all(hits)
    # The forked child cut the embedder's tokens; every vector equals the embedder's own for the text
    # it embeds (the chunk as packed: a list's kept line breaks are not what retrieval reads).
    from rag.ingest.chunking import packed_chunks
    from rag.ingest.cleaning import clean
    from rag.ingest.loaders import load_path

    vectors = _vectors_by_text(forked)
    assert vectors.keys() == _vectors_by_text(threaded).keys()
    store = forked.index
    for d in store.documents():
        chunks_of = store.get_chunks(d.ids)
        doc = load_path(corpus / d.source, corpus)
        packed = {
            c.chunk_id: text
            for c, text in packed_chunks(
                doc, clean(doc), settings.chunk_tokens, settings.chunk_overlap_sentences
            )
        }
        assert any(packed[c.chunk_id] != c.text for c in chunks_of.values()) == (d.source != SMALL[0])
        texts = [embedding_text(c, packed[c.chunk_id]) for c in chunks_of.values()]
        own = np.vstack([embedder.embed_documents(texts[i : i + 32]) for i in range(0, len(texts), 32)])
        assert np.allclose(store.get_vectors(list(chunks_of)), own, atol=1e-5)


def test_batches_are_even_and_keep_every_embedding_worker_busy():
    from rag.ingest.pipeline import _even_batches

    assert _even_batches(list(range(33)), 32, 2) == [list(range(17)), list(range(17, 33))]
    sizes = [len(b) for b in _even_batches(list(range(276)), 32, 2)]
    assert len(sizes) % 2 == 0 and max(sizes) <= 32 and max(sizes) - min(sizes) <= 1 and sum(sizes) == 276
    assert [len(b) for b in _even_batches([0], 32, 2)] == [1]
    assert _even_batches([], 32, 2) == []
    batches = _even_batches(list(range(100)), 10, 1)
    assert [i for b in batches for i in b] == list(range(100)) and len(batches) == 10


def test_documents_are_prepared_smallest_first(tmp_path):
    from rag.ingest.pipeline import _smallest_first

    big, small, mid = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    big.write_text("x" * 300)
    small.write_text("x")
    mid.write_text("x" * 20)
    assert _smallest_first([big, small, mid, tmp_path / "gone.txt"]) == [
        tmp_path / "gone.txt",
        small,
        mid,
        big,
    ]
