"""Follow-ups worded freshly: a follow-up that is itself two questions, a sub-item's share of the
previous answer's whole (其中 … 占 … 多少), a year swap that keeps its place, and a pointer at an
event the previous answer named."""

from __future__ import annotations

import pytest

from rag.answer.dialogue import about_places, carried_places, pointed_event_en
from rag.answer.question import analyse, detect_slot
from rag.assistant import Assistant


def _history(assistant: Assistant, question: str) -> list[dict[str, str]]:
    first = assistant.ask(question)
    return [{"role": "user", "content": question}, {"role": "assistant", "content": first.answer}]


def test_a_quoted_name_is_looked_for_in_the_stored_form() -> None:
    # The documents are stored with fullwidth －/％ as -/% (ingest cleaning).
    assert analyse("「陳－扎克伯格倡議」打算投入多少錢？").names == ("陈-扎克伯格倡议",)


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("其中减速机一项占本体成本多少？", "percentage"),
        ("张江占了其中多少？", "percentage"),
        ("研发投入占GDP的多少？", "percentage"),
        ("占地多少亩？", "amount"),  # land taken, not a share
        ("上海占全国多少家企业？", "count"),  # firms counted
        ("高铁在其中要占多少？", "amount"),  # nothing between 占 and 多少 names the whole
    ],
)
def test_a_part_of_a_whole_asks_for_a_share(question: str, slot: str) -> None:
    assert detect_slot(question) == slot


def test_an_english_year_swap_keeps_the_place_it_was_about() -> None:
    standalone = "What share of IC manufacturing revenue did the Pearl River Delta contribute in 2021?"
    carried = carried_places(standalone, "And in 2021?")
    assert carried
    assert about_places(carried, "但珠三角地区在2020年仅有2.8%的收入占比贡献")
    assert not about_places(carried, "2021年，上海市集成电路产业实现销售收入2578.85亿元")
    # Not a year swap: the appended topic only says which document is meant.
    assert not carried_places("Which body evaluates them? (Pentagon support)", "Which body evaluates them?")
    # China is no specific place.
    assert not carried_places("What is the 2035 target for China's core AI industry?", "What about 2035?")


def test_an_english_pointer_at_an_event_takes_the_names_the_answer_gave() -> None:
    answer = (
        "According to the proposal — “2021年5月28日，在中国科学院第二十次院士大会、中国工程院第十五次院士大会"
        "和中国科协第十次全国代表大会上，习近平总书记强调要加强原创性科技攻关” [1]."
    )
    event = pointed_event_en("Where was that conference held?", answer)
    assert event.split() == [
        "中国科学院第二十次院士大会",
        "中国工程院第十五次院士大会",
        "中国科协第十次全国代表大会",
    ]
    assert pointed_event_en("Where was it held?", answer) == ""
    assert pointed_event_en("Where was that conference held?", "The documents do not say.") == ""


def test_a_follow_up_asking_two_things_is_answered_part_by_part(seed_assistant: Assistant) -> None:
    history = _history(seed_assistant, "「陳－扎克伯格倡議」打算在十年內拿多少錢投入基礎科學研究？")
    ans = seed_assistant.ask("它是哪一年、由誰創立的？", history=history)
    assert not ans.refused, ans.refusal_reason
    assert ans.parts and all(p["answered"] for p in ans.parts)
    assert "扎克伯格" in ans.parts[0]["standalone"]
    assert "2015" in ans.answer


def test_a_sub_items_share_of_the_whole_is_answered(seed_assistant: Assistant) -> None:
    history = _history(seed_assistant, "工业机器人最核心、成本最高的三类部件是哪些？")
    ans = seed_assistant.ask("其中减速机一项占本体成本多少？", history=history)
    assert not ans.refused, ans.refusal_reason
    assert "30%-50%" in ans.answer


def test_a_year_swap_is_not_answered_with_another_places_figure(seed_assistant: Assistant) -> None:
    history = _history(
        seed_assistant, "What share of IC manufacturing revenue did the Pearl River Delta contribute in 2020?"
    )
    ans = seed_assistant.ask("And in 2021?", history=history)
    assert ans.refused and ans.citations == [], ans.answer
    assert "2578.85" not in ans.answer
