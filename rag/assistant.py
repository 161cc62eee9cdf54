"""The one façade the CLI, the HTTP API and the evaluation harness call.

Built once per process from ``Settings``: it owns the embedder, the index, the retriever and
the answer chain, so nothing heavy is loaded per request. Writes go through the store's
``writing()`` block (inter-process lock, newest generation, one commit), so concurrent searches
never see a half-written index, a failed ingest leaves the index as it was, and a generation
committed by another process (``rag ingest`` beside ``rag serve``) is served from the next request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from rag.answer.cantonese import standard_written
from rag.answer.chain import AnswerChain
from rag.config import Settings
from rag.embeddings import Embedder, get_embedder
from rag.errors import IndexMismatchError, IndexMissingError, InvalidQuestion, UnknownDocumentError
from rag.ingest.embed_cache import EmbeddingCache
from rag.ingest.pipeline import IngestReport, ingest
from rag.ingest.spans import corpus_path, read_span
from rag.retrieve.crosslingual import QueryExpander
from rag.retrieve.glossary import load_glossary
from rag.retrieve.hybrid import FusionParams, HybridRetriever
from rag.store.base import IndexSpec, Store
from rag.store.factory import make_store, store_exists
from rag.text import load_tokenizers
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


def _iso(timestamp: float) -> str | None:
    """UTC ISO 8601 time of a Unix timestamp (None for an unknown time, recorded as 0)."""
    if not timestamp:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Assistant:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._index: Store | None = None
        self._expander: tuple[int, QueryExpander] | None = None  # built for that generation's vocabulary
        self._mined_pairs: dict[str, list[tuple[str, str]]] = {}  # bilingual pairs by document content hash
        self._write_lock = threading.Lock()
        self.corpus_drift: dict[str, list[str]] | None = None  # the last reconcile() result

    # --- components --------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            # Both are start-up costs; the dictionary loads while the model's weights decompress.
            threading.Thread(target=load_tokenizers, name="load-tokenizers", daemon=True).start()
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

    def _store(self) -> Store:
        """The one place the store is chosen (RAG_STORE: faiss files or Milvus)."""
        return make_store(self.settings)

    @property
    def index(self) -> Store:
        """The store, at the newest committed generation (one stat() per call to notice a new one)."""
        if self._index is None:
            store = self._store()
            store.load(expect=self.spec)
            self._index = store
        else:
            self._index.refresh()
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
            fusion=s.fusion,
            dense_weight=s.dense_weight,
            keyword_weight=s.keyword_weight,
            keyword_weight_no_cjk=s.keyword_weight_no_cjk,
            keyword_weight_expanded=s.keyword_weight_expanded,
            coverage_weight=s.coverage_weight,
        )
        index = self.index
        if self._expander is None or self._expander[0] != index.generation:
            glossary = load_glossary(s.glossary_file)
            expander = QueryExpander.from_index(index, glossary=glossary, mined_pairs=self._mined_pairs)
            self._expander = (index.generation, expander)
        return HybridRetriever(index, self.embedder, params, self._expander[1])

    @cached_property
    def chain(self) -> AnswerChain:
        return AnswerChain(assistant=self)

    # --- index side --------------------------------------------------------------------

    def ensure_index(self, *, rebuild_on_mismatch: bool = False) -> IngestReport | None:
        """Index the corpus directory when no index exists yet (what `make run` relies on)."""
        if store_exists(self.settings):
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
        sync: bool = False,
        on_total: Callable[[int], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
        on_chunks: Callable[[int], None] | None = None,
    ) -> IngestReport:
        paths = paths or [self.settings.corpus_dir]
        with self._write_lock:
            store = self._index or self._store()
            cache = None
            with store.writing(self.spec, rebuild=rebuild) as writer:
                # Opened under the index's inter-process write lock: two processes switching a new
                # cache file to WAL at once get "database is locked" without waiting.
                if self.settings.embed_cache:
                    cache = EmbeddingCache(
                        self.settings.index_dir / "embed-cache.sqlite", self.embedder.name, self.embedder.dim
                    )
                try:
                    report = ingest(
                        paths,
                        self.settings.corpus_dir,
                        writer,
                        self.embedder,
                        chunk_tokens=self.settings.chunk_tokens,
                        overlap_sentences=self.settings.chunk_overlap_sentences,
                        on_total=on_total,
                        on_progress=on_progress,
                        on_chunks=on_chunks,
                        cache=cache,
                        max_document_mb=self.settings.max_document_mb,
                        embed_batch=self.settings.embed_batch_size,
                    )
                    if sync:
                        report.removed = self._remove_missing(writer)
                finally:
                    if cache is not None:
                        cache.close()
            self._index = store
        if self.corpus_drift is not None:  # keep the start-up report current without re-hashing the corpus
            done = set(report.added) | set(report.updated) | set(report.removed)
            self.corpus_drift = {k: [s for s in v if s not in done] for k, v in self.corpus_drift.items()}
        return report

    def remove(self, source: str) -> int:
        with self._write_lock:
            store = self._index or self._store()
            with store.writing(self.spec) as writer:
                removed = writer.remove_document(source)
            self._index = store
        return removed

    def compact(self) -> dict[str, Any]:
        """Merge the index's segments and drop removed chunks (``rag compact``)."""
        with self._write_lock:
            store = self.index
            return store.compact()

    def reconcile(self) -> dict[str, list[str]]:
        """Compare the corpus folder with the index: files not indexed (or changed since), and
        indexed documents whose file is gone. ``rag ingest --sync`` fixes both."""
        import hashlib

        from rag.ingest.loaders import iter_files, source_name

        root = self.settings.corpus_dir
        on_disk: dict[str, Path] = {}
        if root.exists():
            for path in iter_files([root]):
                on_disk[source_name(path, root)] = path
        indexed = {d.source: d for d in self.index.documents()}
        unindexed, changed = [], []
        for source, path in sorted(on_disk.items()):
            record = indexed.get(source)
            if record is None:
                unindexed.append(source)
            elif hashlib.sha256(path.read_bytes()).hexdigest() != record.content_hash:
                changed.append(source)
        missing = sorted(s for s in indexed if s not in on_disk and not (root / s).is_file())
        self.corpus_drift = {"unindexed": unindexed, "changed": changed, "missing": missing}
        return self.corpus_drift

    def _remove_missing(self, writer) -> list[str]:
        root = self.settings.corpus_dir
        gone = [d.source for d in writer.store.documents() if not (root / d.source).is_file()]
        for source in gone:
            writer.remove_document(source)
        return gone

    def documents(self) -> list[dict[str, Any]]:
        return [
            {
                "source": d.source,
                "doc_id": d.doc_id,
                "title": d.title,
                "chunks": len(d.ids),
                "content_hash": d.content_hash,
                "metadata": d.metadata,
                "added": _iso(d.ingested_at),
            }
            for d in self.index.documents()
        ]

    def source_span(self, source: str, start: int, end: int, context: int = 300) -> dict[str, Any]:
        """A span of an indexed document's original text with its surroundings and the section
        path of the chunk holding it: what a reader needs to check a citation by its offsets."""
        corpus_path(self.settings.corpus_dir, source)  # a path leaving the corpus is refused first
        record = self.index.document(source)
        if record is None:
            raise UnknownDocumentError(f"{source}: no such document in the index")
        span = read_span(
            self.settings.corpus_dir,
            source,
            start,
            end,
            context,
            title=record.title,
            content_hash=record.content_hash,
        ).to_dict()
        chunks = list(self.index.get_chunks(record.ids).values())
        holding = [c for c in chunks if c.start <= start < c.end] or [c for c in chunks if c.start <= start]
        span["section"] = max(holding, key=lambda c: c.start).section if holding else ""
        return span

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Hit]:
        k = self.settings.top_k if k is None else k
        if not 1 <= k <= 100:
            raise InvalidQuestion(f"k must be between 1 and 100, got {k}")
        if len(query) > self.settings.max_question_chars:
            raise InvalidQuestion(f"the query is longer than {self.settings.max_question_chars} characters")
        if self._index is None and not store_exists(self.settings):
            raise IndexMissingError(f"no index at {self.settings.index_dir}; run `rag ingest` first")
        return self.retriever.search(standard_written(query), k, mode)

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
