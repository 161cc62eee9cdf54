"""Questions worded freshly (not the documents' words): what asks is not read as content, and what
answers is recognised by structure (who a task is put under, a bare count next to the people counted)."""

from __future__ import annotations

import pytest

from rag.answer.answerability import agents, constraint_problem, fills_slot, missing_terms
from rag.answer.question import analyse, asked_attribute, detect_slot, frames_question
from rag.text import to_simplified


@pytest.mark.parametrize(
    "question",
    [
        "那份报告主张哪些国家联合起来应对？",
        "这份规划打算在哪些领域加大投入？",
        "白皮书认为哪类企业最吃亏？",
    ],
)
def test_a_verb_before_a_which_ask_is_no_attribute(question: str) -> None:
    # The ask names its own noun (国家, 领域): the word before it is what the subject says or plans.
    assert asked_attribute(to_simplified(question)) == ""


@pytest.mark.parametrize(
    ("question", "attribute"),
    [("这只基金的出资人是哪些机构？", "出资人"), ("那条铁路全长多少公里？", "全长")],
)
def test_an_attribute_joined_to_the_ask_by_a_copula_or_a_measure_stays(question: str, attribute: str) -> None:
    assert asked_attribute(to_simplified(question)) == attribute


def test_the_verb_of_saying_does_not_refuse_the_sentence_that_answers() -> None:
    q = analyse("那份报告主张哪些国家联合起来应对？")
    passage = "报告建议，欧盟、日本和澳大利亚应当加强合作，共同应对风险。"
    assert constraint_problem(q, passage) is None


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("研究认为日本在哪个行业的市场份额最低？", "fact"),  # asks for the industry, not the share
        ("这家企业在哪些领域占比最高？", "list"),
        ("企业研发支出的占比是多少？", "percentage"),  # the share itself is asked
        ("哪些城市的比重能达到多少？", "percentage"),
        ("份额在哪一年超过八成？", "date"),
        ("论坛在哪座城市举办？", "place"),
        ("新总部设在哪？", "place"),
    ],
)
def test_a_measure_noun_that_describes_a_which_ask_is_not_the_slot(question: str, slot: str) -> None:
    assert detect_slot(question, "zh") == slot


def test_who_a_task_is_put_under_is_an_organisation() -> None:
    sentence = "组建一个由国家能源局牵头的电池回收小组，负责制定标准。"
    assert agents(sentence) == {"国家能源局"}
    q = analyse("规划提出由谁来牵头电池回收小组？")
    assert q.slot == "organisation"
    assert fills_slot(q, sentence)
    assert not fills_slot(q, "规划提出组建电池回收小组，制定回收标准。")


def test_a_bare_count_next_to_the_people_it_counts_answers_a_people_count() -> None:
    q = analyse("到2035年全国的护理人员预计还缺多少人？")
    assert q.slot == "count" and "people" in q.units
    assert fills_slot(q, "有机构预测，到2035年全国护理人员缺口将扩大到500万。")
    # the bare figure must count the people the question names, not something else
    assert not fills_slot(q, "有机构预测，到2035年全国养老床位缺口将扩大到500万。")
    # a figure with its own measure word counts that measure, not people
    assert not fills_slot(q, "到2035年全国护理人员培训机构将增加到500万家。")


def test_a_refusal_names_missing_content_not_the_words_that_ask() -> None:
    q = analyse("规划建议由谁来统筹电池回收工作组？")
    missing = missing_terms(q, ["规划提出建立电池回收体系。"])
    assert "工作组" in missing
    assert not {"由谁来", "统筹"} & set(missing)  # the ask and its verb are not content
    assert frames_question("认为") and frames_question("由谁来") and not frames_question("工作组")
