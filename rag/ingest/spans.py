"""A span of a document's original text with its surroundings, read back from the file on disk.

This is how a reader checks a citation: the quote's ``[start, end)`` offsets point into the
original text (``Document.text``, exactly as decoded, never converted between Traditional and
Simplified), so re-reading the file and slicing it must give the quote back. The surroundings
are cut at line breaks when one is near, so the reader sees whole paragraphs rather than a
window that starts mid-word.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from rag.errors import RagError, UnknownDocumentError
from rag.ingest.loaders import load_path

MAX_CONTEXT = 5000


class SpanError(RagError):
    """Offsets that do not lie inside the document."""

    status_code = 422
    kind = "invalid_request"


class SourcePathError(RagError):
    """A source name that would leave the corpus directory."""

    status_code = 400
    kind = "invalid_request"


@dataclass
class SourceSpan:
    source: str
    title: str
    start: int
    end: int
    text: str  # original[start:end]
    before: str  # original[context_start:start]
    after: str  # original[end:context_end]
    context_start: int
    context_end: int
    length: int  # characters in the original text
    changed: bool  # the file on disk is not the version that was indexed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def corpus_path(corpus_dir: Path, source: str) -> Path:
    """The file of ``source`` inside the corpus, or ``SourcePathError`` for anything that could
    leave it (absolute paths, ``..``, backslashes, a symlink pointing outside)."""
    pure = PurePosixPath(source)
    if not source or "\\" in source or "\x00" in source or pure.is_absolute() or ".." in pure.parts:
        raise SourcePathError(f"source: must be a path inside the corpus, got {source!r}")
    root = corpus_dir.resolve()
    path = (root / pure).resolve()
    if not path.is_relative_to(root):
        raise SourcePathError(f"source: must be a path inside the corpus, got {source!r}")
    return path


def _snap_start(text: str, lo: int, start: int) -> int:
    """Start the context after a line break in its first half, when there is one."""
    cut = text.find("\n", lo, lo + (start - lo) // 2)
    return cut + 1 if cut >= 0 else lo


def _snap_end(text: str, end: int, hi: int) -> int:
    """End the context at a line break in its second half, when there is one."""
    cut = text.rfind("\n", end + (hi - end) // 2, hi)
    return cut if cut >= 0 else hi


def read_span(
    corpus_dir: Path,
    source: str,
    start: int,
    end: int,
    context: int = 300,
    *,
    title: str = "",
    content_hash: str = "",
) -> SourceSpan:
    """``original[start:end]`` of ``source`` with up to ``context`` characters either side.

    Raises ``UnknownDocumentError`` when the file is gone, ``SpanError`` for offsets outside it.
    """
    if not 0 <= context <= MAX_CONTEXT:
        raise SpanError(f"context: must be between 0 and {MAX_CONTEXT}, got {context}")
    if start < 0:
        raise SpanError(f"start: must be 0 or more, got {start}")
    if end < start:
        raise SpanError(f"end: must not be before start ({end} < {start})")
    path = corpus_path(corpus_dir, source)
    if not path.is_file():
        raise UnknownDocumentError(f"{source}: the file is no longer in the corpus")
    doc = load_path(path, corpus_dir)
    text = doc.text
    if end > len(text):
        raise SpanError(f"end: {end} is past the end of {source} ({len(text)} characters)")
    lo, hi = max(0, start - context), min(len(text), end + context)
    lo = _snap_start(text, lo, start) if lo > 0 else 0
    hi = _snap_end(text, end, hi) if hi < len(text) else hi
    return SourceSpan(
        source=source,
        title=title or doc.title,
        start=start,
        end=end,
        text=text[start:end],
        before=text[lo:start],
        after=text[end:hi],
        context_start=lo,
        context_end=hi,
        length=len(text),
        changed=bool(content_hash) and content_hash != doc.content_hash,
    )
