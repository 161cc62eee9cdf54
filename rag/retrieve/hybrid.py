"""Hybrid retrieval: dense (FAISS) + keyword (BM25 over jieba tokens of t2s-folded text),
fused by score (a weighted sum of each side's min-max normalised scores) or by weighted
reciprocal rank fusion, plus a LangChain ``BaseRetriever`` adapter.

BM25 cannot match an English query against Chinese text, so a query with no CJK characters
is translated into corpus tokens by an optional ``QueryExpander`` (rag.retrieve.crosslingual) and
searched with ``keyword_weight_expanded`` times the share of the question the dictionaries could
place (``Expansion.confidence``); with no expander, or when nothing translates, it uses
``keyword_weight_no_cjk`` (0 by default: dense only). The top ``coverage_pool`` fused hits of an
expanded English query then gain ``coverage_weight`` times the share of the question's concepts they
state (``concept_coverage``): BM25 sums every sense the dictionary kept, a concept counts once here.

Why score fusion: RRF only sees ranks, so a chunk both sides rank tenth beats the chunk one side
ranks first by a wide margin and the other misses; for English questions, where each side is
right on its own about half the time, that consensus bias cost R@1 (blind dev English R@1 .655
with RRF, .793 with score fusion; Chinese unchanged or better; README, Evaluation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.embeddings import Embedder
from rag.errors import InvalidQuestion
from rag.retrieve.crosslingual import QueryExpander, concept_coverage
from rag.store.base import Store
from rag.text import has_cjk, keyword_tokens
from rag.types import Chunk, Hit

MODES = ("hybrid", "dense", "keyword")
FUSIONS = ("score", "rrf")


@dataclass
class FusionParams:
    candidates: int = 200
    rrf_k: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 4.0
    keyword_weight_no_cjk: float = 0.0
    keyword_weight_expanded: float = 0.0
    fusion: str = "score"  # "score" (normalised score sum) or "rrf"
    coverage_weight: float = 0.0  # English queries: weight of the concept coverage of the top hits
    coverage_pool: int = 20  # how many fused hits the coverage re-scores


def rrf(rankings: list[tuple[float, list[int]]], k: int) -> dict[int, float]:
    """Weighted reciprocal rank fusion (Cormack et al.): Σ w / (k + rank), ranks from 1."""
    fused: dict[int, float] = {}
    for weight, ids in rankings:
        if weight <= 0:
            continue
        for rank, i in enumerate(ids, 1):
            fused[i] = fused.get(i, 0.0) + weight / (k + rank)
    return fused


def score_fusion(rankings: list[tuple[float, list[tuple[int, float]]]]) -> dict[int, float]:
    """Σ w · (s − min) / (max − min) over each side's candidates (weights normalised to sum 1).

    A side's best hit scores 1 and its last candidate 0; a chunk one side did not return gets 0
    from it. Min-max keeps the two scales (cosine, BM25) comparable per query without a fitted
    calibration; a side with a single candidate gives it full weight. The zero sits at the last
    candidate, so the candidate depth sets the scale: at 50 of a few hundred chunks the last dense
    candidate is still on topic and a middling hit reads as near zero; at 200 the zero is an
    unrelated chunk and both sides' middle ranks keep their spread (English R@1 up in four of the
    eight blind dev folds, none down; rag.config ``candidates``)."""
    total = sum(w for w, hits in rankings if w > 0 and hits)
    fused: dict[int, float] = {}
    for weight, hits in rankings:
        if weight <= 0 or not hits:
            continue
        scores = [s for _, s in hits]
        lo, hi = min(scores), max(scores)
        span = hi - lo
        for i, s in hits:
            norm = (s - lo) / span if span > 0 else 1.0
            fused[i] = fused.get(i, 0.0) + weight / total * norm
    return fused


class HybridRetriever:
    def __init__(
        self,
        index: Store,
        embedder: Embedder,
        params: FusionParams | None = None,
        expander: QueryExpander | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.params = params or FusionParams()
        self.expander = expander

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", keywords: Sequence[str] | None = None
    ) -> list[Hit]:
        """``keywords``: Chinese search terms for a query without CJK characters (an LLM's
        rewrite of an English question), searched with its dictionary translations."""
        if mode not in MODES:
            raise InvalidQuestion(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        query = query.strip()
        if not query:
            raise InvalidQuestion("the query is empty")
        p = self.params
        n = max(p.candidates, k)
        qvec = self.embedder.embed_query(query)
        dense = self.index.dense_search(qvec, n) if mode in ("hybrid", "dense") else []
        kw_weight, kw_tokens = p.keyword_weight, None
        concepts: list[list[str]] = []
        if not has_cjk(query):
            kw_weight = p.keyword_weight_no_cjk
            confidence = 1.0
            if self.expander is not None and (mode == "keyword" or p.keyword_weight_expanded > 0):
                expansion = self.expander.analyse(query)
                kw_tokens, confidence = expansion.tokens or None, expansion.confidence
                concepts = expansion.concepts
            if keywords:
                extra = [t for t in keyword_tokens(" ".join(keywords)) if t not in (kw_tokens or [])]
                kw_tokens = [*(kw_tokens or []), *extra] or None
                confidence = 1.0  # an LLM's Chinese keywords stand for the whole question
            if kw_tokens:
                # Words the dictionaries could not place are missing from the keyword query, so
                # its ranking speaks for less of the question.
                kw_weight = p.keyword_weight_expanded * confidence
        keyword: list[tuple[int, float]] = []
        if mode == "keyword" or (mode == "hybrid" and kw_weight > 0):
            keyword = self.index.keyword_search(kw_tokens or keyword_tokens(query), n)

        if mode == "dense":
            fused = {i: s for i, s in dense}
        elif mode == "keyword":
            fused = {i: s for i, s in keyword}
        elif p.fusion == "rrf":
            fused = rrf(
                [(p.dense_weight, [i for i, _ in dense]), (kw_weight, [i for i, _ in keyword])], p.rrf_k
            )
        else:
            fused = score_fusion([(p.dense_weight, dense), (kw_weight, keyword)])

        dense_rank = {i: r for r, (i, _) in enumerate(dense, 1)}
        dense_score = dict(dense)
        kw_rank = {i: r for r, (i, _) in enumerate(keyword, 1)}
        kw_score = dict(keyword)
        order = sorted(fused, key=lambda i: (-fused[i], dense_rank.get(i, 10**9)))
        chunks: dict[int, Chunk] = {}
        if mode == "hybrid" and concepts and kw_weight > 0 and p.coverage_weight > 0:
            pool = order[: max(k, p.coverage_pool)]
            chunks = self.index.get_chunks(pool)
            for i in pool:
                if i in chunks:
                    cover = concept_coverage(concepts, chunks[i].text)
                    fused[i] += p.coverage_weight * cover
            order = sorted(pool, key=lambda i: (-fused[i], dense_rank.get(i, 10**9))) + order[len(pool) :]
        order = order[:k]
        if any(i not in chunks for i in order):
            chunks = self.index.get_chunks(order)  # hits resolved by id, never by scanning the corpus
        order = [i for i in order if i in chunks]
        # Every hit gets its cosine to the query: it is the calibrated signal for refusal.
        missing = [i for i in order if i not in dense_score]
        if missing:
            for i, v in zip(missing, self.index.get_vectors(missing), strict=True):
                dense_score[i] = float(v @ qvec)
        hits: list[Hit] = []
        for rank, i in enumerate(order, 1):
            hits.append(
                Hit(
                    chunk=chunks[i],
                    score=fused[i],
                    rank=rank,
                    dense_score=dense_score[i],
                    keyword_score=kw_score.get(i),
                    dense_rank=dense_rank.get(i),
                    keyword_rank=kw_rank.get(i),
                )
            )
        return hits


class LangChainRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain retriever, for LCEL chains."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 6
    mode: str = "hybrid"
    keywords: list[str] = []  # Chinese keywords for an English query (an LLM rewrite)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        hits = self.retriever.search(query, self.k, self.mode, keywords=self.keywords or None)
        return [hit_to_document(h) for h in hits]


def hit_to_document(hit: Hit) -> LCDocument:
    """A LangChain Document whose metadata carries the full hit (chunk id, offsets, scores) and
    the chunk itself, so the way back needs no lookup."""
    meta = hit.to_dict()
    meta.pop("text")
    chunk = hit.chunk.to_dict()
    chunk.pop("text")
    meta["chunk"] = chunk
    return LCDocument(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.chunk_id)


def document_to_hit(doc: LCDocument, index: Store | None = None) -> Hit:
    """Back from LangChain to our Hit (the chunk travels in the metadata, so nothing is lost)."""
    meta = doc.metadata
    chunk = Chunk(**{**meta["chunk"], "text": doc.page_content})
    return Hit(
        chunk=chunk,
        score=meta.get("score", 0.0),
        rank=meta.get("rank", 0),
        dense_score=meta.get("dense_score"),
        keyword_score=meta.get("keyword_score"),
    )
