"""The plain data that flows between the steps. Offsets are character offsets into the decoded original file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Document:
    """A loaded file: its original text (decoded, unchanged) plus metadata."""

    doc_id: str  # stable: sha1 of the source path
    source: str  # path relative to the corpus root (seeds: the bare file name)
    text: str  # the original text; every offset points into this string
    title: str = ""
    content_hash: str = ""  # sha256 of the raw bytes: re-ingesting the same bytes does nothing
    metadata: dict[str, Any] = field(default_factory=dict)
    # Spans of the original text that are metadata, not content (e.g. YAML front matter).
    skip_spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Chunk:
    chunk_id: str  # "<source>#<ordinal>"
    doc_id: str
    source: str
    title: str
    section: str  # nearest heading path, " > "-joined
    text: str  # cleaned text (original script kept)
    start: int  # [start, end) in the original file
    end: int
    tokens: int
    ordinal: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the per-side ranks that produced it."""

    chunk: Chunk
    score: float
    rank: int = 0
    dense_score: float | None = None
    keyword_score: float | None = None
    dense_rank: int | None = None
    keyword_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``rag search --json`` hit shape (a contract: add fields, never rename or drop)."""
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "chunk_id": c.chunk_id,
            "source": c.source,
            "title": c.title,
            "section": c.section,
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "dense_score": None if self.dense_score is None else round(float(self.dense_score), 6),
            "keyword_score": None if self.keyword_score is None else round(float(self.keyword_score), 6),
        }


@dataclass
class Citation:
    n: int
    chunk_id: str
    source: str
    title: str
    section: str
    quote: str  # verbatim from the chunk text
    start: int  # [start, end) of the quote in the original file
    end: int
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Sentence:
    text: str
    citations: list[int]
    supported: bool
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "score": round(float(self.score), 4),
            "reasons": list(self.reasons),
        }


@dataclass
class Answer:
    question: str
    language: str  # "zh" | "en"
    answer: str
    refused: bool
    generator: str
    citations: list[Citation] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    passages: list[Hit] = field(default_factory=list)  # what the generator saw, numbered from 1
    # A refusal names what the documents lack and offers the closest passages separately, so
    # `citations` never pretends that a refused answer is supported.
    refusal_reason: str | None = None
    suggestions: list[Citation] = field(default_factory=list)
    # A multi-part question: one entry per part, {"question", "answered", "citations", "missing"}.
    parts: list[dict[str, Any]] = field(default_factory=list)
    # The question as retrieved and answered: a follow-up rewritten into a standalone question
    # (carrying the previous turn's topic), else the question itself.
    standalone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``rag ask --json`` shape (a contract: add fields, never rename or drop)."""
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "refused": self.refused,
            "generator": self.generator,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [s.to_dict() for s in self.sentences],
            "warnings": list(self.warnings),
            "timings_ms": {k: round(float(v), 2) for k, v in self.timings_ms.items()},
            "refusal_reason": self.refusal_reason,
            "suggestions": [c.to_dict() for c in self.suggestions],
            "parts": [dict(p) for p in self.parts],
            "standalone": self.standalone if self.standalone is not None else self.question,
        }
