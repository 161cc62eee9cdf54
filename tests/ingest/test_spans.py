"""Reading a span of a document's original text back from disk, with context, by offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import UnknownDocumentError
from rag.ingest.spans import SourcePathError, SpanError, corpus_path, read_span

TEXT = "第一段：香港創新科技。\n第二段：研發投入佔GDP 0.99%。\n第三段：结束。\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "doc.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "big5.txt").write_bytes("繁體中文：臺灣的研發經費。".encode("big5"))
    return tmp_path


def test_span_is_the_original_slice_with_context(corpus: Path) -> None:
    start = TEXT.index("研發投入")
    end = TEXT.index("。", start) + 1
    span = read_span(corpus, "sub/doc.txt", start, end, context=8)
    assert span.text == TEXT[start:end] == "研發投入佔GDP 0.99%。"  # Traditional kept, not converted
    assert span.before + span.text + span.after == TEXT[span.context_start : span.context_end]
    assert span.context_start == TEXT.index("第二段")  # snapped to the line start within the window
    assert span.length == len(TEXT) and not span.changed
    assert span.title == "doc"


def test_whole_document_and_zero_context(corpus: Path) -> None:
    whole = read_span(corpus, "sub/doc.txt", 0, len(TEXT), context=50)
    assert whole.text == TEXT and whole.before == whole.after == ""
    bare = read_span(corpus, "sub/doc.txt", 3, 5, context=0)
    assert (bare.before, bare.text, bare.after) == ("", TEXT[3:5], "")


def test_legacy_encoding_is_decoded_like_the_loader(corpus: Path) -> None:
    span = read_span(corpus, "big5.txt", 0, 4)
    assert span.text == "繁體中文"


def test_changed_file_is_reported(corpus: Path) -> None:
    assert read_span(corpus, "sub/doc.txt", 0, 2, content_hash="not-the-hash").changed


@pytest.mark.parametrize(
    ("start", "end", "context", "word"),
    [(-1, 2, 10, "start"), (5, 2, 10, "end"), (0, len(TEXT) + 1, 10, "past the end"), (0, 1, -1, "context")],
)
def test_offsets_outside_the_file_are_refused(
    corpus: Path, start: int, end: int, context: int, word: str
) -> None:
    with pytest.raises(SpanError, match=word):
        read_span(corpus, "sub/doc.txt", start, end, context)


@pytest.mark.parametrize("source", ["../secret.txt", "/etc/passwd", "sub/../../x.txt", "a\\b.txt", ""])
def test_paths_outside_the_corpus_are_refused(corpus: Path, source: str) -> None:
    with pytest.raises(SourcePathError):
        corpus_path(corpus, source)


def test_symlink_out_of_the_corpus_is_refused(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside)
    with pytest.raises(SourcePathError):
        read_span(corpus, "link.txt", 0, 1)


def test_missing_file(corpus: Path) -> None:
    with pytest.raises(UnknownDocumentError):
        read_span(corpus, "gone.txt", 0, 1)
