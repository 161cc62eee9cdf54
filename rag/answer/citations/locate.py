"""Verbatim quotes located in the original file (offsets into the decoded source), insensitive to
whitespace and the cleaner's character normalisations."""

from __future__ import annotations

import threading
import unicodedata
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.types import Chunk

# --- quotes in the original file ---------------------------------------------------------

_QUOTE_FOLD = dict.fromkeys(map(ord, "\"'“”‘’„‟‚‛«»′″「」『』"), '"')
_DASH_FOLD = dict.fromkeys(map(ord, "‐‑‒–—―－﹣"), "-")


def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(_QUOTE_FOLD).translate(_DASH_FOLD)


@dataclass
class _FoldedView:
    """A folded, whitespace-free view of a text with each character's original offset."""

    text: str
    origin: list[int]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]]) -> _FoldedView:
        chars: list[str] = []
        origin: list[int] = []
        for ch, o in pairs:
            if ch.isspace() or ch == "|":  # the cleaner writes table cells as " | " over tabs
                continue
            for f in _fold_char(ch):
                if not f.isspace():
                    chars.append(f)
                    origin.append(o)
        return cls("".join(chars), origin)

    def find(self, needle: str, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` in the original of the first match whose characters lie in [start, end)."""
        lo, hi = bisect_left(self.origin, start), bisect_left(self.origin, end)
        if all(self.origin[x] <= self.origin[x + 1] for x in range(lo, max(lo, hi - 1))):
            i = self.text.find(needle, lo, hi)
        else:  # a reordering cleaner: filter the window instead of slicing it
            keep = [x for x in range(len(self.origin)) if start <= self.origin[x] < end]
            sub = _FoldedView("".join(self.text[x] for x in keep), [self.origin[x] for x in keep])
            return sub.find(needle, start, end) if len(keep) < len(self.origin) else None
        if i < 0:
            return None
        return self.origin[i], self.origin[i + len(needle) - 1] + 1


class OriginalLocator:
    """Maps a quote (verbatim from a chunk) to ``[start, end)`` in the original file.

    Chunks keep only their overall span, so the quote is searched in the original document text
    (re-loaded from ``corpus_dir / chunk.source``) within the chunk's span, ignoring whitespace and
    the cleaner's character normalisations. When the cleaner deleted something inside the quote
    (page furniture, markup), the cleaned document's own offset map finds it instead, and the span
    then covers the deleted bits too; failing both, the chunk's span is returned. Folded views are
    cached per document, so a lookup is a substring search."""

    def __init__(self, corpus_dir: Path, max_docs: int = 16) -> None:
        self.corpus_dir = Path(corpus_dir)
        self._docs: OrderedDict[str, tuple[Any, _FoldedView | None, list]] = OrderedDict()
        self._max = max_docs
        self._lock = threading.Lock()

    def _views(self, source: str) -> tuple[Any, _FoldedView | None, list]:
        """(document, raw view, [cleaned view]) — the cleaned view is built on first need."""
        with self._lock:
            if source in self._docs:
                self._docs.move_to_end(source)
                return self._docs[source]
        doc = None
        path = self.corpus_dir / source
        if path.is_file():
            try:
                from rag.ingest.loaders import load_path

                doc = load_path(path, self.corpus_dir)
            except Exception:  # noqa: BLE001 - a missing or changed file only loses precision
                doc = None
        raw = _FoldedView.of(zip(doc.text, range(len(doc.text)), strict=True)) if doc is not None else None
        with self._lock:
            views = self._docs.setdefault(source, (doc, raw, []))
            while len(self._docs) > self._max:
                self._docs.popitem(last=False)
        return views

    def locate(self, chunk: Chunk, quote: str) -> tuple[int, int]:
        needle = _FoldedView.of(zip(quote, range(len(quote)), strict=True)).text
        doc, raw, cleaned = self._views(chunk.source)
        if raw is None or not needle:
            return chunk.start, chunk.end
        span = raw.find(needle, chunk.start, chunk.end)
        if span is None:
            if not cleaned:
                cleaned.append(self._cleaned_view(doc))
            if cleaned[0] is not None:
                span = cleaned[0].find(needle, chunk.start, chunk.end)
        return span or (chunk.start, chunk.end)

    @staticmethod
    def _cleaned_view(doc: Any) -> _FoldedView | None:
        try:
            from rag.ingest.cleaning import clean

            blocks = clean(doc).blocks
        except Exception:  # noqa: BLE001 - the cleaner is an optimisation here, not a requirement
            return None
        return _FoldedView.of(
            (ch, o) for b in blocks for ch, o in zip(b.text.text, b.text.origin, strict=False)
        )
