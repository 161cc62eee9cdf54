"""Answerable questions the gate refused for a misread wording (issue #8): an ask that starts at
多大, a demonstrative 那几项, a conversational lead-in, a comparison noun (own wordings)."""

from __future__ import annotations

import pytest

from rag.answer.question import analyse, detect_slot, without_preamble


@pytest.mark.parametrize(
    "question",
    [
        "在二线城市工作的年轻人里，有多大比例计划三年内结婚？",  # the noun after 多大 is not asked
        "我国芯片企业中有多高比重依赖外资？",
        "在基础研究投入上，我们和德国的差距有多大？",  # 差距 names the comparison slot
    ],
)
def test_no_attribute_read_after_the_ask_or_from_the_slot_noun(question: str) -> None:
    assert analyse(question).attribute == (), question


def test_the_attribute_before_a_measure_ask_is_kept() -> None:
    assert analyse("这条高铁的全长有多长？").attribute[:1] == ("全长",)


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("报告对那几项指标有什么批评？", "list"),  # points at items already named
        ("這幾個城市的經驗有甚麼可借鑑？", "list"),
        ("这份方案一共提出了几项措施？", "count"),  # a real count stays one
        ("哪几项措施最受关注？", "list"),
    ],
)
def test_a_demonstrative_before_a_classifier_does_not_ask_how_many(question: str, slot: str) -> None:
    assert detect_slot(question, "zh") == slot


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("我想问一下，深圳去年新增了多少家高新技术企业？", "深圳去年新增了多少家高新技术企业？"),
        ("我想了解一下，应届生里有多大比例打算买房？", "应届生里有多大比例打算买房？"),
        ("专家认为，症结在哪里？", "专家认为，症结在哪里？"),  # 专家 names who: kept
        ("2020年，研发经费是多少？", "2020年，研发经费是多少？"),  # a year is content
    ],
)
def test_a_lead_in_that_names_nothing_is_not_scored(question: str, kept: str) -> None:
    assert without_preamble(question) == kept
