"""Copying an index from one store to another (``rag migrate``) with its vectors: no re-embedding.

Keyword tokens are recomputed from each chunk (jieba is cheap; the embedder is not). Both stores
hold the same spec, whose pipeline fingerprint covers the tokenizer, so the tokens are the ones
the source was built with.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.ingest.pipeline import bm25_tokens
from rag.store.base import Store


@dataclass
class MigrationReport:
    documents: int
    chunks: int
    seconds: float

    def to_dict(self) -> dict:
        return {"documents": self.documents, "chunks": self.chunks, "seconds": round(self.seconds, 2)}


class MigrationError(RuntimeError):
    """The copy does not match its source (counts differ); the destination should not be used."""


def copy_store(
    source: Store,
    dest: Store,
    *,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> MigrationReport:
    """Copy every document of ``source`` (loaded) into ``dest``, replacing whatever ``dest`` held,
    in one ``writing()`` block: a failure leaves the destination as it was."""
    spec = source.spec
    if spec is None:
        raise ValueError("load the source store before copying it")
    started = time.perf_counter()
    records = list(source.documents())
    if on_total:
        on_total(sum(len(r.ids) for r in records))
    chunks_copied = 0
    with dest.writing(spec, rebuild=True) as writer:
        for record in records:
            ids = list(record.ids)
            found = source.get_chunks(ids)
            ids = [i for i in ids if i in found]
            chunks = [found[i] for i in ids]
            vectors = source.get_vectors(ids)
            tokens = bm25_tokens(chunks)
            writer.replace_document(
                replace(record, ids=[], metadata=dict(record.metadata)), chunks, vectors, tokens
            )
            chunks_copied += len(chunks)
            if on_progress:
                on_progress(len(chunks))
    if len(dest) != len(source) or sum(1 for _ in dest.documents()) != len(records):
        raise MigrationError(
            f"the copy holds {len(dest)} chunks in {sum(1 for _ in dest.documents())} documents; "
            f"the source {len(source)} in {len(records)}"
        )
    return MigrationReport(len(records), chunks_copied, time.perf_counter() - started)
