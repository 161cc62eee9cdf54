"""Figure slots: the figure attached to the asked measure (in its own clause) leads the answer."""

from __future__ import annotations

from rag.answer.answerability import figure_clauses
from rag.answer.generators import ExtractiveGenerator, ExtractiveParams, GenerationRequest
from rag.answer.question import analyse
from rag.assistant import Assistant
from rag.types import Chunk, Hit


def test_each_figure_comes_with_the_clause_that_says_what_it_measures() -> None:
    q = analyse("应届生里进入企业工作的占多少？")
    got = figure_clauses(
        q, "据抽样调查，今年应届生中，62.3%进入企业工作，整体去向落实率为 71.5%，均高于上年。"
    )
    assert got == ["今年应届生中，62.3%进入企业工作", "整体去向落实率为 71.5%"]
    # A figure the question itself states is no answer, and a sentence without figures has no clauses.
    assert figure_clauses(analyse("71.5%的落实率是哪年的？"), "整体去向落实率为 71.5%") == []
    assert figure_clauses(q, "就业形势总体稳定。") == []


def _hit(ordinal: int, text: str) -> Hit:
    chunk = Chunk(
        f"plan.txt#{ordinal}",
        "plan.txt",
        "plan.txt",
        "某省科技统计公报",
        "二、研发投入",
        text,
        0,
        len(text),
        10,
        ordinal,
    )
    return Hit(chunk, 1.0)


def test_the_sentence_whose_figure_is_the_asked_measure_leads(seed_assistant: Assistant) -> None:
    """Both sentences share the question's words and both are quoted; the one whose figure clause
    names 基础研究 is put first, although it comes later in the passage."""
    text = (
        "全省研发经费投入继续增长，研发经费占地区生产总值的比重为 3.1%，位居全国前列。"
        "其中，基础研究经费占研发经费的比重为 6.5%，比上年提高 0.4 个百分点。"
    )
    question = "基础研究经费占研发经费的比重是多少？"
    request = GenerationRequest(question, [_hit(1, text)], "zh", "simplified")
    on = ExtractiveGenerator(seed_assistant.embedder).select(request)
    assert "6.5%" in on[0].info.sentence(on[0].j)
    assert len(on) == 2  # the other figure is still quoted, after it
    off = ExtractiveGenerator(seed_assistant.embedder, params=ExtractiveParams(clause_weight=0.0)).select(
        request
    )
    assert "3.1%" in off[0].info.sentence(off[0].j)  # reading order alone leads with the wrong figure
