"""A document's chunks read from a real index: in order, re-read after an edit, gone once removed."""

from __future__ import annotations

import shutil

from rag.assistant import Assistant
from rag.retrieve.documents import DocumentChunks
from tests.conftest import SEEDS

NAME = "003_2e75dc72019db59a.txt"


def test_a_document_is_read_in_order_and_afresh_after_an_edit(tmp_settings, embedder) -> None:
    shutil.copy(SEEDS / NAME, tmp_settings.corpus_dir / NAME)
    assistant = Assistant(tmp_settings, embedder=embedder)
    assistant.ingest()
    reader = DocumentChunks(lambda: assistant.index)
    doc = reader(NAME)
    assert doc is not None and [c.ordinal for c in doc] == list(range(len(doc))) and len(doc) > 3
    assert reader.current(doc[2]) is doc  # cached while the document is unchanged

    path = tmp_settings.corpus_dir / NAME
    path.write_text(
        "新增一段：量子计算专项资金为九十九亿元。\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assistant.ingest()
    edited = reader(NAME)
    assert edited is not None and any("九十九亿元" in c.text for c in edited)  # not the cached copy

    assistant.remove(NAME)
    assert reader(NAME) is None


def test_a_chunk_the_index_no_longer_holds_where_it_was_is_not_current(seed_assistant: Assistant) -> None:
    reader = DocumentChunks(lambda: seed_assistant.retriever.index)
    chunk = seed_assistant.search("香港創新科技發展藍圖", 1)[0].chunk
    assert reader.current(chunk) is not None
    moved = type(chunk)(**{**chunk.__dict__, "section": "另一个章节"})
    assert reader.current(moved) is None
