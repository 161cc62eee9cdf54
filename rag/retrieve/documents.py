"""A document's chunks in document order, read from the store: what a retrieved passage's neighbours say.

Retrieval returns passages one by one, but some answers live next to them: the opening chunk of a
report's section names its author once ("ITIF发布…", ``sections.SectionLeads``), and a long table
cut by the chunker holds the row asked about a few chunks on (``rag.answer.tables``). Both read the
document around a passage through this one reader, which caches documents by content hash, so a
re-ingested document is read afresh and a deleted one is gone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from rag.store.base import Store
from rag.types import Chunk


class DocumentChunks:
    """``reader(source)`` → the document's chunks in order (``chunk.ordinal`` indexes it), or None."""

    def __init__(self, store: Callable[[], Store], max_documents: int = 64) -> None:
        self._store = store
        self._docs: OrderedDict[tuple[str, str], list[Chunk]] = OrderedDict()
        self._max = max_documents
        self._lock = threading.Lock()

    def __call__(self, source: str) -> list[Chunk] | None:
        store = self._store()
        record = store.document(source)
        if record is None:
            return None
        key = (source, record.content_hash)
        with self._lock:
            if key in self._docs:
                self._docs.move_to_end(key)
                return self._docs[key]
        chunks = store.get_chunks(record.ids)
        ordered = [chunks[i] for i in record.ids if i in chunks]
        with self._lock:
            self._docs[key] = ordered
            while len(self._docs) > self._max:
                self._docs.popitem(last=False)
        return ordered

    def current(self, chunk: Chunk) -> list[Chunk] | None:
        """The chunk's document, when the index still holds the chunk where it was retrieved."""
        doc = self(chunk.source)
        if doc is None or chunk.ordinal >= len(doc) or doc[chunk.ordinal].section != chunk.section:
            return None  # the index moved on since this chunk was retrieved
        return doc
