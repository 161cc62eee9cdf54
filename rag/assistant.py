"""The one façade the CLI, the HTTP API and the evaluation harness call.

Built once per process from ``Settings``: it owns the embedder, the index, the retriever and
the answer chain, so nothing heavy is loaded per request. Ingest is copy-on-write: it builds
and saves a new index, then swaps it in, so concurrent searches never see a half-built one
and a failed ingest leaves the index as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from rag.answer.chain import AnswerChain
from rag.config import Settings
from rag.embeddings import Embedder, get_embedder
from rag.errors import IndexMismatchError, IndexMissingError, InvalidQuestion
from rag.ingest.pipeline import IngestReport, ingest
from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import load_glossary
from rag.retrieve.hybrid import FusionParams, HybridRetriever
from rag.store.faiss import Index, IndexSpec
from rag.types import Answer, Hit


def _pipeline_version() -> str:
    """A fingerprint of the code that decides what chunks look like: an index built by other
    cleaning or chunking code is refused (or rebuilt) instead of silently mixing two versions."""
    import hashlib

    from rag import text
    from rag.ingest import chunking, cleaning, loaders, pipeline

    h = hashlib.sha1()
    for mod in (cleaning, chunking, text, loaders, pipeline):
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()[:12]


PIPELINE_VERSION = _pipeline_version()


class Assistant:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._index: Index | None = None
        self._expander: tuple[Index, QueryExpander] | None = None  # built for that index's vocabulary
        self._write_lock = threading.Lock()

    # --- components --------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            self._embedder = get_embedder(s.embedder, threads=s.embed_threads, batch_size=s.embed_batch_size)
        return self._embedder

    @property
    def spec(self) -> IndexSpec:
        s = self.settings
        return IndexSpec(
            embedder=self.embedder.name,
            dim=self.embedder.dim,
            chunk_tokens=s.chunk_tokens,
            chunk_overlap_sentences=s.chunk_overlap_sentences,
            pipeline_version=PIPELINE_VERSION,
        )

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index.load(self.settings.index_dir, expect=self.spec)
        return self._index

    def is_ready(self) -> bool:
        try:
            return len(self.index) > 0
        except Exception:  # noqa: BLE001 - readiness is a yes/no question
            return False

    @property
    def retriever(self) -> HybridRetriever:
        s = self.settings
        params = FusionParams(
            candidates=s.candidates,
            rrf_k=s.rrf_k,
            dense_weight=s.dense_weight,
            keyword_weight=s.keyword_weight,
            keyword_weight_no_cjk=s.keyword_weight_no_cjk,
            keyword_weight_expanded=s.keyword_weight_expanded,
        )
        index = self.index
        if self._expander is None or self._expander[0] is not index:
            glossary = load_glossary(s.glossary_file)
            self._expander = (index, QueryExpander.from_index(index, glossary=glossary))
        return HybridRetriever(index, self.embedder, params, self._expander[1])

    @cached_property
    def chain(self) -> AnswerChain:
        return AnswerChain(assistant=self)

    # --- index side --------------------------------------------------------------------

    def ensure_index(self, *, rebuild_on_mismatch: bool = False) -> IngestReport | None:
        """Index the corpus directory when no index exists yet (what `make run` relies on)."""
        if Index.exists(self.settings.index_dir):
            try:
                _ = self.index  # surfaces a mismatch now rather than at the first query
                return None
            except IndexMismatchError:
                if not rebuild_on_mismatch:
                    raise
                return self.ingest(rebuild=True)
        return self.ingest()

    def ingest(
        self,
        paths: list[Path] | None = None,
        *,
        rebuild: bool = False,
        on_total: Callable[[int], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        paths = paths or [self.settings.corpus_dir]
        with self._write_lock:
            if rebuild or not Index.exists(self.settings.index_dir):
                base = Index(self.spec)
            else:
                base = self.index.copy()
            report = ingest(
                paths,
                self.settings.corpus_dir,
                base,
                self.embedder,
                chunk_tokens=self.settings.chunk_tokens,
                overlap_sentences=self.settings.chunk_overlap_sentences,
                on_total=on_total,
                on_progress=on_progress,
            )
            if report.changed or rebuild or not Index.exists(self.settings.index_dir):
                base.save(self.settings.index_dir)
            self._index = base
        return report

    def remove(self, source: str) -> int:
        with self._write_lock:
            new = self.index.copy()
            removed = new.remove_document(source)
            new.save(self.settings.index_dir)
            self._index = new
        return removed

    def documents(self) -> list[dict[str, Any]]:
        return [
            {
                "source": d.source,
                "doc_id": d.doc_id,
                "title": d.title,
                "chunks": len(d.ids),
                "content_hash": d.content_hash,
                "metadata": d.metadata,
            }
            for d in sorted(self.index.documents.values(), key=lambda d: d.source)
        ]

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Hit]:
        k = self.settings.top_k if k is None else k
        if not 1 <= k <= 100:
            raise InvalidQuestion(f"k must be between 1 and 100, got {k}")
        if len(query) > self.settings.max_question_chars:
            raise InvalidQuestion(f"the query is longer than {self.settings.max_question_chars} characters")
        if not Index.exists(self.settings.index_dir) and self._index is None:
            raise IndexMissingError(f"no index at {self.settings.index_dir}; run `rag ingest` first")
        return self.retriever.search(query, k, mode)

    # --- answer side -------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        generator: str | None = None,
        history: list[dict] | None = None,
    ) -> Answer:
        return self.chain.answer(question, k=k, generator=generator, history=history)

    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        generator: str | None = None,
        history: list[dict] | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas as they are generated, then the final verified ``Answer``."""
        return self.chain.stream(question, k=k, generator=generator, history=history)
