"""The on-disk index: FAISS vectors + BM25 keyword index + a manifest, saved atomically.

Layout under the index dir::

    CURRENT            name of the live generation (replaced atomically with os.replace)
    gen-000007/        manifest.json, vectors.faiss, chunks.jsonl, bm25/

A save writes a complete new generation and only then flips CURRENT, so a crash mid-write
leaves the previous index usable. FAISS uses an exact inner-product index wrapped in an
``IndexIDMap2`` so one document's vectors can be removed and re-added (the Chatchat
"deleted document still answers" bug).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from rag.errors import IndexMismatchError, IndexMissingError, UnknownDocumentError
from rag.store.base import DocRecord, IndexSpec, StoreStats, Vocabulary
from rag.types import Chunk

FORMAT_VERSION = 1


class Index:
    def __init__(self, spec: IndexSpec) -> None:
        self.spec = spec
        self.vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(spec.dim))
        self.chunks: dict[int, Chunk] = {}
        self.tokens: dict[int, list[str]] = {}
        self.docs: dict[str, DocRecord] = {}
        self.next_id = 0
        self._bm25: Any = None
        self._bm25_ids: list[int] = []
        self._bm25_dirty = True

    # --- mutation ----------------------------------------------------------------------

    def replace_document(
        self,
        record: DocRecord,
        chunks: list[Chunk],
        vectors: np.ndarray,
        tokens: list[list[str]],
    ) -> None:
        """Insert a document's chunks, first dropping any older version of the same source."""
        if record.source in self.docs:
            self.remove_document(record.source)
        if len(chunks) != len(vectors) or len(chunks) != len(tokens):
            raise ValueError("chunks, vectors and tokens differ in length")
        ids = list(range(self.next_id, self.next_id + len(chunks)))
        self.next_id += len(chunks)
        if chunks:
            self.vectors.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.array(ids, dtype=np.int64)
            )
        for i, c, t in zip(ids, chunks, tokens, strict=True):
            self.chunks[i] = c
            self.tokens[i] = t
        record.ids = ids
        record.ingested_at = record.ingested_at or time.time()
        self.docs[record.source] = record
        self._bm25_dirty = True

    def remove_document(self, source: str) -> int:
        record = self.docs.pop(source, None)
        if record is None:
            raise UnknownDocumentError(f"no document {source!r} in the index (see `rag docs`)")
        if record.ids:
            self.vectors.remove_ids(np.array(record.ids, dtype=np.int64))
        for i in record.ids:
            self.chunks.pop(i, None)
            self.tokens.pop(i, None)
        self._bm25_dirty = True
        return len(record.ids)

    def copy(self) -> Index:
        """A deep copy to mutate while readers keep using this one (copy-on-write ingest)."""
        other = Index(self.spec)
        other.vectors = faiss.deserialize_index(faiss.serialize_index(self.vectors))
        other.chunks = dict(self.chunks)
        other.tokens = dict(self.tokens)
        other.docs = {k: DocRecord(**asdict(v)) for k, v in self.docs.items()}
        other.next_id = self.next_id
        return other

    # --- search ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunks)

    def dense_search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        if not self.chunks:
            return []
        n = min(n, len(self.chunks))
        scores, ids = self.vectors.search(np.ascontiguousarray(query[None, :], dtype=np.float32), n)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def vector(self, chunk_id: int) -> np.ndarray:
        return self.vectors.reconstruct(int(chunk_id))

    def _ensure_bm25(self) -> None:
        if not self._bm25_dirty:
            return
        import bm25s

        ids = sorted(self.chunks)
        corpus = [self.tokens[i] or ["<empty>"] for i in ids]
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        self._bm25, self._bm25_ids, self._bm25_dirty = retriever, ids, False

    def keyword_search(self, tokens: list[str], n: int) -> list[tuple[int, float]]:
        self._ensure_bm25()
        if not self._bm25_ids or not tokens:
            return []
        vocab = self._bm25.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        n = min(n, len(scores))
        top = np.argsort(-scores)[:n]
        return [(self._bm25_ids[j], float(scores[j])) for j in top if scores[j] > 0]

    # --- Store protocol ------------------------------------------------------------------

    generation = 0
    index_dir: Path | None = None

    def refresh(self) -> bool:
        return False

    @contextmanager
    def writing(self) -> Iterator[Index]:
        yield self
        if self.index_dir is not None:
            self.save(self.index_dir)

    def close(self) -> None:
        pass

    def get_chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        return {int(i): self.chunks[int(i)] for i in ids if int(i) in self.chunks}

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        if not len(ids):
            return np.zeros((0, self.spec.dim), dtype=np.float32)
        return np.vstack([self.vectors.reconstruct(int(i)) for i in ids])

    def document(self, source: str) -> DocRecord | None:
        return self.docs.get(source)

    def documents(self) -> Iterator[DocRecord]:
        return iter(sorted(self.docs.values(), key=lambda d: d.source))

    def vocabulary(self) -> Vocabulary:
        self._ensure_bm25()
        bm25 = self._bm25
        if bm25 is None:
            return Vocabulary(frozenset(), {}, 0)
        vocab = bm25.vocab_dict
        indptr = bm25.scores["indptr"]  # CSC by token: a column's length is its document frequency
        df = {t: int(indptr[i + 1] - indptr[i]) for t, i in vocab.items() if i + 1 < len(indptr)}
        return Vocabulary(vocab, df, int(bm25.scores.get("num_docs", len(self))))

    def stats(self) -> StoreStats:
        return StoreStats(len(self), len(self.docs), self.spec, "faiss", "bm25", self.generation)

    # --- persistence -------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "spec": asdict(self.spec),
            "next_id": self.next_id,
            "documents": {k: asdict(v) for k, v in self.docs.items()},
            "chunks": len(self.chunks),
            "saved_at": time.time(),
        }

    def save(self, index_dir: Path) -> Path:
        """Write a new generation, then flip CURRENT atomically; old generations are pruned."""
        index_dir.mkdir(parents=True, exist_ok=True)
        current = _current_generation(index_dir)
        number = int(current.name.split("-")[1]) + 1 if current else 1
        gen = index_dir / f"gen-{number:06d}"
        tmp = index_dir / f".tmp-{gen.name}-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        faiss.write_index(self.vectors, str(tmp / "vectors.faiss"))
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for i in sorted(self.chunks):
                fh.write(
                    json.dumps(
                        {"id": i, "chunk": self.chunks[i].to_dict(), "tokens": self.tokens[i]},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        self._ensure_bm25()
        if self._bm25_ids:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "bm25_ids.json").write_text(json.dumps(self._bm25_ids))
        (tmp / "manifest.json").write_text(
            json.dumps(self.manifest(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _fsync_tree(tmp)
        if gen.exists():
            shutil.rmtree(gen)
        tmp.rename(gen)
        pointer = index_dir / ".CURRENT.tmp"
        pointer.write_text(gen.name)
        _fsync_file(pointer)
        os.replace(pointer, index_dir / "CURRENT")
        for old in index_dir.glob("gen-*"):
            if old != gen:
                shutil.rmtree(old, ignore_errors=True)
        for stale in index_dir.glob(".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        return gen

    @classmethod
    def load(cls, index_dir: Path, expect: IndexSpec | None = None) -> Index:
        gen = _current_generation(index_dir)
        if gen is None:
            raise IndexMissingError(f"no index at {index_dir}; run `rag ingest` first")
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index at {index_dir} has format {manifest.get('format_version')}, this version reads "
                f"{FORMAT_VERSION}; rebuild it with `rag ingest --rebuild`"
            )
        spec = IndexSpec(**manifest["spec"])
        if expect is not None and spec != expect:
            raise IndexMismatchError(
                f"index at {index_dir} was built with {spec.describe()}; the settings ask for "
                f"{expect.describe()}. Rebuild it with `rag ingest --rebuild` (or point RAG_INDEX_DIR elsewhere)"
            )
        index = cls(spec)
        index.vectors = faiss.read_index(str(gen / "vectors.faiss"))
        with open(gen / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                index.chunks[row["id"]] = Chunk(**row["chunk"])
                index.tokens[row["id"]] = row["tokens"]
        index.docs = {k: DocRecord(**v) for k, v in manifest["documents"].items()}
        index.next_id = manifest["next_id"]
        ids = json.loads((gen / "bm25_ids.json").read_text())
        if ids and (gen / "bm25").exists():
            import bm25s

            index._bm25 = bm25s.BM25.load(str(gen / "bm25"), show_progress=False, verbosity=0)
            index._bm25_ids, index._bm25_dirty = ids, False
        return index

    @staticmethod
    def exists(index_dir: Path) -> bool:
        return _current_generation(index_dir) is not None


def _current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    gen = index_dir / pointer.read_text().strip()
    return gen if (gen / "manifest.json").is_file() else None


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_tree(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            _fsync_file(p)
