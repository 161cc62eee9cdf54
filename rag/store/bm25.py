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
PRUNE_MIN_POSTINGS = 20_000  # below this many postings a query is scored by brute force (cheap)
SEED_PER_TERM = 64  # best rows per term scored up front to get a first k-th-best score
DENSE_FRACTION = 0.25  # pruning gives up when more than this share of rows stay candidates
_EMPTY_ROWS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)


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
        """Scores of every row for these query tokens (duplicates count twice, as in bm25s); None if no hit.

        The brute-force reference: every posting of every term scattered into a dense array.
        """
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

    def top(
        self,
        tokens: Sequence[str],
        idfs: Mapping[str, float],
        k: int,
        n_rows: int,
        dead: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the k best live rows with a positive score, unordered: exact top-k.

        Scoring every posting of a common term costs O(postings) random writes (about 500k at 1M
        chunks). Instead (MaxScore with a per-posting filter): score a few promising rows exactly to
        get θ, a lower bound of the k-th best score; then any row that can reach θ must (a) occur in
        an "essential" term, one not among the low-bound terms whose bounds sum below θ, and (b)
        have, in some term j, a contribution ≥ θ − (Σ bounds − bound_j). Only rows passing the
        cheaper of these filters are scored, each exactly as ``score`` would (same float32 order),
        so results equal brute force. Falls back to ``score`` when pruning would not pay.
        """
        order = [t for t in tokens if t in self.column]
        if not order or k <= 0:
            return _EMPTY_ROWS, _EMPTY_SCORES
        weight: dict[int, float] = {}
        for t in order:
            col = self.column[t]
            weight[col] = weight.get(col, 0.0) + float(idfs[t])
        spans = {c: (int(self.indptr[c]), int(self.indptr[c + 1])) for c in weight}
        spans = {c: span for c, span in spans.items() if span[1] > span[0]}  # merged-away terms
        if not spans:
            return _EMPTY_ROWS, _EMPTY_SCORES
        total = sum(hi - lo for lo, hi in spans.values())
        if total <= PRUNE_MIN_POSTINGS:
            return self._dense_top(order, idfs, k, n_rows, dead)
        # Bounds and seeds: each term's best rows by tf-part (a linear scan, no random writes).
        bound: dict[int, float] = {}
        tfcs: dict[int, np.ndarray] = {}
        weight = {c: weight[c] for c in spans}
        seeds = []
        for c, (lo, hi) in spans.items():
            tfc = np.asarray(self.tfc[lo:hi])
            tfcs[c] = tfc
            want = min(len(tfc), SEED_PER_TERM)
            best = np.argpartition(-tfc, want - 1)[:want] if want < len(tfc) else np.arange(len(tfc))
            bound[c] = weight[c] * float(tfc[best].max())
            seeds.append(np.asarray(self.rows[lo:hi])[best])
        cand = np.unique(np.concatenate(seeds))
        if dead is not None:
            cand = cand[~dead[cand]]
        theta = 0.0
        if len(cand) >= k:
            sc = self._exact(order, idfs, cand)
            theta = float(np.partition(sc, len(sc) - k)[len(sc) - k])
        if theta <= 0:
            return self._dense_top(order, idfs, k, n_rows, dead)
        slack = 1e-5 * theta  # float32 rounding of the real sums
        ub_total = sum(bound.values())
        # (a) MaxScore: terms whose bounds together stay below θ cannot bring a row in on their own.
        by_bound = sorted(bound, key=bound.__getitem__)
        acc, essential = 0.0, []
        for c in by_bound:
            acc += bound[c]
            if acc + slack >= theta:
                essential.append(c)
        size_a = sum(spans[c][1] - spans[c][0] for c in essential)
        # (b) some term must contribute at least θ − (the other terms' bounds).
        masks = {}
        for c, tfc in tfcs.items():
            need = theta - slack - (ub_total - bound[c])
            if need > 0:
                masks[c] = tfc >= np.float32(need / weight[c])
            else:
                masks[c] = None
        size_b = sum(len(tfcs[c]) if m is None else int(m.sum()) for c, m in masks.items())
        if min(size_a, size_b) > n_rows * DENSE_FRACTION:
            return self._dense_top(order, idfs, k, n_rows, dead)
        parts = []
        if size_a <= size_b:
            for c in essential:
                lo, hi = spans[c]
                parts.append(np.asarray(self.rows[lo:hi]))
        else:
            for c, m in masks.items():
                lo, hi = spans[c]
                r = np.asarray(self.rows[lo:hi])
                parts.append(r if m is None else r[m])
        rows = np.unique(np.concatenate(parts + [cand]))
        if dead is not None:
            rows = rows[~dead[rows]]
        sc = self._exact(order, idfs, rows)
        keep = sc > 0
        rows, sc = rows[keep], sc[keep]
        if len(rows) > k:
            part = np.argpartition(-sc, k - 1)[:k]
            # Ties at the k-th score: keep every tied row so the caller's id tie-break stays exact.
            kth = sc[part].min()
            sel = sc >= kth
            rows, sc = rows[sel], sc[sel]
        return rows, sc

    def _exact(self, order: Sequence[str], idfs: Mapping[str, float], rows: np.ndarray) -> np.ndarray:
        """Scores of these (sorted) rows, summed in the same float32 order as ``score``."""
        out = np.zeros(len(rows), dtype=np.float32)
        for t in order:
            col = self.column[t]
            lo, hi = int(self.indptr[col]), int(self.indptr[col + 1])
            post = self.rows[lo:hi]
            pos = np.searchsorted(post, rows)
            pos[pos >= hi - lo] = 0
            hit = np.asarray(post[pos]) == rows if hi > lo else np.zeros(len(rows), dtype=bool)
            contrib = np.float32(idfs[t]) * np.asarray(self.tfc[lo:hi])[pos[hit]] if hit.any() else None
            if contrib is not None:
                out[hit] += contrib
        return out

    def _dense_top(
        self, order: Sequence[str], idfs: Mapping[str, float], k: int, n_rows: int, dead: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        scores = self.score(order, idfs, n_rows)
        if scores is None:
            return _EMPTY_ROWS, _EMPTY_SCORES
        if dead is not None:
            scores[dead] = 0.0
        rows = np.flatnonzero(scores > 0)
        sc = scores[rows]
        if len(rows) > k:
            part = np.argpartition(-sc, k - 1)[:k]
            kth = sc[part].min()
            sel = sc >= kth
            rows, sc = rows[sel], sc[sel]
        return rows, sc

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
