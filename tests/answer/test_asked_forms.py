"""How a fresh Chinese question asks, read from its structure: a length of time (多久, 多长), a
measure asked with 多 + adjective (多大比重), a numbered abbreviation (“双一流”), a numeral the passage
writes in digits (五年期 / 5 年期)."""

from __future__ import annotations

import pytest

from rag.answer.answerability import constraint_problem, spells_out
from rag.answer.citations import quantities
from rag.answer.english import states_duration
from rag.answer.generators import ExtractiveGenerator, GenerationRequest
from rag.answer.question import analyse, is_ask_word, without_ask_measure
from rag.assistant import Assistant
from rag.text import keyword_tokens


@pytest.mark.parametrize(
    "question",
    ["这项资助计划为期多久？", "每一轮考核的周期是多长？", "项目的建设期有多长时间？"],
)
def test_a_length_of_time_is_a_duration_slot_and_its_ask_is_no_attribute(question: str) -> None:
    q = analyse(question)
    assert q.slot == "duration"
    assert "多长" not in q.attribute and "周期" not in q.attribute


def test_a_length_in_kilometres_stays_a_figure() -> None:
    assert analyse("这条铁路有多长，大约多少公里？").slot != "duration"


def test_a_duration_is_answered_by_a_length_of_time_not_a_year() -> None:
    assert states_duration("每个研究所每 5 年期接受一次评估")
    assert not states_duration("该研究所成立于2015年")


@pytest.mark.parametrize(
    ("question", "kept", "dropped"),
    [
        ("企业研发经费在全国研发投入中占了多大比重？", "比重", {"多", "大"}),
        ("增速有多快？", "增速", {"多", "快"}),
    ],
)
def test_a_measure_asked_with_duo_is_no_keyword(question: str, kept: str, dropped: set[str]) -> None:
    words = [t for t in keyword_tokens(without_ask_measure(question)) if not is_ask_word(t)]
    assert kept in words and not dropped & set(words)


def test_many_universities_is_not_an_ask() -> None:
    assert "大学" in keyword_tokens(without_ask_measure("许多大学参与了这项计划"))


def test_a_numbered_abbreviation_is_met_by_its_full_form() -> None:
    assert spells_out("双一流", "关于深入推进世界一流大学和一流学科建设的若干意见")
    assert spells_out("雙一流", "世界一流大学和一流学科")
    assert not spells_out("双一流", "建设世界一流大学")  # 一流 once is not the abbreviation
    assert not spells_out("四科", "科技")
    q = analyse("“双一流”意见提出培养哪些人才？")
    assert (
        constraint_problem(q, "《关于深入推进世界一流大学和一流学科建设的若干意见》提出培养战略科学家。")
        is None
    )
    assert constraint_problem(q, "《关于加快建设科技强国的意见》提出培养战略科学家。") is not None


def test_a_duration_question_is_answered_with_a_length_of_time(seed_assistant: Assistant) -> None:
    question = "美国国防部多久对制造业创新研究所评估一次？"
    gen = ExtractiveGenerator(seed_assistant.embedder)
    hits = seed_assistant.search(question, 6)
    picks, why = gen.select_with_reason(GenerationRequest(question, hits, "zh", "simplified"))
    assert picks, why
    assert states_duration(picks[0].info.sentence(picks[0].j))


def test_a_numeral_in_the_question_meets_the_digits_of_the_passage(seed_assistant: Assistant) -> None:
    # 十个 in the question, "10 个" in the passage: the keyword share counts it either way.
    gen = ExtractiveGenerator(seed_assistant.embedder)
    shares = []
    for question in (
        "《无尽前沿法案》列出的十个关键技术领域是什么？",
        "《无尽前沿法案》列出的10个关键技术领域是什么？",
    ):
        hits = seed_assistant.search(question, 6)
        picks = gen.candidates(GenerationRequest(question, hits, "zh", "simplified"))
        stating = [c for c in picks if "10 个关键技" in c.info.sentence(c.j)]
        assert stating and quantities(stating[0].info.sentence(stating[0].j))
        shares.append(stating[0].keyword)
    assert shares[0] >= shares[1] - 0.05
