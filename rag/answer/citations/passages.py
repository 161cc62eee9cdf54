"""Passage sentences (PDF-wrapped lines joined back) and their per-chunk analysis, cached so a
chunk is split and embedded once per process."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

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


# A line that introduces what follows: a label (A. / 一、 / （一） / 1.) or a colon at its end.
_LEAD_IN = re.compile(
    r"^(?:[A-Z][.．、]|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[.、．](?!\d))|[：:]$"
)


def _is_row(line: str) -> bool:
    """A table row as the cleaner writes it (cells joined by `` | ``)."""
    return " | " in line


def passage_structure(
    text: str,
) -> tuple[list[tuple[int, int]], list[tuple[int, int] | None], list[int | None]]:
    """Sentence spans of a chunk and, for each, the span of its lead-in line (or ``None``) and the
    run of items it belongs to (the run's first line; ``None`` for prose).

    ``sentence_spans`` ends a sentence at every line break (right for headings and table rows),
    but extracted PDFs wrap mid-sentence: a line is joined to the next when it has no end mark and
    is long enough to be a wrapped line rather than a heading (a heading so joined stays with its
    first sentence). Lists and tables are not prose: in a run of lines without end marks the first
    is the lead-in (a heading, "主要包括：") and the others are items, and a table row (cells
    ``a | b``) is an item too. An item is its own sentence, so a quote of one item is not a run-on
    of the whole list; its lead-in line (the run's first line, or the line above a table) is
    returned beside it as the context that says what the item is about."""
    lines: list[tuple[int, int]] = []  # physical lines, [start, end)
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1

    def line_of(at: int) -> int:
        return text.count("\n", 0, at)

    def is_open(i: int) -> bool:
        line = text[lines[i][0] : lines[i][1]].strip().rstrip(_CLOSERS)
        return bool(line) and line[-1] not in _TERMINAL

    def line_text(i: int) -> str:
        return text[lines[i][0] : lines[i][1]].strip()

    def row(i: int) -> bool:
        return 0 <= i < len(lines) and _is_row(text[lines[i][0] : lines[i][1]])

    def header(i: int) -> bool:
        """A table's header row: short labels, no figures (``序号 | 建 议``)."""
        cells = [c.strip() for c in line_text(i).split(" | ")]
        return all(len(c) <= 8 and not re.search(r"\d", c) for c in cells)

    def lead_of(i: int) -> tuple[int | None, int | None]:
        """(lead-in line, first line of the run) of line ``i`` when it is an item standing alone."""
        if row(i):  # a row stands alone; its lead-in is the line above the table and its header row
            k = i
            while k > 0 and row(k - 1):
                k -= 1
            if k == i and header(i):
                return None, None
            return (k - 1 if k > 0 else k if header(k) else None), k
        if i < 1:
            return None, None
        in_run = (
            is_open(i)
            and is_open(i - 1)
            and ((i >= 2 and is_open(i - 2)) or (i + 1 < len(lines) and is_open(i + 1)))
        )
        if not in_run or _LEAD_IN.search(line_text(i)):  # a labelled line leads, it is no item
            return None, None
        # The nearest labelled line of the run ("B. 創科形勢…", "主要包括："), else its first line
        # unless that opens the chunk (the list began in the chunk before, under a lead-in not here).
        k = i - 1
        while k > 0 and is_open(k - 1) and not row(k - 1) and not _LEAD_IN.search(line_text(k)):
            k -= 1
        return (None if k == 0 and not _LEAD_IN.search(line_text(0)) else k), k

    out: list[tuple[int, int]] = []
    leads: list[tuple[int, int] | None] = []
    runs: list[int | None] = []
    for s, e in sentence_spans(text):
        i = line_of(s)
        lead, run = lead_of(i) if not text[lines[i][0] : s].strip() else (None, None)
        if out and run is None and not row(line_of(out[-1][1] - 1)):  # a table row is whole
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
        if lead is not None and run is not None and row(run) and header(run) and run != i:
            leads.append((lines[lead][0], lines[run][1]))  # the caption above a table and its header
        else:
            leads.append(lines[lead] if lead is not None else None)
        runs.append(run)
    keep = [k for k, (s, e) in enumerate(out) if re.search(r"[\w\u3400-\u9fff]", text[s:e])]
    return [out[k] for k in keep], [leads[k] for k in keep], [runs[k] for k in keep]


def passage_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a chunk (``passage_structure`` without the lead-ins)."""
    return passage_structure(text)[0]


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
    leads: list[tuple[int, int] | None] = field(default_factory=list)  # a list item's lead-in line
    runs: list[int | None] = field(default_factory=list)  # which run of items (list, table) it is in

    def sentence(self, i: int) -> str:
        s, e = self.spans[i]
        return self.chunk.text[s:e]

    def lead(self, i: int) -> str:
        """The lead-in line of sentence ``i`` when it is a list item or table row, else ""."""
        span = self.leads[i] if i < len(self.leads) else None
        return self.chunk.text[span[0] : span[1]] if span else ""

    def run(self, i: int) -> int | None:
        """The run of items (a list, a table) sentence ``i`` is an item of, else ``None``."""
        return self.runs[i] if i < len(self.runs) else None

    def scored_text(self, i: int) -> str:
        """What sentence ``i`` is scored as: with its lead-in before it when it is an item."""
        lead = self.lead(i)
        return f"{lead}\n{self.sentence(i)}" if lead else self.sentence(i)


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
        spans, leads, runs = passage_structure(chunk.text)
        whole = f"{chunk.title}\n{chunk.section}\n{chunk.text}"
        info = PassageInfo(
            chunk=chunk,
            spans=spans,
            sentence_units=[units(chunk.text[s:e]) for s, e in spans],
            all_units=units(whole),
            figures=figures(whole),
            leads=leads,
            runs=runs,
        )
        with self._lock:
            info = self._items.setdefault(key, info)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return info

    def vectors(self, info: PassageInfo, embedder: Embedder) -> np.ndarray:
        if info.vectors is None:  # two threads may both compute it: harmless, same result
            texts = [display_quote(info.scored_text(i)) for i in range(len(info.spans))]
            info.vectors = (
                embedder.embed_documents(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
            )
        return info.vectors
