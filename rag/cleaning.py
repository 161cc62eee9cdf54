"""PLACEHOLDER (being replaced): turns a Document into clean blocks with offsets into the original."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.offsets import MappedText
from rag.types import Document


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "table"
    text: MappedText
    level: int = 0  # heading depth (1 = top); 0 for paragraphs and tables


@dataclass
class CleanedDocument:
    title: str
    blocks: list[Block] = field(default_factory=list)


def clean(doc: Document) -> CleanedDocument:
    mt = MappedText.of(doc.text).delete_spans(doc.skip_spans)
    blocks = []
    for m in re.finditer(r"[^\n]+", mt.text):
        piece = mt.slice(*m.span())
        if piece.text.strip():
            kind = "heading" if piece.text.startswith("#") else "paragraph"
            blocks.append(Block(kind, piece, 1 if kind == "heading" else 0))
    return CleanedDocument(doc.title or doc.source, blocks)
