"""The local store: FAISS/numpy vectors + BM25 postings in immutable segments, chunks in SQLite.

Layout under the index dir::

    store.sqlite   chunk text and metadata (read by id), documents, tombstones, and the ``meta``
                   row that *is* the commit: generation, next id, the list of live segments
    seg-<id>/      immutable segments (rag.store.segment)
    CURRENT        "generation N", rewritten after each commit: readers stat it per request
    .lock          the inter-process write lock (filelock)

A write takes the lock, starts from the newest committed generation, writes new segments and
chunk rows, then commits one SQLite transaction that marks replaced chunks dead (tombstones),
upserts the document records and names the new segment list; a crash before that commit
leaves the previous generation intact and the debris (unreferenced segments, rows above the
committed next id, ``.tmp-*``) is removed by the next writer. Adding or removing a document
costs in proportion to that document. ``compact`` merges segments and drops dead chunks.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexBusyError, IndexMismatchError, IndexMissingError, UnknownDocumentError
from rag.store.base import DocRecord, IndexSpec, StoreStats, Vocabulary
from rag.store.bm25 import Postings, TermEncoder
from rag.store.segment import AnnParams, Segment
from rag.types import Chunk

FORMAT_VERSION = 2
DB_NAME = "store.sqlite"
log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, source TEXT NOT NULL, dead INTEGER NOT NULL DEFAULT 0,
                                   data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_dead ON chunks(id) WHERE dead = 1;
CREATE TABLE IF NOT EXISTS documents (source TEXT PRIMARY KEY, record TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StoreOptions:
    ann: AnnParams = field(default_factory=AnnParams)
    faiss_threads: int = 1  # a server on a small machine: FAISS threads fight the server's own
    lock_timeout: float = 300.0  # seconds a second writer waits for the first; 0 = fail at once
    segment_chunks: int = 50_000  # an ingest flushes a segment every this many chunks (bounded memory)
    auto_compact_segments: int = 8  # merge the small segments when more than this pile up


@dataclass
class _View:
    """One committed generation, as readers see it (immutable once built)."""

    generation: int
    segments: tuple[Segment, ...]
    dead: dict[str, np.ndarray]  # segment name → bool mask of tombstoned rows
    live: int
    n_documents: int
    n_dead: dict[str, int] = field(default_factory=dict)  # counted once, not per query
    _vocab: Vocabulary | None = None


class FaissStore:
    """Implements rag.store.base.Store."""

    store_name = "faiss"

    def __init__(self, index_dir: Path, options: StoreOptions | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.options = options or StoreOptions()
        self.spec: IndexSpec | None = None
        self._view: _View | None = None
        self._segments: dict[str, Segment] = {}
        self._local = threading.local()
        self._stamp: tuple | None = None
        self._refresh_lock = threading.Lock()
        self._lock = None
        _set_threads(self.options.faiss_threads)

    # --- opening -----------------------------------------------------------------------

    @staticmethod
    def exists(index_dir: Path) -> bool:
        """A generation was committed (CURRENT is written after every commit; format 1 had one too)."""
        return (Path(index_dir) / "CURRENT").is_file()

    @classmethod
    def open(cls, index_dir: Path, expect: IndexSpec | None = None, options: StoreOptions | None = None):
        store = cls(index_dir, options)
        store.load(expect)
        return store

    def load(self, expect: IndexSpec | None = None) -> None:
        if _legacy_generation(self.index_dir) is not None:
            self._migrate_legacy()
        if not (self.index_dir / DB_NAME).is_file():
            raise IndexMissingError(f"no index at {self.index_dir}; run `rag ingest` first")
        meta = self._meta(self._conn())
        if not meta:  # created by a writer that never committed
            raise IndexMissingError(f"no index at {self.index_dir}; run `rag ingest` first")
        if meta.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index at {self.index_dir} has format {meta.get('format_version')}, this version reads "
                f"{FORMAT_VERSION}; rebuild it with `rag ingest --rebuild`"
            )
        spec = IndexSpec(**meta["spec"])
        if expect is not None and spec != expect:
            raise IndexMismatchError(
                f"index at {self.index_dir} was built with {spec.describe()}; the settings ask for "
                f"{expect.describe()}. Rebuild it with `rag ingest --rebuild` (or point RAG_INDEX_DIR elsewhere)"
            )
        self.spec = spec
        self._stamp = self._current_stamp()
        self._view = self._build_view(meta)

    # --- SQLite ------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 objects are not shared across threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.index_dir / DB_NAME, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            self._local.conn = conn
        return conn

    @staticmethod
    def _meta(conn: sqlite3.Connection) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- views and refresh ---------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._view.generation if self._view else 0

    def _current_stamp(self) -> tuple | None:
        try:
            st = os.stat(self.index_dir / "CURRENT")
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> bool:
        """Serve the newest committed generation. One stat() when nothing changed."""
        stamp = self._current_stamp()
        if stamp == self._stamp and self._view is not None:
            return False
        with self._refresh_lock:
            if stamp == self._stamp and self._view is not None:
                return False
            meta = self._meta(self._conn())
            self._stamp = stamp
            if self._view is not None and meta.get("generation") == self._view.generation:
                return False
            if IndexSpec(**meta["spec"]) != self.spec:
                raise IndexMismatchError(
                    f"the index at {self.index_dir} was rebuilt by another process with "
                    f"{IndexSpec(**meta['spec']).describe()}; restart with matching settings"
                )
            self._view = self._build_view(meta)
            return True

    def _build_view(self, meta: dict[str, Any]) -> _View:
        names = meta.get("segments", [])
        for attempt in range(3):
            try:
                segments = tuple(self._segment(n) for n in names)
                break
            except FileNotFoundError:  # compacted away between reading meta and opening: reread
                if attempt == 2:
                    raise
                meta = self._meta(self._conn())
                names = meta.get("segments", [])
        self._segments = {s.name: s for s in segments}
        dead_ids = np.array(
            [r[0] for r in self._conn().execute("SELECT id FROM chunks WHERE dead = 1")], dtype=np.int64
        )
        dead: dict[str, np.ndarray] = {}
        if len(dead_ids):
            for s in segments:
                rows = s.rows_of(dead_ids)
                rows = rows[rows >= 0]
                if len(rows):
                    mask = np.zeros(len(s), dtype=bool)
                    mask[rows] = True
                    dead[s.name] = mask
        return _View(
            generation=int(meta.get("generation", 0)),
            segments=segments,
            dead=dead,
            n_dead={name: int(mask.sum()) for name, mask in dead.items()},
            live=int(meta.get("live", 0)),
            n_documents=int(meta.get("documents", 0)),
        )

    def _segment(self, name: str) -> Segment:
        seg = self._segments.get(name)
        return seg if seg is not None else Segment.open(self.index_dir / name, self.options.ann)

    @property
    def view(self) -> _View:
        if self._view is None:
            self.load()
        return self._view

    # --- reading (Store protocol) ----------------------------------------------------------

    def __len__(self) -> int:
        return self.view.live

    def dense_search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        view = self.view
        query = np.asarray(query, dtype=np.float32)
        hits: list[tuple[int, float]] = []
        for s in view.segments:
            hits.extend(s.dense(query, k, view.dead.get(s.name), self.options.ann, view.n_dead.get(s.name)))
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def keyword_search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        view = self.view
        if not tokens or not view.segments:
            return []
        n_docs = sum(len(s) for s in view.segments)
        idfs: dict[str, float] = {}
        for t in set(tokens):
            df = 0
            for s in view.segments:
                col = s.postings.column.get(t)
                if col is not None:
                    df += int(s.postings.indptr[col + 1] - s.postings.indptr[col])
            if df:
                idfs[t] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        known = [t for t in tokens if t in idfs]
        if not known:
            return []
        hits: list[tuple[int, float]] = []
        for s in view.segments:
            hits.extend(s.keyword(known, idfs, k, view.dead.get(s.name)))
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def get_chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        out: dict[int, Chunk] = {}
        conn = self._conn()
        for lo in range(0, len(ids), 500):
            part = ids[lo : lo + 500]
            q = f"SELECT id, data FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            for i, data in conn.execute(q, part):
                out[i] = Chunk(**json.loads(data))
        return out

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        dim = self.spec.dim if self.spec else 0
        out = np.zeros((len(ids), dim), dtype=np.float32)
        if not len(ids):
            return out
        ids_arr = np.asarray(ids, dtype=np.int64)
        for s in self.view.segments:
            rows = s.rows_of(ids_arr)
            found = rows >= 0
            if found.any():
                out[found] = s.vectors[rows[found]]
        return out

    def document(self, source: str) -> DocRecord | None:
        row = self._conn().execute("SELECT record FROM documents WHERE source = ?", (source,)).fetchone()
        return DocRecord(**json.loads(row[0])) if row else None

    def documents(self) -> Iterator[DocRecord]:
        rows = self._conn().execute("SELECT record FROM documents ORDER BY source").fetchall()
        return (DocRecord(**json.loads(r[0])) for r in rows)

    def vocabulary(self) -> Vocabulary:
        view = self.view
        if view._vocab is None:
            df: dict[str, int] = {}
            for s in view.segments:
                counts = np.diff(s.postings.indptr)
                for t, c in zip(s.postings.terms, counts.tolist(), strict=True):
                    df[t] = df.get(t, 0) + c
            df.pop("<empty>", None)
            view._vocab = Vocabulary(df, df, sum(len(s) for s in view.segments))
        return view._vocab

    def stats(self) -> StoreStats:
        view = self.view
        return StoreStats(
            chunks=view.live,
            documents=view.n_documents,
            spec=self.spec,
            store=self.store_name,
            keyword_engine="bm25",
            generation=view.generation,
            extra={
                "segments": [
                    {
                        "name": s.name,
                        "chunks": len(s),
                        "dead": int(view.dead[s.name].sum()) if s.name in view.dead else 0,
                        "ann": s.ann_kind,
                    }
                    for s in view.segments
                ],
                "faiss_index": self.options.ann.kind,
                "faiss_threads": self.options.faiss_threads,
            },
        )

    # --- writing ---------------------------------------------------------------------------

    @contextmanager
    def writing(self, spec: IndexSpec | None = None, *, rebuild: bool = False) -> Iterator[_Writer]:
        """The one way to change the index: inter-process lock, newest generation, one commit."""
        from filelock import FileLock, Timeout

        self.index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.index_dir / ".lock"))
        timeout = self.options.lock_timeout
        try:
            lock.acquire(timeout=timeout if timeout > 0 else 0.01)
        except Timeout:
            raise IndexBusyError(
                f"another process is writing the index at {self.index_dir} (waited {timeout:g} s; "
                "RAG_WRITE_LOCK_TIMEOUT sets how long); try again when it has finished"
            ) from None
        try:
            if _legacy_generation(self.index_dir) is not None:
                self._migrate_legacy(locked=True)
            conn = self._conn()
            meta = self._meta(conn)
            if not meta:
                if spec is None:
                    raise IndexMissingError(f"no index at {self.index_dir}; run `rag ingest` first")
                meta = {
                    "format_version": FORMAT_VERSION,
                    "spec": asdict(spec),
                    "generation": 0,
                    "next_id": 0,
                    "segments": [],
                    "live": 0,
                    "documents": 0,
                }
            elif meta.get("format_version") != FORMAT_VERSION and not rebuild:
                raise IndexMismatchError(
                    f"index at {self.index_dir} has format {meta.get('format_version')}; "
                    "rebuild it with `rag ingest --rebuild`"
                )
            elif spec is not None and IndexSpec(**meta["spec"]) != spec and not rebuild:
                raise IndexMismatchError(
                    f"index at {self.index_dir} was built with {IndexSpec(**meta['spec']).describe()}; the "
                    f"settings ask for {spec.describe()}. Rebuild it with `rag ingest --rebuild`"
                )
            self._clean_debris(conn, meta)
            self.spec = IndexSpec(**meta["spec"]) if not rebuild or spec is None else spec
            if meta.get("generation", 0) and (
                self._view is None or self._view.generation != meta["generation"]
            ):
                self._view = self._build_view(meta)
            writer = _Writer(self, conn, meta, rebuild=rebuild, spec=spec)
            try:
                yield writer
            except BaseException:
                writer.abort()
                raise
            writer.commit()
            if len(self.view.segments) > self.options.auto_compact_segments:
                self._compact(small_only=True)
        finally:
            lock.release()

    def compact(self) -> dict[str, Any]:
        """Merge every segment into one, dropping tombstoned chunks (``rag compact``)."""
        with self.writing():
            return self._compact(small_only=False)

    def _compact(self, *, small_only: bool) -> dict[str, Any]:
        view = self.view
        segs = list(view.segments)
        if small_only and len(segs) > 1:
            biggest = max(segs, key=len)
            if view.dead.get(biggest.name) is None or view.dead[biggest.name].mean() < 0.2:
                segs = [s for s in segs if s is not biggest]
        t0 = time.perf_counter()
        before = len(view.segments)
        if len(segs) <= 1 and not any(s.name in view.dead for s in segs):
            return {"segments_before": before, "segments_after": before, "seconds": 0.0}
        merged = merge_segments(self.index_dir, segs, view.dead, self.options)
        conn = self._conn()
        keep = [s.name for s in view.segments if s not in segs]
        names = sorted(
            [*keep, merged.name] if len(merged) else keep, key=lambda n: int(self._segment_min_id(n, merged))
        )
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = self._meta(conn)
            dead_ids = [int(i) for seg in segs if seg.name in view.dead for i in seg.ids[view.dead[seg.name]]]
            conn.execute(
                "DELETE FROM chunks WHERE dead = 1 AND id IN (SELECT value FROM json_each(?))",
                (json.dumps(dead_ids),),
            )
            meta["generation"] = int(meta["generation"]) + 1
            meta["segments"] = names
            _write_meta(conn, meta)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            shutil.rmtree(merged.folder, ignore_errors=True)
            raise
        self._publish(meta)
        for s in segs:
            shutil.rmtree(s.folder, ignore_errors=True)
        return {
            "segments_before": before,
            "segments_after": len(names),
            "seconds": round(time.perf_counter() - t0, 3),
        }

    def _segment_min_id(self, name: str, merged: Segment) -> int:
        seg = merged if name == merged.name else self._segments[name]
        return int(seg.ids[0]) if len(seg) else 0

    def _publish(self, meta: dict[str, Any]) -> None:
        """Tell readers (in this and other processes) that a new generation is committed."""
        pointer = self.index_dir / ".CURRENT.tmp"
        pointer.write_text(f"generation {meta['generation']}\n")
        os.replace(pointer, self.index_dir / "CURRENT")
        with self._refresh_lock:
            self._view = self._build_view(meta)
            self._stamp = self._current_stamp()

    def _clean_debris(self, conn: sqlite3.Connection, meta: dict[str, Any]) -> None:
        """What a crashed writer left: unreferenced segments, rows above the committed next id, tmp dirs."""
        live = set(meta.get("segments", []))
        for p in self.index_dir.iterdir():
            stale_segment = p.name.startswith("seg-") and p.name not in live
            # .tmp-*: a crashed writer's half-written folder; gen-*: format-1 leftovers after a migration
            if stale_segment or p.name.startswith((".tmp-", "gen-")):
                shutil.rmtree(p, ignore_errors=True)
        conn.execute("DELETE FROM chunks WHERE id >= ?", (int(meta.get("next_id", 0)),))

    # --- format 1 → 2 ---------------------------------------------------------------------

    def _migrate_legacy(self, *, locked: bool = False) -> None:
        if not locked:
            with self.writing():
                return
        gen = _legacy_generation(self.index_dir)
        if gen is None:
            return
        import faiss

        log.warning(
            "migrating the index at %s from format 1 to %s (one segment, chunks into SQLite)",
            self.index_dir,
            FORMAT_VERSION,
        )
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") != 1:
            raise IndexMismatchError(
                f"index at {self.index_dir} has an unknown format; rebuild it with `rag ingest --rebuild`"
            )
        index = faiss.read_index(str(gen / "vectors.faiss"))
        id_map = faiss.vector_to_array(index.id_map).astype(np.int64)
        flat = faiss.downcast_index(index.index)
        vectors = faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, index.d)
        order = np.argsort(id_map)
        ids, vectors = id_map[order], vectors[order]
        tokens: dict[int, list[str]] = {}
        conn = self._conn()
        conn.execute("BEGIN")
        with open(gen / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                tokens[row["id"]] = row["tokens"]
                conn.execute(
                    "INSERT OR REPLACE INTO chunks (id, source, dead, data) VALUES (?, ?, 0, ?)",
                    (row["id"], row["chunk"]["source"], json.dumps(row["chunk"], ensure_ascii=False)),
                )
        postings = Postings.build([tokens[int(i)] for i in ids])
        seg = Segment.write(
            self.index_dir, ids, vectors, postings, self.options.ann, threads=self.options.faiss_threads
        )
        for source, rec in manifest["documents"].items():
            conn.execute(
                "INSERT OR REPLACE INTO documents (source, record) VALUES (?, ?)",
                (source, json.dumps(rec, ensure_ascii=False)),
            )
        meta = {
            "format_version": FORMAT_VERSION,
            "spec": manifest["spec"],
            "generation": 1,
            "next_id": int(manifest["next_id"]),
            "segments": [seg.name],
            "live": len(ids),
            "documents": len(manifest["documents"]),
        }
        _write_meta(conn, meta)
        conn.execute("COMMIT")
        self.spec = IndexSpec(**meta["spec"])
        self._publish(meta)
        for old in self.index_dir.glob("gen-*"):
            shutil.rmtree(old, ignore_errors=True)


class _Writer:
    """The mutable side of one ``writing()`` block; readers keep the committed view meanwhile."""

    def __init__(
        self,
        store: FaissStore,
        conn: sqlite3.Connection,
        meta: dict[str, Any],
        *,
        rebuild: bool,
        spec: IndexSpec | None,
    ) -> None:
        self.store = store
        self.spec = store.spec
        self.conn = conn
        self.meta = dict(meta)
        self.start_id = int(meta.get("next_id", 0))
        self.next_id = self.start_id
        self.rebuild = rebuild
        self.new_spec = spec
        self.new_segments: list[Segment] = []
        self.buffer: list[tuple[list[int], np.ndarray, list[np.ndarray]]] = []
        self.encoder = TermEncoder()
        self.buffered = 0
        self.upserts: dict[str, DocRecord] = {}
        self.deletes: set[str] = set()
        self.tombstones: list[int] = []

    # reads see this write's own changes first
    def document(self, source: str) -> DocRecord | None:
        if source in self.upserts:
            return self.upserts[source]
        if source in self.deletes or self.rebuild:
            return None
        return self.store.document(source)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def replace_document(
        self,
        record: DocRecord,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        keyword_tokens: Sequence[Sequence[str]],
    ) -> list[int]:
        if len(chunks) != len(vectors) or len(chunks) != len(keyword_tokens):
            raise ValueError("chunks, vectors and tokens differ in length")
        old = self.document(record.source)
        if old is not None:
            self.tombstones.extend(old.ids)
        ids = list(range(self.next_id, self.next_id + len(chunks)))
        self.next_id += len(chunks)
        self.conn.execute("BEGIN")
        self.conn.executemany(
            "INSERT OR REPLACE INTO chunks (id, source, dead, data) VALUES (?, ?, 0, ?)",
            [
                (i, c.source, json.dumps(c.to_dict(), ensure_ascii=False))
                for i, c in zip(ids, chunks, strict=True)
            ],
        )
        self.conn.execute("COMMIT")
        if ids:
            encoded = [self.encoder.encode(t) for t in keyword_tokens]
            self.buffer.append((ids, np.asarray(vectors, dtype=np.float32), encoded))
            self.buffered += len(ids)
        record.ids = ids
        record.ingested_at = record.ingested_at or time.time()
        self.upserts[record.source] = record
        self.deletes.discard(record.source)
        if self.buffered >= self.store.options.segment_chunks:
            self.flush()
        return ids

    def remove_document(self, source: str) -> int:
        old = self.document(source)
        if old is None:
            raise UnknownDocumentError(f"no document {source!r} in the index (see `rag docs`)")
        self.tombstones.extend(old.ids)
        self.upserts.pop(source, None)
        self.deletes.add(source)
        return len(old.ids)

    def flush(self) -> None:
        if not self.buffer:
            return
        ids = np.array([i for b in self.buffer for i in b[0]], dtype=np.int64)
        vectors = np.vstack([b[1] for b in self.buffer])
        postings = self.encoder.postings([t for b in self.buffer for t in b[2]])
        self.new_segments.append(
            Segment.write(
                self.store.index_dir,
                ids,
                vectors,
                postings,
                self.store.options.ann,
                threads=self.store.options.faiss_threads,
            )
        )
        self.buffer, self.buffered, self.encoder = [], 0, TermEncoder()

    def abort(self) -> None:
        for s in self.new_segments:
            shutil.rmtree(s.folder, ignore_errors=True)
        self.conn.execute("DELETE FROM chunks WHERE id >= ?", (self.start_id,))

    def commit(self) -> None:
        self.flush()
        if not (self.upserts or self.deletes or self.rebuild or not self.meta.get("generation")):
            return  # nothing changed: no new generation
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = self.store._meta(conn)
            if meta and meta.get("generation") != self.meta.get("generation"):  # compare-and-swap
                raise IndexBusyError(
                    "the index changed underneath this write (lock bypassed?); nothing written"
                )
            old_segments = [] if self.rebuild else list(self.meta.get("segments", []))
            if self.rebuild:
                conn.execute("DELETE FROM chunks WHERE id < ?", (self.start_id,))
                conn.execute("DELETE FROM documents")
                self.meta["spec"] = asdict(self.new_spec or self.store.spec)
                self.meta["format_version"] = FORMAT_VERSION
            elif self.tombstones:
                conn.execute(
                    "UPDATE chunks SET dead = 1 WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(self.tombstones),),
                )
            for source in self.deletes:
                conn.execute("DELETE FROM documents WHERE source = ?", (source,))
            conn.executemany(
                "INSERT OR REPLACE INTO documents (source, record) VALUES (?, ?)",
                [(s, json.dumps(asdict(r), ensure_ascii=False)) for s, r in self.upserts.items()],
            )
            m = self.meta
            m["generation"] = int(m.get("generation", 0)) + 1
            m["next_id"] = self.next_id
            m["segments"] = old_segments + [s.name for s in self.new_segments]
            added = self.next_id - self.start_id
            if self.rebuild:
                m["live"] = added
            else:  # chunks written in this block and replaced again within it count once
                gone = len({i for i in self.tombstones if i < self.start_id})
                gone_new = len({i for i in self.tombstones if i >= self.start_id})
                m["live"] = int(m.get("live", 0)) + added - gone - gone_new
            m["documents"] = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            _write_meta(conn, m)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self.abort()
            raise
        dropped = [] if not self.rebuild else list(self.store.view.segments) if self.store._view else []
        self.store.spec = IndexSpec(**m["spec"])
        self.store._publish(m)
        for s in dropped:
            shutil.rmtree(s.folder, ignore_errors=True)


def merge_segments(
    root: Path, segs: Sequence[Segment], dead: dict[str, np.ndarray], options: StoreOptions
) -> Segment:
    """One segment holding the live rows of ``segs`` (postings merged, not re-tokenised)."""
    names: dict[str, int] = {}
    terms, rows, tfs, lengths, ids, vectors = [], [], [], [], [], []
    offset = 0
    for s in segs:
        keep = ~dead[s.name] if s.name in dead else np.ones(len(s), dtype=bool)
        newrow = np.cumsum(keep) - 1 + offset
        t, r, f = s.postings.coo()
        gid = np.fromiter(
            (names.setdefault(x, len(names)) for x in s.postings.terms),
            dtype=np.int64,
            count=len(s.postings.terms),
        )
        m = keep[r]
        terms.append(gid[t[m]])
        rows.append(newrow[r[m]])
        tfs.append(np.asarray(f)[m])
        lengths.append(np.asarray(s.postings.lengths)[keep])
        ids.append(s.ids[keep])
        vectors.append(np.asarray(s.vectors[keep] if not keep.all() else s.vectors))
        offset += int(keep.sum())
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    perm = np.argsort(all_ids, kind="stable")
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm))
    row = inv[np.concatenate(rows)] if rows else np.zeros(0, dtype=np.int64)
    postings = Postings.from_coo(
        sorted(names, key=names.__getitem__),
        np.concatenate(terms) if terms else np.zeros(0, dtype=np.int64),
        row,
        np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.uint16),
        np.concatenate(lengths)[perm] if lengths else np.zeros(0, dtype=np.float32),
    )
    vecs = np.concatenate(vectors)[perm] if vectors else np.zeros((0, 1), dtype=np.float32)
    return Segment.write(root, all_ids[perm], vecs, postings, options.ann, threads=options.faiss_threads)


def _write_meta(conn: sqlite3.Connection, meta: dict[str, Any]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [(k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items()],
    )


def _legacy_generation(index_dir: Path) -> Path | None:
    """A format-1 index: CURRENT names a gen-* folder with a manifest (a migration rewrites CURRENT
    last, so one cut short is simply run again)."""
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    gen = index_dir / name
    return gen if name.startswith("gen-") and (gen / "manifest.json").is_file() else None


def _set_threads(n: int) -> None:
    try:
        import faiss

        faiss.omp_set_num_threads(max(1, n))
    except ImportError:  # pragma: no cover - faiss is a dependency
        pass
