"""Passage sentences (PDF-wrapped lines joined back) and their per-chunk analysis, cached so a
chunk is split and embedded once per process."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from rag.answer.citations.figures import Figure, figures
from rag.answer.citations.lexical import units
from rag.embeddings import Embedder
from rag.text import is_header_row, is_table_row, sentence_spans
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


_GROUP_MAX = 16  # a group label between table rows is a short line ("1. 研發", "（二）产业")


class Structure(NamedTuple):
    """A chunk's sentences with what each item of a list or table is read under."""

    spans: list[tuple[int, int]]
    leads: list[tuple[tuple[int, int], ...]]  # lead-in lines of an item (caption, header row, group label)
    runs: list[int | None]  # the run of items (list, table) it is in: the run's first line; None for prose
    headers: list[bool]  # a table's header row: part of every row's lead-in, never quoted alone


def passage_structure(text: str) -> Structure:
    """Sentence spans of a chunk and, for each, the spans of its lead-in lines and the run of items
    it belongs to.

    ``sentence_spans`` ends a sentence at every line break (right for headings and table rows),
    but extracted PDFs wrap mid-sentence: a line is joined to the next when it has no end mark and
    is long enough to be a wrapped line rather than a heading (a heading so joined stays with its
    first sentence). Lists and tables are not prose: in a run of lines without end marks the first
    is the lead-in (a heading, "主要包括：") and the others are items, and a table row (cells
    ``a | b``) is an item too. An item is its own sentence, so a quote of one item is not a run-on
    of the whole list; its lead-in line (the run's first line, or the line above a table) is
    returned beside it as the context that says what the item is about. A table row's lead-in is
    the caption above the table, its header row (labels, year columns) and the group label above
    the row (``1. 研發``)."""
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
        return 0 <= i < len(lines) and is_table_row(text[lines[i][0] : lines[i][1]])

    def header(i: int) -> bool:
        return is_header_row(line_text(i))

    def group_label(i: int) -> bool:
        """A short open line between rows that labels the rows after it (``1. 研發``)."""
        t = line_text(i)
        return 0 < i < len(lines) - 1 and row(i + 1) and is_open(i) and len(t) <= _GROUP_MAX

    def lead_of(i: int) -> tuple[tuple[int, ...], int | None, bool]:
        """(lead-in lines, first line of the run, is a header row) of line ``i`` when it is an item
        standing alone."""
        if row(i):
            # A table runs over its rows and the group labels between them. Its lead-in is the line
            # above it (the caption), its header row and the group label above the row: the header
            # says what each column is (a year), so it heads every row and is never an item itself.
            k = i
            while k > 0 and (row(k - 1) or (k > 1 and group_label(k - 1) and row(k - 2))):
                k -= 1
            caption = (k - 1,) if k > 0 and line_text(k - 1) else ()
            head = k if header(k) else None
            if i == head:
                return caption, k, True
            g = i - 1
            while g > k and row(g):
                g -= 1
            label = (g,) if g > k and group_label(g) else ()
            return (*caption, *(() if head is None else (head,)), *label), k, False
        if i < 1:
            return (), None, False
        in_run = (
            is_open(i)
            and is_open(i - 1)
            and ((i >= 2 and is_open(i - 2)) or (i + 1 < len(lines) and is_open(i + 1)))
        )
        if not in_run or _LEAD_IN.search(line_text(i)):  # a labelled line leads, it is no item
            return (), None, False
        # The nearest labelled line of the run ("B. 創科形勢…", "主要包括："), else its first line
        # unless that opens the chunk (the list began in the chunk before, under a lead-in not here).
        k = i - 1
        while k > 0 and is_open(k - 1) and not row(k - 1) and not _LEAD_IN.search(line_text(k)):
            k -= 1
        return (() if k == 0 and not _LEAD_IN.search(line_text(0)) else (k,)), k, False

    out: list[tuple[int, int]] = []
    leads: list[tuple[tuple[int, int], ...]] = []
    runs: list[int | None] = []
    headers: list[bool] = []
    for s, e in sentence_spans(text):
        i = line_of(s)
        lead, run, is_header = lead_of(i) if not text[lines[i][0] : s].strip() else ((), None, False)
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
        leads.append(tuple(lines[k] for k in lead))
        runs.append(run)
        headers.append(is_header)
    keep = [k for k, (s, e) in enumerate(out) if re.search(r"[\w\u3400-\u9fff]", text[s:e])]
    return Structure(
        [out[k] for k in keep], [leads[k] for k in keep], [runs[k] for k in keep], [headers[k] for k in keep]
    )


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
    leads: list[tuple[tuple[int, int], ...]] = field(default_factory=list)  # an item's lead-in lines
    runs: list[int | None] = field(default_factory=list)  # which run of items (list, table) it is in
    headers: list[bool] = field(default_factory=list)  # a table's header row (never quoted alone)

    def sentence(self, i: int) -> str:
        s, e = self.spans[i]
        return self.chunk.text[s:e]

    def lead(self, i: int) -> str:
        """The lead-in line of sentence ``i`` when it is a list item or table row, else ""."""
        spans = self.leads[i] if i < len(self.leads) else ()
        return "\n".join(self.chunk.text[a:b] for a, b in spans)

    def run(self, i: int) -> int | None:
        """The run of items (a list, a table) sentence ``i`` is an item of, else ``None``."""
        return self.runs[i] if i < len(self.runs) else None

    def is_header(self, i: int) -> bool:
        """Sentence ``i`` is a table's header row: it heads the rows, it answers nothing alone."""
        return i < len(self.headers) and self.headers[i]

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
        spans, leads, runs, headers = passage_structure(chunk.text)
        whole = f"{chunk.title}\n{chunk.section}\n{chunk.text}"
        info = PassageInfo(
            chunk=chunk,
            spans=spans,
            sentence_units=[units(chunk.text[s:e]) for s, e in spans],
            all_units=units(whole),
            figures=figures(whole),
            leads=leads,
            runs=runs,
            headers=headers,
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
