"""The ``Store`` protocol: what the ingest pipeline, the retriever and the assistant need from an index.

Two kinds of store implement it: the local FAISS + BM25 store (rag.store.faiss) and a Milvus
store. Everything above the store talks to this protocol, never to FAISS or BM25 internals.

Ids: every chunk gets an ``int`` id when it is written, unique for the life of the index (ids of
removed chunks are never reused), so a hit can be resolved to its chunk by id at any time.

Lifecycle: ``load`` reads the newest committed generation. Readers see one generation at a time
and pick up a newer one with ``refresh()`` (cheap when nothing changed). Every mutation happens
inside ``with store.writing() as writer:`` (a ``StoreWriter``), which takes the inter-process write lock, moves to the newest
generation on disk (never a stale copy in memory), and on a clean exit commits everything as
one new generation; on an exception nothing is committed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rag.types import Chunk


@dataclass(frozen=True)
class IndexSpec:
    """What an index was built with; loading under another spec is refused."""

    embedder: str
    dim: int
    chunk_tokens: int
    chunk_overlap_sentences: int
    pipeline_version: str  # bump when cleaning/chunking changes what chunks look like

    def describe(self) -> str:
        return (
            f"embedder {self.embedder} (dim {self.dim}), chunk_tokens {self.chunk_tokens}, "
            f"overlap {self.chunk_overlap_sentences}, pipeline {self.pipeline_version}"
        )


@dataclass
class DocRecord:
    """One indexed document. ``ids`` are its chunks' store ids, in chunk order."""

    source: str
    doc_id: str
    title: str
    content_hash: str
    ids: list[int]
    metadata: dict[str, Any] = field(default_factory=dict)
    ingested_at: float = 0.0


@dataclass
class StoreStats:
    chunks: int  # live chunks
    documents: int
    spec: IndexSpec
    store: str  # "faiss", "milvus", ...
    keyword_engine: str  # "bm25", "milvus-bm25", ...
    generation: int
    extra: dict[str, Any] = field(default_factory=dict)  # segments, tombstones, ANN kind, ...

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


@dataclass
class Vocabulary:
    """The keyword side's vocabulary, for cross-lingual query expansion."""

    terms: Collection[str]
    doc_freq: Mapping[str, int]
    n_docs: int


@runtime_checkable
class StoreWriter(Protocol):
    """What ``Store.writing()`` yields: the mutations, plus reads that see this write's own changes."""

    def replace_document(
        self,
        record: DocRecord,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        keyword_tokens: Sequence[Sequence[str]],
    ) -> list[int]:
        """Insert a document's chunks (dropping an older version of the same source); their new ids."""
        ...

    def remove_document(self, source: str) -> int:
        """Drop a document; the number of chunks removed. UnknownDocumentError when absent."""
        ...

    def document(self, source: str) -> DocRecord | None: ...


@runtime_checkable
class Store(Protocol):
    spec: IndexSpec | None  # None until opened or first written

    # --- lifecycle ---------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """The committed generation this store object currently serves."""
        ...

    def load(self, expect: IndexSpec | None = None) -> None:
        """Open the newest committed generation; IndexMissingError / IndexMismatchError (vs ``expect``)."""
        ...

    def refresh(self) -> bool:
        """Serve the newest committed generation; True when it changed. Cheap when it did not."""
        ...

    def writing(
        self, spec: IndexSpec | None = None, *, rebuild: bool = False
    ) -> AbstractContextManager[StoreWriter]:
        """Lock for writing (inter-process), move to the newest generation, commit on a clean exit.
        ``spec`` creates the index when none exists (a different spec is refused unless ``rebuild``,
        which starts from empty)."""
        ...

    def compact(self) -> dict[str, Any]:
        """Merge storage and drop removed chunks; a small report."""
        ...

    def close(self) -> None: ...

    # --- reading -----------------------------------------------------------------------
    def __len__(self) -> int:
        """Live chunks."""
        ...

    def dense_search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(id, inner product) best first."""
        ...

    def keyword_search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """(id, BM25 score > 0) best first, for already tokenised (jieba, t2s-folded) query terms."""
        ...

    def get_chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        """The chunks for these ids (ids no longer present are left out)."""
        ...

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        """Their stored vectors, one row per id, in order."""
        ...

    def document(self, source: str) -> DocRecord | None: ...

    def documents(self) -> Iterator[DocRecord]:
        """Every document, sorted by source."""
        ...

    def vocabulary(self) -> Vocabulary: ...

    def stats(self) -> StoreStats: ...
