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
IMPACT_MIN = 4096  # columns this long also keep an impact-ordered copy; shorter queries: brute force
SEED_PER_TERM = 256  # best rows per term scored up front to get a first k-th-best score
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
        # Impact-ordered copies of the long columns (see ``impact``); None for a pre-impact segment.
        self.impact_indptr: np.ndarray | None = None
        self.impact_rows: np.ndarray = np.zeros(0, dtype=np.int32)
        self.impact_tfc: np.ndarray = np.zeros(0, dtype=np.float32)
        self._impact_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

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
        p.build_impact()
        return p

    def build_impact(self) -> None:
        """Impact-ordered copies of the columns of at least IMPACT_MIN postings (tf-part descending)."""
        df = np.diff(self.indptr)
        long = df >= IMPACT_MIN
        self.impact_indptr = np.zeros(len(df) + 1, dtype=np.int64)
        np.cumsum(np.where(long, df, 0), out=self.impact_indptr[1:])
        size = int(self.impact_indptr[-1])
        self.impact_rows = np.empty(size, dtype=np.int32)
        self.impact_tfc = np.empty(size, dtype=np.float32)
        for col in np.flatnonzero(long).tolist():  # column by column: no whole-index temporaries
            lo, hi = int(self.indptr[col]), int(self.indptr[col + 1])
            tfc = np.asarray(self.tfc[lo:hi])
            order = np.argsort(-tfc, kind="stable")  # ties stay in row order
            at = int(self.impact_indptr[col])
            self.impact_rows[at : at + hi - lo] = np.asarray(self.rows[lo:hi])[order]
            self.impact_tfc[at : at + hi - lo] = tfc[order]

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

    def impact(self, col: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, tf-parts) of a long column ordered by tf-part, best first (ties by row).

        Written at build time for columns of at least IMPACT_MIN postings; for a segment written
        before that (no bm25_impact_*.npy) it is sorted on first use and kept in memory.
        """
        if self.impact_indptr is not None:
            lo, hi = int(self.impact_indptr[col]), int(self.impact_indptr[col + 1])
            if hi > lo:
                return self.impact_rows[lo:hi], self.impact_tfc[lo:hi]
        got = self._impact_cache.get(col)
        if got is None:
            lo, hi = int(self.indptr[col]), int(self.indptr[col + 1])
            tfc = np.asarray(self.tfc[lo:hi])
            order = np.argsort(-tfc, kind="stable")
            got = (np.asarray(self.rows[lo:hi])[order], tfc[order])
            self._impact_cache[col] = got
        return got

    def top(
        self,
        tokens: Sequence[str],
        idfs: Mapping[str, float],
        k: int,
        n_rows: int,
        dead: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the k best live rows with a positive score (with every row tied with
        the k-th), unordered; equal to brute force (``score``), including the float32 sums.

        Scoring every posting of a common term costs O(postings) random writes (about 500k at 1M
        chunks). Instead: the best rows of each term (impact order) are scored exactly, giving θ, a
        lower bound of the k-th best score. With bound_j = idf × term j's best tf-part, a row
        reaching θ must occur in an essential term (MaxScore: not among the low-bound terms whose
        bounds sum below θ), and with a contribution ≥ θ − (Σ bounds − bound_j) in at least one
        essential term j: a prefix of j's impact order. Only those rows are scored, terms taken best
        bound first and rows dropped once their partial score plus the remaining bounds is below θ.
        Queries over short columns, and filters that keep too many rows, fall back to ``score``.
        """
        order = [t for t in tokens if t in self.column]
        if not order or k <= 0:
            return _EMPTY_ROWS, _EMPTY_SCORES
        weight: dict[int, float] = {}  # idf × occurrences in the query
        times: dict[int, int] = {}
        for t in order:
            col = self.column[t]
            weight[col] = weight.get(col, 0.0) + float(idfs[t])
            times[col] = times.get(col, 0) + 1
        spans = {c: (int(self.indptr[c]), int(self.indptr[c + 1])) for c in weight}
        spans = {c: span for c, span in spans.items() if span[1] > span[0]}  # merged-away terms
        if not spans:
            return _EMPTY_ROWS, _EMPTY_SCORES
        if max(hi - lo for lo, hi in spans.values()) < IMPACT_MIN:
            return self._dense_top(order, idfs, k, n_rows, dead)
        lists = {c: self._by_impact(c, *spans[c]) for c in spans}
        bound = {c: weight[c] * float(tfc[0]) for c, (_, tfc) in lists.items()}
        seeds = _union([np.asarray(r[:SEED_PER_TERM]) for r, _ in lists.values()], n_rows)
        if dead is not None:
            seeds = seeds[~dead[seeds]]
        if len(seeds) < k:
            return self._dense_top(order, idfs, k, n_rows, dead)
        sc = self._exact(order, idfs, seeds)
        theta = float(np.partition(sc, len(sc) - k)[len(sc) - k])
        if theta <= 0:
            return self._dense_top(order, idfs, k, n_rows, dead)
        slack = 1e-5 * theta  # float32 rounding of the real sums
        ub_total = sum(bound.values())
        # MaxScore: a row found only in the low-bound terms whose bounds sum below θ cannot reach θ,
        # so it must occur in one of the other ("essential") terms ...
        acc, essential = 0.0, []
        for c in sorted(bound, key=bound.__getitem__):
            acc += bound[c]
            if acc + slack >= theta:
                essential.append(c)
        # ... and, by the same argument within them, with a contribution ≥ θ − Σ of the other bounds
        # in at least one of them: a prefix of that term's impact order.
        parts = [seeds]
        size = 0
        for c in essential:
            rows, tfc = lists[c]
            need = theta - slack - (ub_total - bound[c])
            cut = len(tfc) if need <= 0 else _count_at_least(tfc, need / weight[c])
            size += cut
            if size > n_rows * DENSE_FRACTION:
                return self._dense_top(order, idfs, k, n_rows, dead)
            parts.append(np.asarray(rows[:cut]))
        cand = _union(parts, n_rows)
        if dead is not None:
            cand = cand[~dead[cand]]
        # Terms by bound, best first; drop rows that can no longer reach θ.
        remaining = ub_total
        partial = np.zeros(len(cand), dtype=np.float64)
        contrib: dict[int, np.ndarray] = {}
        for c in sorted(bound, key=bound.__getitem__, reverse=True):
            val = self._column_values(c, cand, np.float32(idfs[self.terms[c]]))
            contrib[c] = val
            partial += times[c] * val.astype(np.float64)
            remaining -= bound[c]
            keep = partial + remaining >= theta - slack
            if not keep.all():
                cand, partial = cand[keep], partial[keep]
                contrib = {d: v[keep] for d, v in contrib.items()}
        out = np.zeros(len(cand), dtype=np.float32)
        for t in order:  # the same float32 sum, in the same order, as ``score``
            if self.column[t] in contrib:  # (a term without postings adds nothing)
                out += contrib[self.column[t]]
        keep = out > 0
        cand, out = cand[keep], out[keep]
        if len(cand) > k:
            kth = out[np.argpartition(-out, k - 1)[:k]].min()
            sel = out >= kth
            cand, out = cand[sel], out[sel]
        return cand, out

    def _by_impact(self, col: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        if hi - lo >= IMPACT_MIN:
            return self.impact(col)
        tfc = np.asarray(self.tfc[lo:hi])
        order = np.argsort(-tfc, kind="stable")
        return np.asarray(self.rows[lo:hi])[order], tfc[order]

    def _column_values(self, col: int, rows: np.ndarray, idf32: np.float32) -> np.ndarray:
        """float32(idf) × tf-part of this column at these sorted rows (0 where absent)."""
        lo, hi = int(self.indptr[col]), int(self.indptr[col + 1])
        out = np.zeros(len(rows), dtype=np.float32)
        if hi == lo or not len(rows):
            return out
        post = self.rows[lo:hi]
        pos = np.searchsorted(post, rows)
        pos[pos >= hi - lo] = 0
        hit = np.asarray(post[pos]) == rows
        if hit.any():
            out[hit] = idf32 * np.asarray(self.tfc[lo:hi])[pos[hit]]
        return out

    def _exact(self, order: Sequence[str], idfs: Mapping[str, float], rows: np.ndarray) -> np.ndarray:
        """Scores of these sorted rows, summed in the same float32 order as ``score``."""
        out = np.zeros(len(rows), dtype=np.float32)
        for t in order:
            out += self._column_values(self.column[t], rows, np.float32(idfs[t]))
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
        if self.impact_indptr is None:
            self.build_impact()
        np.save(folder / "bm25_impact_indptr.npy", self.impact_indptr)
        np.save(folder / "bm25_impact_rows.npy", self.impact_rows)
        np.save(folder / "bm25_impact_tfc.npy", self.impact_tfc)

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
        if (folder / "bm25_impact_tfc.npy").exists():  # segments written before it sort on first use
            p.impact_indptr = np.load(folder / "bm25_impact_indptr.npy")
            p.impact_rows = np.load(folder / "bm25_impact_rows.npy", mmap_mode="r")
            p.impact_tfc = np.load(folder / "bm25_impact_tfc.npy", mmap_mode="r")
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


def _count_at_least(desc: np.ndarray, value: float) -> int:
    """How many leading entries of a descending (possibly memory-mapped) array are ≥ value."""
    lo, hi = 0, len(desc)
    while lo < hi:  # binary search touching ~log2(n) entries, no copy of the column
        mid = (lo + hi) // 2
        if desc[mid] >= value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _union(parts: list[np.ndarray], n_rows: int) -> np.ndarray:
    """Sorted distinct rows of ``parts`` (int32, as stored): hashing for a few, a row mask for many."""
    size = sum(len(x) for x in parts)
    if size * 32 < n_rows:
        out = np.unique(np.concatenate(parts))
    else:
        mask = np.zeros(n_rows, dtype=bool)
        for x in parts:
            mask[x] = True
        out = np.flatnonzero(mask)
    # The postings' own dtype: searchsorted of int64 keys would first copy a whole int32 column.
    return out.astype(np.int32, copy=False)
