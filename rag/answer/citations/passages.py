"""Passage sentences (PDF-wrapped lines joined back) and their per-chunk analysis, cached so a
chunk is split and embedded once per process."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from rag.answer.citations.figures import Figure, figures
from rag.answer.citations.lexical import units
from rag.embeddings import Embedder
from rag.text import sentence_spans
from rag.types import Chunk

# --- passages: sentences, units, vectors (cached per chunk) -------------------------------

_TERMINAL = "。！？；!?;…．"
_CLOSERS = "”’\"'」』）)]】"
_WRAP_MIN = 18  # a line at least this long without an end mark is a wrapped line, not a heading
_MAX_SENTENCE = 400


def passage_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a chunk, with PDF-style wrapped lines joined back into sentences.

    ``sentence_spans`` ends a sentence at every line break (right for headings and table rows),
    but extracted PDFs wrap mid-sentence. A line is joined to the next when it has no end mark
    and is long enough to be a wrapped line rather than a heading."""
    out: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        if out:
            ps, pe = out[-1]
            gap = text[pe:s]
            prev = text[ps:pe].rstrip(_CLOSERS)
            last_line = text[text.rfind("\n", 0, pe) + 1 : pe]  # the physical line, not the piece
            if (
                gap.count("\n") <= 1
                and prev
                and prev[-1] not in _TERMINAL
                and len(last_line.strip()) >= _WRAP_MIN
                and e - ps <= _MAX_SENTENCE
            ):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return [(s, e) for s, e in out if re.search(r"[\w\u3400-\u9fff]", text[s:e])]


def display_quote(quote: str) -> str:
    """A quote as shown in an answer: wrapped lines re-joined (no newline between Chinese
    characters), other whitespace runs collapsed. Characters are otherwise untouched."""
    q = re.sub(r"(?<=[^\x00-\x7f])\s*\n\s*(?=[^\x00-\x7f])", "", quote.strip())
    return re.sub(r"\s+", " ", q)


@dataclass
class PassageInfo:
    chunk: Chunk
    spans: list[tuple[int, int]]
    sentence_units: list[set[str]]
    all_units: set[str]  # title + section + text
    figures: list[Figure]  # title + section + text
    vectors: np.ndarray | None = None  # one row per span, filled on demand

    def sentence(self, i: int) -> str:
        s, e = self.spans[i]
        return self.chunk.text[s:e]


class PassageCache:
    """Per-chunk sentence analysis, shared by the extractive generator and the verifier, so a
    chunk's sentences are split and embedded once per process (embedding is the slow part).
    Thread-safe: the HTTP API answers concurrent questions with one chain."""

    def __init__(self, max_items: int = 4096) -> None:
        self._items: OrderedDict[tuple[str, int], PassageInfo] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def get(self, chunk: Chunk) -> PassageInfo:
        key = (chunk.chunk_id, hash(chunk.text))  # a re-ingested chunk with new text is a new entry
        with self._lock:
            info = self._items.get(key)
            if info is not None:
                self._items.move_to_end(key)
                return info
        spans = passage_sentence_spans(chunk.text)
        whole = f"{chunk.title}\n{chunk.section}\n{chunk.text}"
        info = PassageInfo(
            chunk=chunk,
            spans=spans,
            sentence_units=[units(chunk.text[s:e]) for s, e in spans],
            all_units=units(whole),
            figures=figures(whole),
        )
        with self._lock:
            info = self._items.setdefault(key, info)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return info

    def vectors(self, info: PassageInfo, embedder: Embedder) -> np.ndarray:
        if info.vectors is None:  # two threads may both compute it: harmless, same result
            texts = [display_quote(info.sentence(i)) for i in range(len(info.spans))]
            info.vectors = (
                embedder.embed_documents(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
            )
        return info.vectors
