"""The ingest pipeline over paths: load → clean → chunk → embed → index, incremental by content hash,
with preparation overlapping embedding and an embedding cache."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from rag.embeddings import Embedder
from rag.errors import DocumentError, RagError
from rag.ingest.chunking import packed_chunks
from rag.ingest.cleaning import clean
from rag.ingest.embed_cache import EmbeddingCache
from rag.ingest.loaders import iter_files, load_path, source_name
from rag.store.base import DocRecord, StoreWriter
from rag.text import keyword_tokens, load_tokenizers, to_simplified
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
    )  # "index" includes the keyword tokenisation, as it always has
    tokenize_seconds: float = 0.0  # preparing thread; folded into seconds["index"] at the end
    wait_seconds: float = 0.0  # the embedding side waiting for the preparing side (0 = fully overlapped)
    prepared_in: str = "thread"  # "process" when preparation ran in a forked child
    cache_hits: int = 0  # chunks whose vector came from the embedding cache
    cache_misses: int = 0

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
            "embedding_cache": {"hits": self.cache_hits, "misses": self.cache_misses},
            "pipeline_wait_seconds": round(self.wait_seconds, 3),
            "prepared_in": self.prepared_in,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@dataclass
class Prepared:
    doc: Document
    chunks: list[Chunk]
    texts: list[str]  # what the embedder and BM25 see
    replaces: bool
    seq: int = 0  # hand-over order; the document's BM25 tokens follow later under the same number
    # BM25 tokens, filled in while this document embeds; set on the writing side (a Future does not
    # cross a process boundary)
    tokens: Future[list[list[str]]] | None = None
    model_tokens: list[list[int]] | None = None  # the embedder's own tokens of ``texts``, when it has them


def embedding_text(chunk: Chunk, packed: str | None = None) -> str:
    """What the embedder and BM25 see: the section path gives a short passage its context
    (named policies live in headings), while the stored text stays the verbatim chunk. The embedder
    reads the chunk's ``packed`` text when given (list items joined as the chunker measured them)."""
    text = chunk.text if packed is None else packed
    return f"{chunk.section}\n{text}" if chunk.section else text


_DONE = object()
_IN_FLIGHT = 3  # documents embedding or waiting to be written, at most
NICE = int(os.environ.get("XNICE", "10"))


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
    on_chunks: Callable[[int], None] | None = None,
    cache: EmbeddingCache | None = None,
    max_document_mb: float = 0,
    queue_documents: int = 4,
    embed_batch: int = 32,
    prepare_in_process: bool = True,
) -> IngestReport:
    """Writes into ``index`` (the caller commits). A bad file is skipped and reported; the rest goes on.

    A bounded pipeline: one forked process (a thread where fork is missing, or when
    ``prepare_in_process`` is off) loads, cleans and chunks documents, and cuts a document's BM25
    tokens once the next one is handed over; ``embedder.parallel_calls`` threads embed batches of
    ``embed_batch`` texts (numpy, outside the GIL); this one writes. Preparation is pure Python: in a
    thread it holds the GIL against the embedding threads' Python glue and costs the ingest more wall
    time than it takes itself; in its own process it only shares the cores. At most
    ``queue_documents`` prepared documents wait and three are embedding or being written, so memory stays bounded for any
    number of files. Progress: ``on_total(files)``, ``on_progress(1)`` per file done, ``on_chunks(n)``
    per document embedded.
    """
    report = IngestReport()
    files = iter_files(paths)
    if on_total:
        on_total(len(files))
    # What is indexed already, by source: an unchanged file is skipped before cleaning. Looked up here
    # because the preparing side may be another process, which must not touch the writer.
    known: dict[str, str] = {}
    for path in files:
        record = index.document(source_name(path, root))
        if record is not None:
            known[record.source] = record.content_hash
    q: queue.Queue = queue.Queue(maxsize=max(1, queue_documents))
    stop = threading.Event()
    tokens: dict[int, Future[list[list[str]]]] = {}

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def dispatch(event: tuple) -> bool:
        """One event of ``_preparation``, on the writing side; False once the stream has ended."""
        kind = event[0]
        if kind == "doc":
            item: Prepared = event[1]
            item.tokens = tokens.setdefault(item.seq, Future())
            return put(item)
        if kind == "tokens":
            future = tokens.setdefault(event[1], Future())
            if isinstance(event[2], BaseException):
                future.set_exception(event[2])
            else:
                future.set_result(event[2])
            return True
        if kind == "skip":
            return put(None)
        if kind == "report":  # the preparing process's share of the report
            other: IngestReport = event[1]
            report.skipped += other.skipped
            report.unchanged += other.unchanged
            report.tokenize_seconds += other.tokenize_seconds
            for k in ("load", "clean", "chunk", "embed"):
                report.seconds[k] += other.seconds[k]
            return True
        if kind == "error":
            put(event[1])
        put(_DONE)
        return False

    prepare = (
        _smallest_first(files),
        root,
        known,
        chunk_tokens,
        overlap_sentences,
        max_document_mb,
        embedder.tokenize,
    )
    embedder.tokenize([])  # loads the model's tokenizer once, here: a forked child shares it
    # gRPC (pymilvus, when the Milvus store is in use) is not fork-safe: its poller threads abort a
    # forked child. Prepare in a thread then.
    forkable = "fork" in multiprocessing.get_all_start_methods() and "grpc" not in sys.modules
    if prepare_in_process and forkable:
        report.prepared_in = "process"
        producer = _start_preparing_process(prepare, dispatch, stop)
    else:

        def produce() -> None:
            for event in _preparation(*prepare, report):
                if stop.is_set() or not dispatch(event):
                    return

        producer = threading.Thread(target=produce, name="ingest-prepare", daemon=True)
        producer.start()
    # Embedding is a stream of batches over a pool the embedder's size: the next document's batches are
    # queued before this one is written, so no worker idles at a document boundary or during a write.
    in_flight: deque[_Embedding] = deque()

    def write_oldest() -> None:
        done = in_flight.popleft()
        _write(done, index, cache, report)
        if on_chunks:
            on_chunks(len(done.prepared.chunks))
        if on_progress:
            on_progress(1)

    try:
        with ThreadPoolExecutor(max(1, embedder.parallel_calls), thread_name_prefix="ingest-embed") as pool:
            while True:
                t0 = time.perf_counter()
                item = q.get()
                report.wait_seconds += time.perf_counter() - t0
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, Prepared):
                    in_flight.append(_submit(item, pool, embedder, cache, embed_batch))
                elif on_progress:  # skipped or unchanged
                    on_progress(1)
                # Write what is ready; wait for the oldest only when too many are in flight, so the
                # next document is submitted while an earlier one still waits for its BM25 tokens.
                while in_flight and (in_flight[0].ready() or len(in_flight) >= _IN_FLIGHT):
                    write_oldest()
            while in_flight:
                write_oldest()
    finally:
        stop.set()
        producer.join()
        report.seconds["index"] += report.tokenize_seconds
    if cache is not None:
        report.cache_hits, report.cache_misses = cache.hits, cache.misses
    return report


def _prepare(
    path: Path,
    root: Path,
    known: dict[str, str],
    report: IngestReport,
    chunk_tokens: int,
    overlap_sentences: int,
    max_document_mb: float,
    tokenize: Callable[[list[str]], list[list[int]] | None],
) -> Prepared | None:
    """Load → clean → chunk → the embedder's tokens of one file (None when skipped or unchanged);
    ``_tokenize`` (BM25) follows."""
    if max_document_mb > 0:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size > max_document_mb * 1024 * 1024:
            report.skipped.append(
                (
                    str(path),
                    f"{path.name}: {size / 1024 / 1024:.1f} MB is larger than the {max_document_mb:g} MB "
                    "document limit (RAG_MAX_DOCUMENT_MB); split it or raise the limit",
                )
            )
            return None
    t0 = time.perf_counter()
    try:
        doc = load_path(path, root)
    except DocumentError as exc:
        report.skipped.append((str(path), str(exc)))
        return None
    finally:
        report.seconds["load"] += time.perf_counter() - t0
    existing = known.get(doc.source)
    if existing == doc.content_hash:
        report.unchanged.append(doc.source)
        return None
    t0 = time.perf_counter()
    cleaned = clean(doc)
    report.seconds["clean"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    packed = packed_chunks(doc, cleaned, chunk_tokens, overlap_sentences)
    chunks = [c for c, _ in packed]
    report.seconds["chunk"] += time.perf_counter() - t0
    if not chunks:
        report.skipped.append((str(path), f"{doc.source}: no text left after cleaning"))
        return None
    doc.title = cleaned.title or doc.title  # the cleaner knows better titles (running headers, covers)
    texts = [embedding_text(c, p) for c, p in packed]
    t0 = time.perf_counter()
    model_tokens = tokenize(texts)
    report.seconds["embed"] += time.perf_counter() - t0  # the embedder's own work, done here
    return Prepared(doc, chunks, texts, existing is not None, model_tokens=model_tokens)


def _detach_from_parent(keep: int, prctl: Callable[..., int] | None) -> None:
    """In the forked child: die with the parent, hold none of its files (an inherited descriptor of the
    index's write lock would keep the lock taken after the parent was killed), and never run the
    parent's finalizers (an SQLite connection closed here could checkpoint the parent's database).
    Only regular files are closed: pipes, sockets and event descriptors may belong to a library's
    machinery that its own fork handlers keep running."""
    gc.freeze()
    parent = os.getppid()
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd <= 2 or fd == keep:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass


def bm25_tokens(chunks: list[Chunk]) -> list[list[str]]:
    """BM25 tokens of each chunk's ``embedding_text``. A section path heads many chunks, so it is cut
    once: jieba cuts at the newline between path and text, so the tokens equal those of the joined text."""
    sections: dict[str, list[str]] = {}
    memo: dict[str, list[str]] = {}  # overlapping sentences are cut once
    out = []
    for c in chunks:
        if not c.section:
            out.append(keyword_tokens(c.text, memo))
            continue
        if c.section not in sections:
            sections[c.section] = keyword_tokens(c.section, memo)
        out.append(sections[c.section] + keyword_tokens(c.text, memo))
    return out


def _preparation(
    files: list[Path],
    root: Path,
    known: dict[str, str],
    chunk_tokens: int,
    overlap_sentences: int,
    max_document_mb: float,
    tokenize: Callable[[list[str]], list[list[int]] | None],
    report: IngestReport,
) -> Iterator[tuple]:
    """The preparing side as a stream of events: ("doc", Prepared), ("skip",), ("tokens", seq,
    tokens or exception), then ("error", exc) or ("done",). A document's BM25 tokens are cut after
    the NEXT document is handed over: the embedder gets new work as early as possible, and the
    writer needs a document's tokens only once the one after it is embedding."""
    pending: Prepared | None = None
    seq = 0
    try:
        for path in files:
            item = _prepare(
                path, root, known, report, chunk_tokens, overlap_sentences, max_document_mb, tokenize
            )
            if item is None:
                yield ("skip",)
            else:
                item.seq, seq = seq, seq + 1
                yield ("doc", item)
            if pending is not None:
                yield _tokenize(pending, report)
                pending = None
            if item is not None:
                pending = item
        if pending is not None:
            yield _tokenize(pending, report)
    except Exception as exc:  # noqa: BLE001 - handed to the writing side, which re-raises it
        yield ("error", exc)
        return
    yield ("done",)


def _tokenize(p: Prepared, report: IngestReport) -> tuple:
    t0 = time.perf_counter()
    try:
        result: list[list[str]] | BaseException = bm25_tokens(p.chunks)
    except Exception as exc:  # noqa: BLE001 - raised again where the tokens are read
        result = exc
    report.tokenize_seconds += time.perf_counter() - t0
    return ("tokens", p.seq, result)


def _start_preparing_process(
    prepare: tuple, dispatch: Callable[[tuple], bool], stop: threading.Event
) -> threading.Thread:
    """Run ``_preparation`` in a forked child (which inherits the loaded jieba dictionary and the
    tokenizer, so it starts at once) and relay its events to ``dispatch`` from a thread. The pipe's
    buffer bounds how far the child runs ahead; the child exits when the pipe breaks, so a killed
    writer leaves no orphan working on."""
    # A lock another thread holds at the fork stays held in the child for ever: finish loading what
    # the child uses (the Assistant loads jieba in a thread; jieba initialises under a lock) and
    # resolve prctl before forking.
    load_tokenizers()
    to_simplified("繁體")
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_preparing_process, args=(prepare, send, prctl), name="ingest-prepare", daemon=True
    )
    child.start()
    send.close()  # the child holds the only write end: its exit is an EOF here

    def relay() -> None:
        ended = False
        try:
            while not stop.is_set():
                if not receive.poll(0.2):
                    continue
                try:
                    event = receive.recv()
                except (EOFError, OSError):
                    child.join(1)
                    died = f"the ingest's preparing process died (exit code {child.exitcode})"
                    dispatch(("error", RagError(died)))
                    return
                if not dispatch(event):
                    ended = True
                    return
        finally:
            if not ended and child.is_alive():
                child.terminate()
            child.join()
            receive.close()

    relay_thread = threading.Thread(target=relay, name="ingest-prepare-relay", daemon=True)
    relay_thread.start()
    return relay_thread


def _preparing_process(prepare: tuple, send: Connection, prctl: Callable[..., int] | None) -> None:
    _detach_from_parent(send.fileno(), prctl)
    report = IngestReport()
    try:
        for event in _preparation(*prepare, report):
            if event[0] in ("done", "error"):
                send.send(("report", report))
            try:
                send.send(event)
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                if event[0] != "error":
                    raise
                send.send(("error", RagError(f"{type(event[1]).__name__}: {event[1]}")))
    except OSError:  # the writing side is gone (BrokenPipeError): nothing to prepare for
        pass
    finally:
        send.close()


@dataclass
class _Embedding:
    prepared: Prepared
    found: list[np.ndarray | None]  # from the embedding cache; None = being embedded
    todo: list[int]  # indexes of the texts being embedded, in batch order
    batches: list[Future[np.ndarray]]

    def ready(self) -> bool:
        """Writable without waiting: vectors and BM25 tokens are in."""
        tokens = self.prepared.tokens
        return tokens is not None and tokens.done() and all(b.done() for b in self.batches)


def _submit(
    p: Prepared, pool: ThreadPoolExecutor, embedder: Embedder, cache: EmbeddingCache | None, batch: int
) -> _Embedding:
    found: list[np.ndarray | None] = cache.get_many(p.texts) if cache is not None else [None] * len(p.texts)
    todo = [i for i, v in enumerate(found) if v is None]
    tokens = p.model_tokens
    batches = [
        pool.submit(embedder.embed_tokens, [tokens[i] for i in part])
        if tokens is not None
        else pool.submit(embedder.embed_documents, [p.texts[i] for i in part])
        for part in _even_batches(todo, batch, embedder.parallel_calls)
    ]
    return _Embedding(p, found, todo, batches)


def _even_batches(todo: list[int], batch: int, workers: int) -> list[list[int]]:
    """Batches of at most ``batch`` texts, as equal as possible, in a multiple of ``workers`` when
    there are enough texts: 33 texts make 17 + 16, not 32 + 1, and 9 batches' worth make 10. Otherwise
    one worker runs a document's last batch alone while the other idles, at the start of an ingest
    (before the next document is prepared) and at its end."""
    if not todo:
        return []
    workers = max(1, workers)
    n = -(-len(todo) // max(1, batch))
    n = min(-(-n // workers) * workers, len(todo))
    size, extra = divmod(len(todo), n)
    out, start = [], 0
    for k in range(n):
        end = start + size + (k < extra)
        out.append(todo[start:end])
        start = end
    return out


def _smallest_first(files: list[Path]) -> list[Path]:
    """The order documents are prepared in. Smallest first fills the pipeline fastest: the embedder
    starts on a small document while the next one is cleaned and chunked, instead of idling through
    the preparation of a large one. Which document is written first changes nothing stored."""

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0  # reported as a bad file when it is loaded

    return sorted(files, key=size)


def _write(e: _Embedding, index: StoreWriter, cache: EmbeddingCache | None, report: IngestReport) -> None:
    p = e.prepared
    t0 = time.perf_counter()  # "embed" is the time spent waiting for the embedder
    if e.todo:
        fresh = np.vstack([np.asarray(f.result(), dtype=np.float32) for f in e.batches])
        if cache is not None:
            cache.put_many([p.texts[i] for i in e.todo], fresh)
        for i, v in zip(e.todo, fresh, strict=True):
            e.found[i] = v
    vectors = np.vstack(e.found).astype(np.float32)
    report.seconds["embed"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    record = DocRecord(
        source=p.doc.source,
        doc_id=p.doc.doc_id,
        title=p.doc.title,
        content_hash=p.doc.content_hash,
        ids=[],
        metadata=_jsonable(p.doc.metadata),
    )
    assert p.tokens is not None  # set when the document was handed over
    index.replace_document(record, p.chunks, vectors, p.tokens.result())
    report.seconds["index"] += time.perf_counter() - t0
    (report.updated if p.replaces else report.added).append(p.doc.source)
    report.chunks += len(p.chunks)


def _jsonable(meta: dict) -> dict:
    """Front-matter values can be dates; the manifest is JSON."""
    out = {}
    for k, v in meta.items():
        out[str(k)] = v if isinstance(v, str | int | float | bool | type(None) | list) else str(v)
    return out
