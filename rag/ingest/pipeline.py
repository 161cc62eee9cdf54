"""The ingest pipeline over paths: load → clean → chunk → embed → index, incremental by content hash."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rag.embeddings import Embedder
from rag.errors import DocumentError
from rag.ingest.chunking import chunk_document
from rag.ingest.cleaning import clean
from rag.ingest.loaders import iter_files, load_path
from rag.store.base import DocRecord, StoreWriter
from rag.text import keyword_tokens
from rag.types import Chunk, Document


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    removed: list[str] = field(default_factory=list)  # --sync: indexed documents whose file is gone
    chunks: int = 0
    seconds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("load", "clean", "chunk", "embed", "index"), 0.0)
    )

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "removed": self.removed,
            "chunks": self.chunks,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@dataclass
class Prepared:
    doc: Document
    chunks: list[Chunk]


def embedding_text(chunk: Chunk) -> str:
    """What the embedder and BM25 see: the section path gives a short passage its context
    (named policies live in headings), while the stored text stays the verbatim chunk."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def ingest(
    paths: list[Path],
    root: Path,
    index: StoreWriter,
    embedder: Embedder,
    *,
    chunk_tokens: int,
    overlap_sentences: int,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Mutates ``index`` (the caller saves it). A bad file is skipped and reported; the rest goes on."""
    report = IngestReport()
    prepared: list[Prepared] = []
    for path in iter_files(paths):
        t0 = time.perf_counter()
        try:
            doc = load_path(path, root)
        except DocumentError as exc:
            report.skipped.append((str(path), str(exc)))
            continue
        finally:
            report.seconds["load"] += time.perf_counter() - t0
        existing = index.document(doc.source)
        if existing is not None and existing.content_hash == doc.content_hash:
            report.unchanged.append(doc.source)
            continue
        t0 = time.perf_counter()
        cleaned = clean(doc)
        report.seconds["clean"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        chunks = chunk_document(doc, cleaned, chunk_tokens, overlap_sentences)
        report.seconds["chunk"] += time.perf_counter() - t0
        if not chunks:
            report.skipped.append((str(path), f"{doc.source}: no text left after cleaning"))
            continue
        doc.title = cleaned.title or doc.title  # the cleaner knows better titles (running headers, covers)
        prepared.append(Prepared(doc, chunks))
        (report.updated if existing is not None else report.added).append(doc.source)

    total = sum(len(p.chunks) for p in prepared)
    if on_total:
        on_total(total)
    for p in prepared:
        texts = [embedding_text(c) for c in p.chunks]
        t0 = time.perf_counter()
        vectors = embedder.embed_documents(texts, progress=on_progress)
        report.seconds["embed"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        tokens = [keyword_tokens(t) for t in texts]
        record = DocRecord(
            source=p.doc.source,
            doc_id=p.doc.doc_id,
            title=p.doc.title,
            content_hash=p.doc.content_hash,
            ids=[],
            metadata=_jsonable(p.doc.metadata),
        )
        index.replace_document(record, p.chunks, vectors, tokens)
        report.seconds["index"] += time.perf_counter() - t0
        report.chunks += len(p.chunks)
    return report


def _jsonable(meta: dict) -> dict:
    """Front-matter values can be dates; the manifest is JSON."""
    out = {}
    for k, v in meta.items():
        out[str(k)] = v if isinstance(v, str | int | float | bool | type(None) | list) else str(v)
    return out
