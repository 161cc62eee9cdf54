"""Sentence verification with adversarial answers: each claim must be supported by the passage it cites."""

from __future__ import annotations

from rag.answer.citations import (
    PassageCache,
    Thresholds,
    is_connective,
    verify,
)
from rag.types import Chunk, Hit


def test_connectives() -> None:
    assert is_connective("根据检索到的文档：")
    assert is_connective("Here is what the documents say:")
    assert is_connective("是的。")
    assert not is_connective("中国排名第三。")
    assert not is_connective("China ranks third.")
    assert not is_connective("Yes, 5 of them.")


P1 = (
    "根据 SIA 统计数据，2021年中国市场集成电路销售额为 1925 亿美元，同比增长 27.1%，"
    "仍是全球最大的半导体市场，占全球销售额的 34.6%，较上年小幅提升。"
)


P2 = "2021年我国基础研究经费达 1696 亿元人民币，占全社会研发经费比例连续 3 年超过 6%。"


def _hit(n: int, text: str, title: str = "报告") -> Hit:
    chunk = Chunk(f"doc.txt#{n}", "d", "doc.txt", title, "现状", text, 0, len(text), 50, n)
    return Hit(chunk=chunk, score=1.0, rank=n, dense_score=0.5)


HITS = [_hit(1, P1), _hit(2, P2)]


def _verify(answer: str, embedder=None, auto_cite: bool = False):  # noqa: ANN001, ANN202
    th = Thresholds(auto_cite=auto_cite)
    return verify(answer, HITS, embedder=embedder, passages=PassageCache(), locator=None, thresholds=th)


def test_a_faithful_answer_is_supported() -> None:
    v = _verify(
        "2021年中国市场集成电路销售额为1925亿美元，占全球销售额的34.6%[1]。基础研究经费达1696亿元【2】。"
    )
    assert [s.supported for s in v.sentences] == [True, True]
    assert [s.citations for s in v.sentences] == [[1], [2]]
    assert v.any_supported and v.warnings == []
    assert [c.n for c in v.citations] == [1, 2]
    assert v.citations[0].quote in P1 and v.citations[1].quote == P2


def test_a_made_up_number_is_unsupported_whatever_the_similarity() -> None:
    v = _verify("2021年中国市场集成电路销售额为1925亿美元，占全球销售额的36.4%[1]。")
    (s,) = v.sentences
    assert not s.supported and s.score > 0.8
    assert any("36.4%" in r for r in s.reasons)
    assert not v.any_supported


def test_a_wrong_citation_is_unsupported() -> None:
    v = _verify("我国基础研究经费占全社会研发经费比例连续 3 年超过 6%[1]。")
    assert not v.sentences[0].supported
    assert any("weak support" in r or "not in the cited" in r for r in v.sentences[0].reasons)


def test_an_out_of_range_citation_is_removed_and_the_sentence_is_uncited() -> None:
    v = _verify("基础研究经费达1696亿元[7]。")
    assert v.text == "基础研究经费达1696亿元。"
    assert any("[7]" in w for w in v.warnings)
    assert v.sentences[0].citations == [] and not v.sentences[0].supported
    assert v.sentences[0].reasons == ["uncited"]


def test_uncited_factual_sentences_are_flagged_and_connectives_are_not() -> None:
    v = _verify("根据文档：\n基础研究经费达1696亿元[2]。中国的芯片自给率在2025年将达到70%。")
    assert [s.supported for s in v.sentences] == [True, True, False]
    assert v.sentences[0].reasons == ["no claim (connective)"]
    assert v.sentences[2].reasons == ["uncited"]
    assert any("1 of 3" in w for w in v.warnings)


def test_auto_cite_adds_a_checked_citation_to_a_supported_claim() -> None:
    v = _verify(
        "基础研究经费达1696亿元[7]。芯片销售额为1925亿美元。中国的芯片自给率将达到70%。", auto_cite=True
    )
    assert v.text == "基础研究经费达1696亿元[2]。芯片销售额为1925亿美元[1]。中国的芯片自给率将达到70%。"
    assert [s.citations for s in v.sentences] == [[2], [1], []]
    assert [s.supported for s in v.sentences] == [True, True, False]
    assert v.sentences[0].reasons == ["citation added by the verifier"]
    assert any("added citations to 2" in w for w in v.warnings) and any("[7]" in w for w in v.warnings)
    made_up = _verify("基础研究经费达1800亿元。", auto_cite=True)  # no passage has the figure
    assert made_up.sentences[0].citations == [] and made_up.sentences[0].reasons == ["uncited"]


def test_multi_citation_and_full_width_markers() -> None:
    v = _verify("2021年销售额为1925亿美元，基础研究经费达1696亿元[1, 2]。占比34.6%［１］。")
    assert [s.citations for s in v.sentences] == [[1, 2], [1]]
    assert all(s.supported for s in v.sentences)


def test_traditional_sentence_against_simplified_passage() -> None:
    v = _verify("2021年中國市場集成電路銷售額為1925億美元，佔全球銷售額的34.6%[1]。")
    assert v.sentences[0].supported


def test_cross_lingual_sentence_uses_the_embedder(embedder) -> None:  # noqa: ANN001
    good = _verify(
        "In 2021 China's IC market sales were US$192.5 billion, 34.6% of global sales [1].", embedder
    )
    assert good.sentences[0].supported, good.sentences[0].reasons
    bad = _verify("In 2021 China's IC market sales were US$200 billion [1].", embedder)
    assert not bad.sentences[0].supported
    assert any("200" in r for r in bad.sentences[0].reasons)
