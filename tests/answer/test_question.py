"""Question analysis: slots, constraints, parts and follow-up rewriting (pure functions)."""

from __future__ import annotations

import pytest

from rag.answer.question import (
    analyse,
    bare_ask,
    detect_slot,
    ellipsis_subject,
    is_follow_up,
    names_own_topic,
    rewrite_follow_up,
    split_parts,
    topic,
)


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("量子蜂巢计划首期投入资金是多少？", "amount"),
        ("平台上登记了多少名科技特派员？", "count"),
        ("晶片自給率是多少？", "percentage"),
        ("该计划何时发布？", "date"),
        ("日本的數據中心主要集中在哪兩座城市？", "place"),
        ("由哪个部门牵头？", "organisation"),
        ("为什么要发展数据中心？", "reason"),
        ("香港創科藍圖有哪四個發展方向？", "list"),
        ("How many Knowledge and Innovation Communities does the EIT run?", "count"),
        ("Which university hosts the new centre?", "organisation"),
        ("Which city hosts the national AI centre?", "place"),
        ("When was the plan released?", "date"),
        ("What share of global capacity does Korea hold?", "percentage"),
        ("Why does the blueprint stress talent?", "reason"),
        # A question word for a date beats a measure noun; a share named in any words is a percentage.
        ("日本企业的DRAM市场份额是在哪一年超过八成的？", "date"),
        ("In which year did Japan's DRAM share pass 80%?", "date"),
        ("What manufacturing share of GDP does the map aim for?", "percentage"),
        ("西安产业基金的出资人是谁？", "person"),
        # A length of time is not an amount (3个月 is too small for one); a length in km still is.
        ("How long did the firm need to find a partner on the platform?", "duration"),
        ("For how long will the pilot zones run?", "duration"),
        ("How long is the new rail line in km?", "amount"),
    ],
)
def test_slot(question: str, slot: str) -> None:
    assert detect_slot(question) == slot


def test_constraints() -> None:
    q = analyse("By what margin did the House of Representatives pass the bill in 2021?")
    assert q.bodies == ("众议院",) and q.years == ("2021",)
    q = analyse("《2021年美國創新與競爭法案》給NASA多少資金？")
    assert q.titles == ("2021年美国创新与竞争法案",) and q.years == () and "money" in q.units
    assert analyse("香港創科藍圖有哪四個發展方向？").items == 4
    assert (
        analyse("How much funding does the bill authorise for NASA?").entities == ()
    )  # spelt out in Chinese
    assert analyse("Which frontier fields did Xi Jinping name?").entities == ()  # a person, not 锦屏
    assert any("新加坡" in e for e in analyse("What share does Singapore's plan aim for?").entities)


def test_split_parts() -> None:
    assert split_parts("哪個城市得分最高、分數多少？第二梯隊是哪些城市？") == [
        "哪個城市得分最高",
        "分數多少？",
        "第二梯隊是哪些城市？",
    ]
    assert split_parts("How many communities does the EIT run, and in which fields?") == [
        "How many communities does the EIT run?",
        "in which fields?",
    ]
    one = "2021年我国基础研究经费达到多少？"
    assert split_parts(one) == [one]
    same = "What do the Innovation and Competition Act and the CHIPS Act fund?"
    assert split_parts(same) == [same]


def test_follow_up_rewrite_carries_the_topic_not_the_answer() -> None:
    history = [("user", "《2021年美国创新与竞争法案》的主要内容是什么？"), ("assistant", "法案……[1]。")]
    assert (
        rewrite_follow_up("它打算给NSF投入多少钱？", history)
        == "《2021年美国创新与竞争法案》打算给NSF投入多少钱？"
    )
    history = [("user", "香港創科藍圖有哪四個發展方向？")]
    assert (
        rewrite_follow_up("這些方向又細化為多少項策略？", history)
        == "香港創科藍圖發展方向又細化為多少項策略？"
    )
    history = [("user", "What is the Innovation and Competition Act about?")]
    assert rewrite_follow_up("How much will it give the NSF?", history) == (
        "How much will Innovation and Competition Act give the NSF?"
    )
    assert topic("內地晶片現時的自給率大約有多少？") == "內地晶片現時的自給率"


def test_a_question_that_names_nothing_of_its_own_is_a_follow_up() -> None:
    # No pronoun, long enough, but no title, year, place, organisation or other name.
    assert not names_own_topic("由哪个部门负责选拔资助对象？")
    assert is_follow_up("由哪个部门负责选拔资助对象？")
    assert is_follow_up("政府对参加这个项目的企业提出了什么要求？")
    assert is_follow_up("他起初想在哪个城市创业却被拒绝了？")  # 他 leans on the last turn
    assert is_follow_up("Which cities make up the second tier of the ranking?")
    # Names of its own: asked as it is.
    assert names_own_topic("深圳2022年的研发投入是多少？")
    assert not is_follow_up("国家自然科学基金委员会今年的预算是多少亿元？")
    assert not is_follow_up("What share of global wafer capacity does mainland China hold?")


def test_topic_is_what_comes_before_the_ask_with_the_kind_asked_for() -> None:
    assert topic("中芯國際是誰、在哪一年創辦的？") == "中芯國際"
    assert topic("日本的半導體戰略是由哪個部門發布的？") == "日本的半導體戰略部門發布"
    assert topic("某市的行动计划提出了哪三个重点方向？") == "某市的行动计划提出了重点方向"
    assert topic("日本的VLSI国家项目是哪一年开始的？") == "日本的VLSI国家项目"  # a time is no kind
    # English: the content words, not only capitalised names.
    assert topic("Which company did the researcher find through the open-call platform?") == (
        "company researcher find through open-call platform"
    )


def test_an_ellipsis_asks_the_previous_question_about_the_new_subject_or_year() -> None:
    assert ellipsis_subject("那原料药呢？") == "原料药"
    assert ellipsis_subject("And in 2023?") == "in 2023"
    assert ellipsis_subject("那它的占比是多少？") is None
    history = [("user", "某计划希望2025年基础研究经费占比达到多少？")]
    out = rewrite_follow_up("2030年呢？", history)
    assert "2030" in out and "2025" not in out and "基础研究经费占比" in out
    # A follow-up naming its own year drops the topic's year (it would constrain the answer).
    history = [("user", "How much did Korea's 2022 budget set aside for infectious diseases?")]
    assert "2022" not in rewrite_follow_up("What about in the 2023 budget?", history)


def test_bare_ask() -> None:
    assert bare_ask("是多少？") and bare_ask("And how much?")
    assert not bare_ask("其中女性要占多少？") and not bare_ask("它的占比是多少？")


def test_a_greeting_has_no_topic_to_carry() -> None:
    history = [("user", "你好"), ("assistant", "你好！")]
    q = "Which cities make up the second tier of the ranking?"
    assert rewrite_follow_up(q, history) == q
    assert is_follow_up("And how much of that is earmarked?")
    assert not is_follow_up(
        "What was China's contribution rate of scientific and technological progress in 2019?"
    )


def test_a_place_word_takes_the_glossary_forms_as_alternatives() -> None:
    """CC-CEDICT reads "Pentagon" as the building (五角大楼); the passages say 国防部. The glossary's
    forms widen the constraint, they never add one to a word that is not a place."""
    from rag.answer.question import english_place

    assert {"五角大楼", "国防部"} <= set(english_place("pentagon"))
    assert english_place("grants") == ()


@pytest.mark.parametrize(
    ("question", "items", "noun"),
    [
        ("香港的創科藍圖提出了哪四個發展方向？", 4, "方向"),
        ("这份规划的重点任务包括哪几项？", 0, "任务"),
        ("深圳出台了哪些扶持措施？", 0, "措施"),
        ("Which three agencies share the work?", 3, ""),
        ("深圳的GDP是多少？", 0, ""),
    ],
)
def test_a_list_question_names_its_items_and_count(question: str, items: int, noun: str) -> None:
    q = analyse(question)
    assert (q.items, q.list_noun) == (items, noun)
