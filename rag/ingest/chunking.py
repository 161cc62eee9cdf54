"""Sentences → token-budgeted chunks with heading path and offsets into the original.

Chinese-aware: sentences end at 。！？；… as well as English ends, and chunks never cut inside
a sentence unless that one sentence alone exceeds the budget. Tokens are counted with tiktoken
cl100k_base, the same count an LLM context budget uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.ingest.cleaning import Block, CleanedDocument
from rag.ingest.offsets import MappedText
from rag.text import count_tokens, is_header_row, sentence_spans
from rag.types import Chunk, Document


@dataclass
class _Unit:
    """One sentence (or a whole table, or a heading line) ready to be packed."""

    text: MappedText
    tokens: int
    block: int  # index of the block it came from: units of one block join without a newline...
    section: str
    is_heading: bool = False
    # ...unless the unit begins a line of its block: a list item or table row the cleaner kept on its
    # own line (hard-wrapped prose was already re-joined by the cleaner, so its lines never get here).
    line_start: bool = False


def _hard_split(mt: MappedText, budget: int) -> list[MappedText]:
    """Cut an over-long sentence into budget-sized pieces (the only place we cut mid-sentence)."""
    pieces: list[MappedText] = []
    start = 0
    n = len(mt.text)
    while start < n:
        lo, hi = start + 1, n
        # Largest end whose piece fits: binary search on characters.
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count_tokens(mt.text[start:mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(mt.slice(start, lo))
        start = lo
    return pieces


def _units(cleaned: CleanedDocument, budget: int) -> list[_Unit]:
    units: list[_Unit] = []
    path: list[tuple[int, str]] = []  # (level, heading text)
    for bi, block in enumerate(cleaned.blocks):
        section = " > ".join(t for _, t in path)
        if block.kind == "heading" and count_tokens(block.text.text) <= budget // 2:
            level = max(block.level, 1)
            path = [(lv, t) for lv, t in path if lv < level] + [(level, block.text.text.strip())]
            section = " > ".join(t for _, t in path)
            units.append(_Unit(block.text, count_tokens(block.text.text), bi, section, is_heading=True))
            continue
        if block.kind == "table":
            tokens = count_tokens(block.text.text)
            if tokens <= budget:
                units.append(_Unit(block.text, tokens, bi, section))
                continue
            spans = [(m0, m1) for m0, m1 in _line_spans(block.text.text)]
        else:
            spans = sentence_spans(block.text.text)
        text = block.text.text
        head = text[spans[0][0] : spans[0][1]].strip() if block.kind == "table" and spans else ""
        # A table cut across chunks: its header row (year columns) heads the rows of the later chunks
        # as their section does, so "the 2032 target" is still read off a row the header is not beside.
        under = f"{section} > {head}" if head and is_header_row(head) else section
        for k, (s, e) in enumerate(spans):
            piece = block.text.slice(s, e)
            tokens = count_tokens(piece.text)
            line_start = _begins_line(text, s)
            row_section = under if k else section
            if tokens <= budget:
                units.append(_Unit(piece, tokens, bi, row_section, line_start=line_start))
            else:
                parts = _hard_split(piece, budget)
                units.extend(
                    _Unit(p, count_tokens(p.text), bi, row_section, line_start=line_start and k == 0)
                    for k, p in enumerate(parts)
                )
    return units


def _begins_line(text: str, at: int) -> bool:
    """``text[at:]`` starts a line of the block other than its first (only blanks before it on its line)."""
    nl = text.rfind("\n", 0, at)
    return nl >= 0 and not text[nl + 1 : at].strip()


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _join(units: list[_Unit], lines: bool = True) -> MappedText:
    """Join units: a newline between blocks and before a unit that begins a line of its block (list
    items, table rows), the cleaned text's own spacing between the sentences of one line.

    ``lines=False`` joins a line start like any unit of its block: the packer measures that text, so a
    kept line break costs no budget and chunks end where they would without it (only the text changes)."""
    text_parts: list[str] = []
    origin: list[int] = []
    prev: _Unit | None = None
    for u in units:
        if prev is not None:
            if u.block != prev.block or u.is_heading or prev.is_heading or (lines and u.line_start):
                sep = "\n"
            else:
                a, b = prev.text.text[-1:], u.text.text[:1]
                sep = " " if (a.isascii() and a.isalnum()) or (b.isascii() and b.isalnum()) else ""
            if sep:
                text_parts.append(sep)
                origin.append(prev.text.origin[-1] + 1 if prev.text.origin else 0)
        text_parts.append(u.text.text)
        origin.extend(u.text.origin)
        prev = u
    return MappedText("".join(text_parts), tuple(origin))


def chunk_document(
    doc: Document, cleaned: CleanedDocument, chunk_tokens: int = 350, overlap_sentences: int = 1
) -> list[Chunk]:
    """The chunks of ``packed_chunks`` (see there)."""
    return [c for c, _ in packed_chunks(doc, cleaned, chunk_tokens, overlap_sentences)]


def packed_chunks(
    doc: Document, cleaned: CleanedDocument, chunk_tokens: int = 350, overlap_sentences: int = 1
) -> list[tuple[Chunk, str]]:
    """Pack sentence units into chunks of at most ``chunk_tokens``, repeating the last
    ``overlap_sentences`` sentences at the start of the next chunk so a fact split across a
    boundary is still found whole. A heading starts a new chunk once the current one is a third full,
    so sections stay apart without producing crumbs.

    Each chunk comes with its packed text: the same units with list items and table rows joined as
    prose units of their block are, the text the budget measured. The embedder reads it, so keeping a
    list's line breaks in the stored text changes what a user reads, not what retrieval finds."""
    units = _units(cleaned, chunk_tokens)
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    tokens = 0
    for u in units:
        starts_section = u.is_heading and tokens >= chunk_tokens // 3
        # Joined text has about the tokens of its parts plus one per separator (BPE merges across a seam
        # mostly shorten it): the exact count, which costs as much as encoding the chunk, runs only
        # near the budget.
        estimate = tokens + u.tokens + len(current)
        too_big = (
            estimate > chunk_tokens * 0.95 and count_tokens(_join([*current, u], False).text) > chunk_tokens
        )
        if current and (too_big or starts_section):
            groups.append(current)
            carry: list[_Unit] = []
            if overlap_sentences and not u.is_heading:
                body = [x for x in current if not x.is_heading]
                carry = body[-overlap_sentences:] if body else []
                while carry and count_tokens(_join([*carry, u], False).text) > chunk_tokens:
                    carry = carry[1:]
            current, tokens = list(carry), sum(x.tokens for x in carry)
        current.append(u)
        tokens += u.tokens
    if current and any(not x.is_heading for x in current):
        groups.append(current)

    chunks: list[tuple[Chunk, str]] = []
    seen: set[str] = set()
    for units_ in groups:
        mt = _join(units_)
        text = mt.text.strip()
        key = "".join(text.split())
        if not text or key in seen:  # drop exact repeats (cover summaries, duplicated paragraphs)
            continue
        seen.add(key)
        body = next((x for x in units_ if not x.is_heading), units_[0])
        start = min(mt.origin)
        end = max(mt.origin) + 1
        ordinal = len(chunks)
        chunks.append(
            (
                Chunk(
                    chunk_id=f"{doc.source}#{ordinal}",
                    doc_id=doc.doc_id,
                    source=doc.source,
                    title=cleaned.title,
                    section=body.section,
                    text=text,
                    start=start,
                    end=end,
                    tokens=count_tokens(text),
                    ordinal=ordinal,
                ),
                _join(units_, False).text.strip(),
            )
        )
    return chunks


__all__ = ["Block", "chunk_document", "packed_chunks"]
