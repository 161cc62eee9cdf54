"""BM25 postings for one immutable segment, scored with corpus-wide IDF across segments.

Lucene BM25 (k1 1.5, b 0.75, as bm25s computes it): score = Σ_t idf(t) · tf / (tf + k1·(1 − b + b·dl/avgdl)).
The term-frequency part depends only on the segment (its own average length), so it is
precomputed per posting; the IDF part is corpus-wide (document frequencies summed over segments),
so scores from different segments compare and a new small segment does not get inflated IDFs.

Postings are stored column-wise (CSC by term) in .npy files that are memory-mapped on load: a
query touches only its own terms' postings, and token lists are never kept in memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

K1 = 1.5
B = 0.75
EMPTY = "<empty>"  # an empty token list still counts as a document (as bm25s did)


def idf(df: int, n_docs: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


class Postings:
    """Term → (positions, tf-part) for the chunks of one segment (positions are row numbers)."""

    def __init__(self, terms: list[str], indptr: np.ndarray, rows: np.ndarray, tfc: np.ndarray) -> None:
        self.terms = terms
        self.column = {t: i for i, t in enumerate(terms)}
        self.indptr = indptr
        self.rows = rows
        self.tfc = tfc
        self.tf: np.ndarray = np.zeros(0, dtype=np.uint16)  # raw counts and row lengths, kept on disk
        self.lengths: np.ndarray = np.zeros(0, dtype=np.float32)  # for merging segments

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]]) -> Postings:
        encoder = TermEncoder()
        return encoder.postings([encoder.encode(toks) for toks in token_lists])

    @classmethod
    def from_encoded(cls, names: list[str], docs: Sequence[np.ndarray]) -> Postings:
        """Postings from each row's term ids (``names[i]`` is term i)."""
        n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.int64)
        terms = np.concatenate(docs) if n else np.zeros(0, dtype=np.int64)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        width = max(n, 1)
        keys, tf = np.unique(terms.astype(np.int64) * width + rows, return_counts=True)
        return cls.from_coo(names, keys // width, keys % width, tf, lengths.astype(np.float32))

    @classmethod
    def from_coo(
        cls, names: list[str], term: np.ndarray, row: np.ndarray, tf: np.ndarray, lengths: np.ndarray
    ) -> Postings:
        """Postings from (term id, row, tf) triples; ``lengths`` are the rows' token counts."""
        order = np.argsort(names, kind="stable")  # columns in sorted term order
        remap = np.empty(len(names), dtype=np.int64)
        remap[order] = np.arange(len(names))
        term = remap[term]
        sort = np.lexsort((row, term))
        term, row, tf = term[sort], row[sort], tf[sort]
        indptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=len(names)), out=indptr[1:])
        avgdl = float(lengths.mean()) if len(lengths) else 1.0
        tff = tf.astype(np.float32)
        tfc = tff / (tff + K1 * (1 - B + B * lengths[row] / avgdl))
        p = cls([names[i] for i in order], indptr, row.astype(np.int32), tfc.astype(np.float32))
        p.tf, p.lengths = tf.astype(np.uint16), lengths.astype(np.float32)
        return p

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term column, row, tf) of every posting, for merging segments."""
        term = np.repeat(np.arange(len(self.terms), dtype=np.int64), np.diff(self.indptr))
        return term, np.asarray(self.rows, dtype=np.int64), np.asarray(self.tf)

    def doc_freq(self) -> dict[str, int]:
        df = np.diff(self.indptr)
        return {t: int(df[i]) for i, t in enumerate(self.terms)}

    def score(self, tokens: Sequence[str], idfs: Mapping[str, float], n_rows: int) -> np.ndarray | None:
        """Scores of every row for these query tokens (duplicates count twice, as in bm25s); None if no hit."""
        scores: np.ndarray | None = None
        for t in tokens:
            col = self.column.get(t)
            if col is None:
                continue
            lo, hi = int(self.indptr[col]), int(self.indptr[col + 1])
            if scores is None:
                scores = np.zeros(n_rows, dtype=np.float32)
            scores[self.rows[lo:hi]] += np.float32(idfs[t]) * self.tfc[lo:hi]
        return scores

    def save(self, folder: Path) -> None:
        (folder / "terms.json").write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")
        np.save(folder / "bm25_indptr.npy", self.indptr)
        np.save(folder / "bm25_rows.npy", self.rows)
        np.save(folder / "bm25_tfc.npy", self.tfc)
        np.save(folder / "bm25_tf.npy", self.tf)
        np.save(folder / "bm25_lengths.npy", self.lengths)

    @classmethod
    def load(cls, folder: Path) -> Postings:
        terms = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        p = cls(
            terms,
            np.load(folder / "bm25_indptr.npy"),
            np.load(folder / "bm25_rows.npy", mmap_mode="r"),
            np.load(folder / "bm25_tfc.npy", mmap_mode="r"),
        )
        p.tf = np.load(folder / "bm25_tf.npy", mmap_mode="r")
        p.lengths = np.load(folder / "bm25_lengths.npy", mmap_mode="r")
        return p


class TermEncoder:
    """Token lists → compact int32 term-id arrays (what a writer buffers instead of Python strings)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        ids = self.ids
        toks = tokens or [EMPTY]
        return np.fromiter((ids.setdefault(t, len(ids)) for t in toks), dtype=np.int32, count=len(toks))

    def postings(self, docs: Sequence[np.ndarray]) -> Postings:
        names = sorted(self.ids, key=self.ids.__getitem__)
        return Postings.from_encoded(names, docs)
