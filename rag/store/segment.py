"""One immutable segment of the index: the vectors, an optional approximate FAISS index over them,
and BM25 postings for a contiguous batch of chunks.

A new document goes into a small new segment; ``rag compact`` merges segments (dropping
tombstoned chunks) into one, which gets an approximate index when it is large enough. Files::

    ids.npy         int64 store ids, ascending (row i of everything below is chunk ids[i])
    vectors.npy     float32 (n, dim), memory-mapped: exact scoring and cosines of keyword hits
    ann.faiss       IVF (fp16 codes) or HNSW over the rows, only for large segments
    terms.json, bm25_*.npy   postings (rag.store.bm25)
    segment.json    n, dim, ann kind
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.store.bm25 import Postings

ANN_KINDS = ("auto", "flat", "ivf", "hnsw")


@dataclass(frozen=True)
class AnnParams:
    kind: str = "auto"  # auto | flat | ivf | hnsw
    auto_min_chunks: int = 50_000  # auto: exact below this segment size
    ivf_nprobe: int = 48
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    rerank: int = 4  # approximate candidates per wanted hit, rescored exactly from vectors.npy

    def choose(self, n: int) -> str:
        if self.kind != "auto":
            return self.kind
        return "ivf" if n >= self.auto_min_chunks else "flat"


class Segment:
    def __init__(self, folder: Path, ids: np.ndarray, vectors: np.ndarray, postings: Postings, ann) -> None:
        self.folder = folder
        self.name = folder.name
        self.ids = ids
        self.vectors = vectors
        self.postings = postings
        self.ann = ann
        self.ann_kind = "flat" if ann is None else _kind_of(ann)

    def __len__(self) -> int:
        return len(self.ids)

    # --- building ----------------------------------------------------------------------

    @classmethod
    def write(
        cls,
        root: Path,
        ids: np.ndarray,
        vectors: np.ndarray,
        postings: Postings,
        ann: AnnParams,
        *,
        threads: int = 1,
    ) -> Segment:
        """Write a new segment folder (complete before it is renamed into place) and open it."""
        name = f"seg-{uuid.uuid4().hex[:12]}"
        tmp = root / f".tmp-{name}-{os.getpid()}"
        tmp.mkdir(parents=True)
        try:
            ids = np.asarray(ids, dtype=np.int64)
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            np.save(tmp / "ids.npy", ids)
            np.save(tmp / "vectors.npy", vectors)
            postings.save(tmp)
            kind = ann.choose(len(ids))
            if kind != "flat" and len(ids):
                import faiss

                faiss.omp_set_num_threads(max(1, threads))
                index = _build_ann(kind, vectors, ann)
                faiss.write_index(index, str(tmp / "ann.faiss"))
            (tmp / "segment.json").write_text(
                json.dumps({"n": len(ids), "dim": int(vectors.shape[1]), "ann": kind})
            )
            for p in tmp.iterdir():
                _fsync(p)
            tmp.rename(root / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls.open(root / name, ann)

    @classmethod
    def open(cls, folder: Path, ann: AnnParams) -> Segment:
        ids = np.load(folder / "ids.npy")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        postings = Postings.load(folder)
        index = None
        if (folder / "ann.faiss").exists():
            import faiss

            index = faiss.read_index(str(folder / "ann.faiss"))
            _tune(index, ann)
        return cls(folder, ids, vectors, postings, index)

    # --- search ------------------------------------------------------------------------

    def rows_of(self, ids: Sequence[int]) -> np.ndarray:
        """Row numbers of these ids (-1 where the id is not in this segment)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self.ids, ids)
        rows[rows >= len(self.ids)] = 0
        ok = self.ids[rows] == ids if len(self.ids) else np.zeros(len(ids), dtype=bool)
        return np.where(ok, rows, -1)

    def dense(
        self, query: np.ndarray, k: int, dead: np.ndarray | None, ann: AnnParams, n_dead: int | None = None
    ) -> list[tuple[int, float]]:
        n = len(self.ids)
        if n == 0:
            return []
        if self.ann is None:
            scores = np.asarray(self.vectors @ query, dtype=np.float32)
            if dead is not None:
                scores[dead] = -np.inf
            return _top(scores, self.ids, k)
        extra = 0 if dead is None else n_dead if n_dead is not None else int(dead.sum())
        want = min(n, max(k * ann.rerank, k + 16) + min(extra, 4 * k))
        _, found = self.ann.search(np.ascontiguousarray(query[None, :], dtype=np.float32), want)
        rows = np.unique(found[0][found[0] >= 0])
        if dead is not None:
            rows = rows[~dead[rows]]
        # Exact inner products for the candidates (the ANN codes are fp16 or graph-approximate).
        exact = np.asarray(self.vectors[rows] @ query, dtype=np.float32)
        return _top(exact, self.ids[rows], k)

    def keyword(
        self, tokens: Sequence[str], idfs: Mapping[str, float], k: int, dead: np.ndarray | None
    ) -> list[tuple[int, float]]:
        # Pruned exact top-k: no per-query pass over all rows (rag.store.bm25.Postings.top).
        rows, scores = self.postings.top(tokens, idfs, k, len(self.ids), dead)
        return _top(scores, self.ids[rows], k)


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (id, score), best first; ties broken by id. Partial selection, not a full sort."""
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return []
    if k < n:
        part = np.argpartition(-scores, k - 1)[:k]
        # Rows tied with the k-th score all compete, so the id tie-break is exact (not partition order).
        part = np.flatnonzero(scores >= scores[part].min())
    else:
        part = np.arange(n)
    part = part[np.isfinite(scores[part])]
    order = part[np.lexsort((ids[part], -scores[part]))][:k]
    return [(int(ids[r]), float(scores[r])) for r in order]


def _build_ann(kind: str, vectors: np.ndarray, ann: AnnParams):
    import faiss

    n, dim = vectors.shape
    if kind == "ivf":
        nlist = int(max(16, min(65536, 4 * np.sqrt(n))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        rng = np.random.default_rng(0)
        sample = vectors[np.sort(rng.choice(n, size=min(n, nlist * 40), replace=False))]
        index.train(np.ascontiguousarray(sample))
        for lo in range(0, n, 100_000):
            index.add(np.ascontiguousarray(vectors[lo : lo + 100_000]))
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, ann.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        for lo in range(0, n, 100_000):
            index.add(np.ascontiguousarray(vectors[lo : lo + 100_000]))
    else:
        raise ValueError(f"unknown FAISS index kind {kind!r}; use one of {', '.join(ANN_KINDS)}")
    _tune(index, ann)
    return index


def _tune(index, ann: AnnParams) -> None:
    if hasattr(index, "nprobe"):
        index.nprobe = ann.ivf_nprobe
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = ann.hnsw_ef_search


def _kind_of(index) -> str:
    return "hnsw" if hasattr(index, "hnsw") else "ivf"


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
