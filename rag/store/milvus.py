"""The ``Store`` protocol over Milvus: Milvus Lite (an embedded file, the default for this store)
or a Milvus standalone/cluster server, through ``pymilvus.MilvusClient``.

Nothing of ours stays in memory: dense search, BM25 keyword search, chunks and vectors all live in
Milvus. Two collections per index:

``<collection>``
    one row per chunk: ``id`` (our int id, primary key), the chunk's fields (original text and
    script, offsets, title, section), ``dense`` (the embedding, inner product), ``match`` and
    ``sparse``. ``match`` holds the chunk's keyword tokens (``rag.text.keyword_tokens``: OpenCC t2s
    folded, lowercased, jieba search mode, stop words dropped) joined by spaces; a Milvus ``BM25``
    function turns it into ``sparse`` with the jieba analyzer in exact mode, which keeps each token
    whole. Both stores thus score the very same terms (identical top 10 on the seed questions) and
    Traditional and Simplified text match each other, while ``text`` keeps the original for citations.
    One partition per corpus (``RAG_MILVUS_CORPUS``) lets several corpora share a collection.
``<collection>_meta``
    key/value rows: per corpus the index spec, the committed generation, one row per document
    (its ``DocRecord``) and one per keyword term (its document frequency, for cross-lingual
    expansion); collection-wide the next chunk id. Milvus wants a vector in every collection,
    so each row carries a 2-d placeholder.

Writes: Milvus has no transactions. Inside ``writing()`` new chunks are inserted at once and old
versions are deleted at commit; an exception deletes what was inserted, so a failed ingest leaves
the committed documents as they were (readers may briefly see both versions of a replaced document
while a commit runs). Milvus Lite holds its file for one process at a time: a second process gets a
clear error instead of a corrupted file. Against a server, run one writer at a time.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexMismatchError, IndexMissingError, RagError, UnknownDocumentError
from rag.store.base import DocRecord, IndexSpec, StoreStats, Vocabulary
from rag.types import Chunk

SCHEMA_VERSION = 1
_CHUNK_FIELDS = (
    "chunk_id",
    "doc_id",
    "source",
    "title",
    "section",
    "text",
    "start",
    "end",
    "tokens",
    "ordinal",
)
_MAX_VARCHAR = 65535  # bytes, Milvus' limit for a VARCHAR field
_MAX_TERM = 256
_BATCH = 1000  # rows per insert/get/upsert call (keeps gRPC messages well under their limit)
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
# Milvus BM25 defaults to k1=1.2 (Lite 1.5); bm25s, our FAISS-side engine, uses 1.5 and 0.75.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
# jieba in exact mode over space-separated tokens keeps them whole; on a server, hmm off and
# removepunct make sure nothing is re-split or added (Milvus Lite ignores both keys).
ANALYZER = {"tokenizer": {"type": "jieba", "mode": "exact", "hmm": False}, "filter": ["removepunct"]}


class _QuietIterator(logging.Filter):
    """pymilvus warns on every query_iterator against Milvus Lite (no MVCC timestamp): harmless."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "mvccTs" not in record.getMessage()


class _QuietLock(logging.Filter):
    """Milvus Lite logs a traceback when its file is locked by another process; we raise a
    StoreUnavailable that says so in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to start MilvusLite server" not in record.getMessage()


logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_QuietIterator())
logging.getLogger("milvus_lite.server_manager").addFilter(_QuietLock())


class StoreUnavailable(RagError):
    """Milvus cannot be reached, or its Lite file is open in another process."""

    status_code = 503
    kind = "index_not_ready"


def is_local_uri(uri: str) -> bool:
    """A file path (Milvus Lite) rather than a server address."""
    return "://" not in uri


def connect(uri: str, *, token: str = "", db_name: str = "") -> Any:
    """A ``MilvusClient``; a local path starts (or reuses) the embedded Milvus Lite for that file."""
    from pymilvus import MilvusClient

    is_local = is_local_uri(uri)
    if is_local:
        path = Path(uri)
        if path.suffix != ".db":
            raise StoreUnavailable(f"RAG_MILVUS_URI {uri!r}: a Milvus Lite file must end in .db")
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path.resolve())
    # Milvus Lite's in-process gRPC server rejects pymilvus' 10 s keepalive pings ("too_many_pings"
    # on stderr during long runs); a local channel needs no keepalive.
    options = (
        {"grpc.keepalive_time_ms": 600_000, "grpc.keepalive_permit_without_calls": False} if is_local else {}
    )
    try:
        return MilvusClient(uri=uri, token=token, db_name=db_name, grpc_options=options)
    except Exception as exc:  # noqa: BLE001 - pymilvus raises several kinds; the user needs one message
        if is_local:
            raise StoreUnavailable(
                f"cannot open the Milvus Lite file {uri}: another process (`rag serve`, an ingest) holds it; "
                "Milvus Lite serves one process at a time. Stop that process, or run a Milvus server "
                "(deploy/milvus) and point RAG_MILVUS_URI at it"
            ) from exc
        raise StoreUnavailable(f"cannot reach the Milvus server at {_redact(uri)}: {exc}") from exc


class MilvusStore:
    """One corpus (a partition) of a Milvus collection, behind the ``Store`` protocol."""

    store_name = "milvus"

    def __init__(
        self,
        uri: str,
        *,
        collection: str = "policy_rag",
        corpus: str = "default",
        token: str = "",
        db_name: str = "",
        index_type: str = "FLAT",
    ) -> None:
        for what, name in (("RAG_MILVUS_COLLECTION", collection), ("RAG_MILVUS_CORPUS", corpus)):
            if not _NAME_RE.match(name):
                raise RagError(
                    f"{what} {name!r}: use letters, digits and underscores, not starting with a digit"
                )
        self.uri = uri
        self.collection = collection
        self.meta = f"{collection}_meta"
        self.corpus = corpus
        self.index_type = index_type
        self.spec: IndexSpec | None = None
        self._token, self._db_name = token, db_name
        self._client: Any = None
        self._generation = 0
        self._docs: dict[str, DocRecord] | None = None
        self._vocab: Vocabulary | None = None
        self._write_lock = threading.RLock()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = connect(self.uri, token=self._token, db_name=self._db_name)
        return self._client

    # --- opening -------------------------------------------------------------------------

    def exists(self) -> bool:
        """This corpus has been written (asked without creating an empty Lite file)."""
        if is_local_uri(self.uri) and not Path(self.uri).exists():
            return False
        c = self.client
        try:
            if not (c.has_collection(self.collection) and c.has_collection(self.meta)):
                return False
            self._load_collections()
            return self._get_meta("spec") is not None and c.has_partition(self.collection, self.corpus)
        except Exception as exc:  # noqa: BLE001 - the first call to a server is where it turns out to be down
            if isinstance(exc, RagError):
                raise
            raise StoreUnavailable(f"Milvus at {_redact(self.uri)} did not answer: {exc}") from exc

    def load(self, expect: IndexSpec | None = None) -> None:
        if not self.exists():
            raise IndexMissingError(
                f"no index for corpus {self.corpus!r} in Milvus collection {self.collection!r} at "
                f"{_redact(self.uri)}; run `rag ingest` first"
            )
        have = IndexSpec(**self._get_meta("spec"))
        if expect is not None and have != expect:
            raise IndexMismatchError(
                f"corpus {self.corpus!r} in Milvus collection {self.collection!r} was built with "
                f"{have.describe()}; the settings ask for {expect.describe()}. Rebuild it with "
                "`rag ingest --rebuild`"
            )
        self.spec = have
        self._generation = -1  # force the first refresh to read everything
        self.refresh()

    def _load_collections(self) -> None:
        for name in (self.collection, self.meta):
            state = self.client.get_load_state(name)
            if "Loaded" not in str(state.get("state", "")):
                self.client.load_collection(name)

    def _create(self, spec: IndexSpec) -> None:
        """Collections, indexes and this corpus' partition, where missing."""
        from pymilvus import DataType, Function, FunctionType

        c = self.client
        if c.has_collection(self.collection) and self._dense_dim() != spec.dim:
            others = [p for p in c.list_partitions(self.collection) if p not in ("_default", self.corpus)]
            if others:
                raise IndexMismatchError(
                    f"Milvus collection {self.collection!r} holds {self._dense_dim()}-d vectors for other corpora "
                    f"({', '.join(others)}); the embedder makes {spec.dim}-d ones. Use another RAG_MILVUS_COLLECTION"
                )
            c.drop_collection(self.collection)  # only this corpus lived there, and it is being rebuilt
        if not c.has_collection(self.collection):
            s = c.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("id", DataType.INT64, is_primary=True)
            for name in ("chunk_id", "doc_id", "source", "title", "section"):
                s.add_field(name, DataType.VARCHAR, max_length=4096)
            s.add_field("text", DataType.VARCHAR, max_length=_MAX_VARCHAR)
            for name in ("start", "end", "tokens", "ordinal"):
                s.add_field(name, DataType.INT64)
            s.add_field(
                "match",
                DataType.VARCHAR,
                max_length=_MAX_VARCHAR,
                enable_analyzer=True,
                analyzer_params=ANALYZER,
            )
            s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            s.add_field("dense", DataType.FLOAT_VECTOR, dim=spec.dim)
            s.add_function(
                Function(
                    name="bm25",
                    function_type=FunctionType.BM25,
                    input_field_names=["match"],
                    output_field_names=["sparse"],
                )
            )
            ip = c.prepare_index_params()
            ip.add_index("dense", index_type=self.index_type, metric_type="IP")
            ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
            c.create_collection(self.collection, schema=s, index_params=ip)
        if not c.has_collection(self.meta):
            s = c.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=8192)
            s.add_field("corpus", DataType.VARCHAR, max_length=256)
            s.add_field("kind", DataType.VARCHAR, max_length=32)
            s.add_field("value", DataType.JSON)
            s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
            ip = c.prepare_index_params()
            ip.add_index("v", index_type="FLAT", metric_type="L2")
            c.create_collection(self.meta, schema=s, index_params=ip)
        self._load_collections()
        if not c.has_partition(self.collection, self.corpus):
            c.create_partition(self.collection, self.corpus)
            c.load_collection(self.collection)  # Milvus Lite loads whole collections only

    def _dense_dim(self) -> int:
        for f in self.client.describe_collection(self.collection)["fields"]:
            if f["name"] == "dense":
                return int(f["params"]["dim"])
        return 0

    # --- meta rows -------------------------------------------------------------------------

    def _key(self, kind: str, name: str = "") -> str:
        return f"{self.corpus}\x1f{kind}\x1f{name}"

    def _get_meta(self, kind: str, name: str = "") -> Any:
        rows = self.client.get(self.meta, ids=[self._key(kind, name)], output_fields=["value"])
        return rows[0]["value"] if rows else None

    def _put_meta(self, values: dict[str, Any]) -> None:
        self._upsert_meta([(kind, "", v) for kind, v in values.items()])

    def _upsert_meta(self, rows: list[tuple[str, str, Any]]) -> None:
        data = [
            {
                "key": self._key(kind, name),
                "corpus": self.corpus,
                "kind": kind,
                "value": value,
                "v": [0.0, 0.0],
            }
            for kind, name, value in rows
        ]
        for i in range(0, len(data), _BATCH):
            self.client.upsert(self.meta, data[i : i + _BATCH])

    def _query_meta(self, kind: str, fields: Sequence[str] = ("key", "value")) -> Iterator[dict]:
        it = self.client.query_iterator(
            self.meta,
            batch_size=_BATCH,
            filter=f"corpus == {_q(self.corpus)} and kind == {_q(kind)}",
            output_fields=list(fields),
        )
        try:
            while rows := it.next():
                yield from rows
        finally:
            it.close()

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    def refresh(self) -> bool:
        gen = self._get_meta("generation") or {"n": 0}
        if int(gen["n"]) == self._generation:
            return False
        self._generation = int(gen["n"])
        self._docs, self._vocab = None, None
        return True

    @contextmanager
    def writing(self, spec: IndexSpec | None = None, *, rebuild: bool = False) -> Iterator[_Writer]:
        """Changes go to Milvus as they are made; old rows are deleted and the new generation is
        published on a clean exit, and an exception deletes what the block inserted."""
        with self._write_lock:
            present = self.exists()
            stored = IndexSpec(**self._get_meta("spec")) if present else None
            if stored is None and spec is None:
                raise IndexMissingError(
                    f"no index for corpus {self.corpus!r} in Milvus collection {self.collection!r}; "
                    "run `rag ingest` first"
                )
            if stored is not None and spec is not None and stored != spec and not rebuild:
                raise IndexMismatchError(
                    f"corpus {self.corpus!r} in Milvus collection {self.collection!r} was built with "
                    f"{stored.describe()}; the settings ask for {spec.describe()}. Rebuild it with "
                    "`rag ingest --rebuild`"
                )
            target = spec if (rebuild or stored is None) and spec is not None else stored
            assert target is not None
            if not present or rebuild:
                self._create(target)
            if self._get_meta("generation") is None:
                self._put_meta({"generation": {"n": 0}})
            self.spec = target
            self._generation = -1
            self.refresh()
            writer = _Writer(self, {} if rebuild else dict(self._documents()), rebuild=rebuild)
            try:
                yield writer
            except BaseException:
                writer.abort()
                raise
            writer.commit(target)

    def compact(self) -> dict[str, Any]:
        """Ask Milvus to merge segments and drop deleted rows (asynchronous on a server). Segment
        counts are not exposed the same way by Lite and servers, so they are reported as unknown (-1)."""
        started = time.perf_counter()
        report: dict[str, Any] = {"store": "milvus", "segments_before": -1, "segments_after": -1}
        try:
            report["job"] = str(self.client.compact(self.collection))
            report["compacted"] = True
        except Exception as exc:  # noqa: BLE001 - servers and Lite differ in what they support
            report.update(compacted=False, reason=str(exc).splitlines()[0][:200])
        report["seconds"] = round(time.perf_counter() - started, 3)
        return report

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _next_ids(self, n: int) -> list[int]:
        key = "\x1fnext_id\x1f"  # collection-wide: ids are primary keys across all corpora
        rows = self.client.get(self.meta, ids=[key], output_fields=["value"])
        start = int(rows[0]["value"]["n"]) if rows else 0
        self.client.upsert(
            self.meta,
            [{"key": key, "corpus": "", "kind": "next_id", "value": {"n": start + n}, "v": [0.0, 0.0]}],
        )
        return list(range(start, start + n))

    def _apply_df(self, delta: Counter[str], *, reset: bool) -> None:
        """Document frequencies of the keyword terms (for cross-lingual expansion) follow the chunks."""
        c = self.client
        if reset:
            c.delete(self.meta, filter=f'corpus == {_q(self.corpus)} and kind == "df"')
        terms = [t for t, d in delta.items() if d]
        current: dict[str, int] = {}
        for i in range(0, len(terms), _BATCH):
            keys = [self._key("df", t) for t in terms[i : i + _BATCH]]
            for r in c.get(self.meta, ids=keys, output_fields=["key", "value"]):
                current[r["key"].rsplit("\x1f", 1)[1]] = int(r["value"]["df"])
        keep = [
            ("df", t, {"df": current.get(t, 0) + delta[t]}) for t in terms if current.get(t, 0) + delta[t] > 0
        ]
        drop = [self._key("df", t) for t in terms if current.get(t, 0) + delta[t] <= 0 and t in current]
        self._upsert_meta(keep)
        for i in range(0, len(drop), _BATCH):
            c.delete(self.meta, ids=drop[i : i + _BATCH])

    # --- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        rows = self.client.query(
            self.collection, filter="", output_fields=["count(*)"], partition_names=[self.corpus]
        )
        return int(rows[0]["count(*)"]) if rows else 0

    def dense_search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        res = self.client.search(
            self.collection,
            data=[np.asarray(query, dtype=np.float32).tolist()],
            anns_field="dense",
            limit=k,
            search_params={"metric_type": "IP"},
            partition_names=[self.corpus],
        )
        return [(int(h["id"]), float(h["distance"])) for h in res[0]]

    def keyword_search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        terms = [t for t in tokens if t.strip() and len(t) <= _MAX_TERM]
        if not terms:
            return []
        res = self.client.search(
            self.collection,
            data=[" ".join(terms)],
            anns_field="sparse",
            limit=k,
            search_params={"metric_type": "BM25"},
            partition_names=[self.corpus],
        )
        # Milvus servers report BM25 scores as positive distances, Milvus Lite as their negatives;
        # dividing by k1 + 1 puts them on bm25s' scale (it leaves that factor out), same ranking.
        scale = 1.0 / (BM25_PARAMS["bm25_k1"] + 1.0)
        hits = [(int(h["id"]), abs(float(h["distance"])) * scale) for h in res[0]]
        return [(i, s) for i, s in hits if s > 0]

    def get_chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        out: dict[int, Chunk] = {}
        ids = [int(i) for i in ids]
        for j in range(0, len(ids), _BATCH):
            for r in self.client.get(
                self.collection, ids=ids[j : j + _BATCH], output_fields=list(_CHUNK_FIELDS)
            ):
                out[int(r["id"])] = Chunk(**{f: r[f] for f in _CHUNK_FIELDS})
        return out

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        ids = [int(i) for i in ids]
        found: dict[int, list[float]] = {}
        for j in range(0, len(ids), _BATCH):
            for r in self.client.get(self.collection, ids=ids[j : j + _BATCH], output_fields=["dense"]):
                found[int(r["id"])] = r["dense"]
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(f"no vectors for chunk ids {missing[:5]}")
        if not ids:
            return np.zeros((0, self.spec.dim), dtype=np.float32)
        return np.asarray([found[i] for i in ids], dtype=np.float32)

    def _documents(self) -> dict[str, DocRecord]:
        if self._docs is None:
            self._docs = {
                r["value"]["source"]: DocRecord(**r["value"])
                for r in self._query_meta("doc", ("key", "value"))
            }
        return self._docs

    def document(self, source: str) -> DocRecord | None:
        return self._documents().get(source)

    def documents(self) -> Iterator[DocRecord]:
        return iter(sorted(self._documents().values(), key=lambda d: d.source))

    def vocabulary(self) -> Vocabulary:
        """Terms and document frequencies, read once per generation (kept in Milvus as meta rows)."""
        if self._vocab is None:
            df = {r["key"].rsplit("\x1f", 1)[1]: int(r["value"]["df"]) for r in self._query_meta("df")}
            self._vocab = Vocabulary(frozenset(df), df, len(self))
        return self._vocab

    def stats(self) -> StoreStats:
        where = "Milvus Lite file" if is_local_uri(self.uri) else "Milvus server"
        return StoreStats(
            chunks=len(self),
            documents=len(self._documents()),
            spec=self.spec,
            store="milvus",
            keyword_engine="milvus-bm25 (jieba analyzer)",
            generation=self._generation,
            extra={
                "uri": self.uri if is_local_uri(self.uri) else _redact(self.uri),
                "deployment": where,
                "collection": self.collection,
                "corpus": self.corpus,
                "dense_index": self.index_type,
            },
        )


class _Writer:
    """The mutable side of one ``writing()`` block (reads not named here go to the store)."""

    def __init__(self, store: MilvusStore, docs: dict[str, DocRecord], *, rebuild: bool) -> None:
        self.store = store
        self.docs = docs  # documents as they will be after this block
        self.rebuild = rebuild
        self.inserted: list[int] = []
        self.removed: list[int] = []
        self.terms: dict[int, set[str]] = {}  # inserted id -> its distinct terms
        self.first_id: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def document(self, source: str) -> DocRecord | None:
        return self.docs.get(source)

    def replace_document(
        self,
        record: DocRecord,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        keyword_tokens: Sequence[Sequence[str]],
    ) -> list[int]:
        if len(chunks) != len(vectors) or len(chunks) != len(keyword_tokens):
            raise ValueError("chunks, vectors and tokens differ in length")
        if record.source in self.docs:
            self.remove_document(record.source)
        st = self.store
        ids = st._next_ids(len(chunks))
        if self.first_id is None and ids:
            self.first_id = ids[0]
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = []
        for i, chunk, vec, toks in zip(ids, chunks, vectors, keyword_tokens, strict=True):
            terms = [t for t in toks if t.strip() and len(t) <= _MAX_TERM and " " not in t]
            row = {f: getattr(chunk, f) for f in _CHUNK_FIELDS}
            row.update(id=i, match=" ".join(terms) or "<empty>", dense=vec.tolist())
            for f in ("text", "match", "title", "section"):
                limit = _MAX_VARCHAR if f in ("text", "match") else 4096
                if len(row[f].encode("utf-8")) > limit:
                    raise ValueError(f"{chunk.chunk_id}: {f} is longer than Milvus' {limit}-byte limit")
            rows.append(row)
            self.terms[i] = set(terms)
        for j in range(0, len(rows), _BATCH):
            st.client.insert(st.collection, rows[j : j + _BATCH], partition_name=st.corpus)
            self.inserted.extend(r["id"] for r in rows[j : j + _BATCH])
        record.ids = ids
        record.ingested_at = record.ingested_at or time.time()
        self.docs[record.source] = record
        return ids

    def remove_document(self, source: str) -> int:
        record = self.docs.pop(source, None)
        if record is None:
            raise UnknownDocumentError(f"no document {source!r} in the index (see `rag docs`)")
        pending = set(self.inserted)
        fresh = [i for i in record.ids if i in pending]
        self.removed.extend(i for i in record.ids if i not in pending)
        if fresh:  # inserted earlier in this same block: never committed, gone now
            st = self.store
            st.client.delete(st.collection, ids=fresh, partition_name=st.corpus)
            gone = set(fresh)
            self.inserted = [i for i in self.inserted if i not in gone]
            for i in fresh:
                self.terms.pop(i, None)
        return len(record.ids)

    def abort(self) -> None:
        st = self.store
        for i in range(0, len(self.inserted), _BATCH):
            st.client.delete(st.collection, ids=self.inserted[i : i + _BATCH], partition_name=st.corpus)
        st.client.flush(st.collection)

    def commit(self, spec: IndexSpec) -> None:
        st, c = self.store, self.store.client
        old = st._documents()
        if not self.inserted and not self.removed and not self.rebuild and self.docs == old:
            return
        delta: Counter[str] = Counter()
        for terms in self.terms.values():
            delta.update(terms)
        if self.rebuild:  # everything older than this block goes
            older = f"id < {self.first_id}" if self.first_id is not None else "id >= 0"
            c.delete(st.collection, filter=older, partition_name=st.corpus)
        else:
            for i in range(0, len(self.removed), _BATCH):  # their terms leave the vocabulary
                batch = self.removed[i : i + _BATCH]
                for r in c.get(st.collection, ids=batch, output_fields=["match"]):
                    delta.subtract(set(r["match"].split()))
                c.delete(st.collection, ids=batch, partition_name=st.corpus)
        st._apply_df(delta, reset=self.rebuild)
        st._upsert_meta([("doc", s, asdict(d)) for s, d in self.docs.items() if d != old.get(s)])
        dropped = [st._key("doc", s) for s in old if s not in self.docs]
        for i in range(0, len(dropped), _BATCH):
            c.delete(st.meta, ids=dropped[i : i + _BATCH])
        gen = st._get_meta("generation") or {"n": 0}
        st._upsert_meta(
            [("spec", "", asdict(spec)), ("generation", "", {"n": int(gen["n"]) + 1, "at": time.time()})]
        )
        c.flush(st.collection)
        c.flush(st.meta)
        st.refresh()


def _q(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value, ensure_ascii=False)


def _redact(uri: str) -> str:
    return re.sub(r"//[^@/]*@", "//***@", uri)
