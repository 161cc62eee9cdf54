import pytest

from eval.gold import load_gold
from rag.errors import InvalidQuestion
from rag.retrieve.hybrid import FusionParams, HybridRetriever, LangChainRetriever, document_to_hit, rrf


def test_rrf_weights_and_ranks():
    fused = rrf([(1.0, [1, 2, 3]), (1.0, [3, 1])], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert max(fused, key=fused.get) == 1
    assert rrf([(0.0, [9])], k=60) == {}


def test_modes_return_ranked_hits(seed_assistant):
    for mode in ("hybrid", "dense", "keyword"):
        hits = seed_assistant.search("卡脖子技术", 5, mode)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(h.dense_score is not None for h in hits)
        assert hits == sorted(hits, key=lambda h: -h.score)


def test_english_query_uses_dictionary_expansion_or_dense_only(seed_assistant):
    q = "What share of global IC sales did China account for?"
    expanded = seed_assistant.search(q, 10)
    assert any(h.keyword_rank is not None for h in expanded)  # CC-CEDICT translations reached BM25
    plain = HybridRetriever(seed_assistant.index, seed_assistant.embedder, FusionParams())
    assert all(h.keyword_rank is None for h in plain.search(q, 10))  # no expander: BM25 is skipped


def test_traditional_query_matches_simplified_text_through_folding(seed_assistant):
    hits = seed_assistant.search("廣東晶片進口依賴", 5, "keyword")
    assert hits and any(h.chunk.source.startswith("001") for h in hits)


def test_bad_queries_are_rejected(seed_assistant):
    with pytest.raises(InvalidQuestion):
        seed_assistant.search("   ", 5)
    with pytest.raises(InvalidQuestion):
        seed_assistant.search("芯片", 0)
    with pytest.raises(InvalidQuestion):
        seed_assistant.search("芯片", 5, "fuzzy")


def test_langchain_retriever_round_trip(seed_assistant):
    lc = LangChainRetriever(retriever=seed_assistant.retriever, k=3)
    docs = lc.invoke("研发经费投入强度")
    assert len(docs) == 3
    assert docs[0].metadata["chunk_id"] and docs[0].metadata["start"] < docs[0].metadata["end"]
    hit = document_to_hit(docs[0], seed_assistant.index)
    assert hit.chunk.text == docs[0].page_content


def _squash(s: str) -> str:
    return "".join(s.split())


# Hand-picked questions across scripts and languages: the passage holding the answer must be in
# the top 5 of hybrid search. Ids refer to eval/gold; the questions and evidence come from there.
TOP5_IDS = [
    "a-001",
    "a-003",  # found since score fusion (was a known miss under RRF)
    "a-005",
    "a-008",
    "a-010",
    "a-013",
    "a-016",
    "a-020",
    "a-024",
    "a-030",
    "a-040",
    "a-045",  # found since concept coverage re-scores English hits (was fused rank 6, BM25 3rd)
    "b-001",
    "b-004",
    "b-008",
    "b-012",
    "b-015",
    "b-020",
    "b-025",
    "b-030",
    "b-040",
    "b-050",
    "b-060",
    "b-070",
]


@pytest.mark.parametrize("item_id", TOP5_IDS)
def test_answer_passage_in_top5(seed_assistant, item_id):
    item = next(i for i in load_gold() if i.id == item_id)
    if not item.answerable:
        pytest.skip("unanswerable item")
    hits = seed_assistant.search(item.question, 5)
    found = any(_squash(ev) in _squash(h.chunk.text) for h in hits for ev in item.evidence)
    assert found, f"{item.question!r}: none of {item.evidence} in top 5 {[h.chunk.chunk_id for h in hits]}"


def test_llm_keywords_join_the_keyword_side_of_an_english_query(seed_assistant):
    """An LLM's Chinese keywords for an English question are searched with its dictionary
    translations: the keyword side then finds the passages that use them."""
    from rag.text import to_simplified

    r = seed_assistant.retriever
    query = "Which programme does the blueprint describe?"
    plain = r.search(query, 5, mode="keyword")
    with_kw = r.search(query, 5, mode="keyword", keywords=["产学研1+计划"])
    assert "产学研" in to_simplified(with_kw[0].chunk.text)
    assert [h.chunk.chunk_id for h in with_kw] != [h.chunk.chunk_id for h in plain]


def test_score_fusion_lets_one_confident_side_win_over_lukewarm_consensus():
    from rag.retrieve.hybrid import score_fusion

    dense = [(1, 0.90), (2, 0.60), (3, 0.55), (4, 0.50)]
    keyword = [(9, 30.0), (2, 12.0), (3, 11.0), (5, 10.0)]
    fused = score_fusion([(1.0, dense), (1.0, keyword)])
    # Each side's best hit scores 1 on that side, its last 0; weights are shared out (0.5 each).
    assert fused[1] == pytest.approx(0.5) and fused[9] == pytest.approx(0.5)
    assert fused[4] == pytest.approx(0.0) and fused[5] == pytest.approx(0.0)
    assert fused[2] < fused[1]
    # RRF ranks the chunk both sides hold second above both sides' first choices.
    by_rank = rrf([(1.0, [i for i, _ in dense]), (1.0, [i for i, _ in keyword])], k=60)
    assert max(by_rank, key=by_rank.get) == 2


def test_score_fusion_weights_and_degenerate_sides():
    from rag.retrieve.hybrid import score_fusion

    fused = score_fusion([(1.0, [(1, 0.9), (2, 0.1)]), (4.0, [(2, 5.0), (1, 1.0)])])
    assert fused[2] == pytest.approx(0.8) and fused[1] == pytest.approx(0.2)
    assert score_fusion([(1.0, [(7, 0.3)]), (0.0, [(8, 9.0)])]) == {7: pytest.approx(1.0)}
    assert score_fusion([(1.0, []), (1.0, [])]) == {}


def test_rrf_fusion_is_still_selectable(seed_assistant):
    q = "What share of global IC sales did China account for?"
    base = seed_assistant.retriever
    by_rank = HybridRetriever(
        base.index, base.embedder, FusionParams(keyword_weight_expanded=1.0, fusion="rrf"), base.expander
    ).search(q, 10)
    by_score = HybridRetriever(
        base.index, base.embedder, FusionParams(keyword_weight_expanded=1.0), base.expander
    ).search(q, 10)
    assert by_rank and by_score
    assert by_rank[0].score < 0.1 < by_score[0].score  # RRF sums 1/(60 + rank); score fusion is in [0, 1]


def test_concept_coverage_counts_each_concept_once():
    from rag.retrieve.crosslingual import concept_coverage

    concepts = [["芯片", "晶片"], ["进口"], ["台湾"]]
    # two senses of one concept in the text still count as one concept
    assert concept_coverage(concepts, "芯片和晶片都要进口") == pytest.approx(2 / 3)
    # Traditional text is folded before matching, any sense makes the concept present
    assert concept_coverage(concepts, "台灣的晶片進口") == pytest.approx(1.0)
    assert concept_coverage(concepts, "人工智能") == 0.0
    assert concept_coverage([], "芯片") == 0.0


def test_coverage_reorders_english_hits_only(seed_assistant):
    from rag.retrieve.crosslingual import concept_coverage

    base = seed_assistant.retriever

    def search(q, weight):
        params = FusionParams(keyword_weight_expanded=1.0, coverage_weight=weight, coverage_pool=10)
        return HybridRetriever(base.index, base.embedder, params, base.expander).search(q, 10)

    q = "Which chips does the mainland buy mostly from Korean suppliers?"
    concepts = base.expander.analyse(q).concepts
    assert len(concepts) >= 3
    plain, covered = search(q, 0.0), search(q, 10.0)
    assert {h.chunk.chunk_id for h in plain} == {h.chunk.chunk_id for h in covered}  # same pool
    cover = [concept_coverage(concepts, h.chunk.text) for h in covered]
    assert cover[0] == max(cover)  # a heavy coverage weight puts the fullest chunk first
    assert cover[0] > min(concept_coverage(concepts, h.chunk.text) for h in plain)
    zh = "中国主要从韩国进口哪些芯片"
    assert [h.chunk.chunk_id for h in search(zh, 0.0)] == [h.chunk.chunk_id for h in search(zh, 10.0)]


def test_candidate_pool_deeper_than_the_corpus_is_the_whole_corpus(seed_assistant):
    """The default pool (200 per side) can exceed a small index: every side then returns all it
    has, fusion still ranks k distinct chunks, each with its cosine."""
    from rag.config import Settings

    # the depth the fusion scale was fitted at (NOTES-enret8, README Evaluation)
    assert Settings.model_fields["candidates"].default >= 200
    base = seed_assistant.retriever
    n_chunks = len(base.index.dense_search(base.embedder.embed_query("科技"), 100_000))
    deep = HybridRetriever(
        base.index,
        base.embedder,
        FusionParams(candidates=n_chunks * 3, keyword_weight_expanded=1.0),
        base.expander,
    )
    for q in ("What share of global IC sales did China account for?", "卡脖子技术"):
        hits = deep.search(q, 10)
        assert len(hits) == min(10, n_chunks)
        assert len({h.chunk.chunk_id for h in hits}) == len(hits)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(h.dense_score is not None for h in hits)
        assert hits == sorted(hits, key=lambda h: -h.score)


def test_score_fusion_zero_sits_at_the_last_candidate():
    """Min-max fusion measures each hit from the side's last candidate: a deeper list (an unrelated
    chunk at the bottom) keeps a middling dense hit from reading as near zero."""
    from rag.retrieve.hybrid import score_fusion

    shallow = score_fusion([(1.0, [(1, 0.80), (2, 0.70), (3, 0.68)])])
    deep = score_fusion([(1.0, [(1, 0.80), (2, 0.70), (3, 0.68), (4, 0.40), (5, 0.20)])])
    assert shallow[3] == pytest.approx(0.0) and deep[3] > 0.7
    assert shallow[1] == deep[1] == pytest.approx(1.0)
