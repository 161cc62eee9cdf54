"""Follow-ups and parts worded in ways the first rules did not foresee: the attribute a question
asked is not carried, an ordinal or a phrase of the same head replaces its like, a subject pointed
at (那台…) ends with its nouns, a pronoun after a count carries the things counted, a count asked
in a measure word wants that measure, and words that ask or point are not scored. Wordings are
our own (no gold item)."""

from __future__ import annotations

from rag.answer.answerability import counts_in_measure, fills_slot, place_problem
from rag.answer.dialogue import (
    about_places,
    asked_kind,
    carried_topic,
    condense_follow_up,
    deictic_subject,
    shared_subject,
)
from rag.answer.question import (
    analyse,
    ellipsis_subject,
    is_ask_word,
    is_ordinal,
    rewrite_follow_up,
    split_parts,
    swap_ordinal,
)
from rag.assistant import Assistant


def test_the_attribute_asked_is_not_carried() -> None:
    # "X的Y是什么": Y is what was asked about X; a later part asks its own attribute of X.
    assert shared_subject("苏州人工智能产业规划的核心目标是什么？") == "苏州人工智能产业规划"
    assert shared_subject("成都低空经济试点方案的补贴上限是多少？") == "成都低空经济试点方案"
    # Not when the predicate goes on: "…的条例是哪个部门发布的" asks about the 条例.
    assert shared_subject("江苏省政府的数据条例是哪个部门起草的？") == "江苏省政府的数据条例"
    # Not when too little would remain ("日本的…": 日本 alone names no subject).
    assert shared_subject("日本的芯片战略是什么？") == "日本的芯片战略"


def test_an_ordinal_replaces_an_ordinal() -> None:
    history = [("user", "《成都数字经济规划》的第一项重点任务是什么？")]
    assert rewrite_follow_up("第三项呢？", history) == "《成都数字经济规划》的第三项重点任务是什么？"
    history = [("user", "What is the second priority of the Welsh innovation strategy?")]
    assert (
        rewrite_follow_up("And the fourth?", history)
        == "What is the fourth priority of the Welsh innovation strategy?"
    )
    assert is_ordinal("第三项") and is_ordinal("the fourth") and not is_ordinal("原料药")
    assert swap_ordinal("研发投入是多少？", "第二个") is None


def test_an_english_phrase_with_the_same_head_replaces_the_previous_one() -> None:
    history = [("user", "What share of firms in coastal provinces export abroad?")]
    assert (
        rewrite_follow_up("What about those in inland provinces?", history)
        == "What share of firms in inland provinces export abroad?"
    )
    # A year re-times the question; it does not replace a phrase ending in the same word.
    history = [("user", "How much does the 2024 R&D budget set aside for vaccines?")]
    assert rewrite_follow_up("What about in the 2025 budget?", history) == (
        "How much does the 2025 R&D budget set aside for vaccines?"
    )


def test_a_yes_no_follow_up_is_not_an_ellipsis() -> None:
    assert ellipsis_subject("Does it also cover satellite links?") is None
    assert ellipsis_subject("What about the Netherlands?") == "the Netherlands"
    history = [("user", "How much will Norway's research council spend on ocean robotics?")]
    out = rewrite_follow_up("Does this programme cover underwater drones?", history)
    assert out.startswith("Does this programme cover underwater drones?")


def test_a_subject_pointed_at_ends_with_its_nouns() -> None:
    previous = "苏州和无锡合建的那座数据中心装了多少台服务器？"
    assert deictic_subject(previous) == "苏州和无锡合建的数据中心"
    assert carried_topic(previous) == "苏州和无锡合建的数据中心"
    out = condense_follow_up("它每年耗电多少？", [("user", previous)])
    assert out == "苏州和无锡合建的数据中心每年耗电多少？"  # the servers counted are not carried
    assert deictic_subject("这些方向又细化为多少项策略？") == ""  # nothing long enough is pointed at


def test_a_carried_place_may_be_written_out_in_full() -> None:
    assert about_places(frozenset({"浙大"}), "浙江大学研制的类脑芯片")
    assert not about_places(frozenset({"浙大"}), "浙江省政府印发的方案")
    assert about_places(frozenset({"澳洲"}), "澳大利亚公布人工智能行动计划")


def test_a_pronoun_after_a_count_carries_the_things_counted() -> None:
    assert asked_kind("这家工厂去年装了多少台工业机器人？") == ("机器人", True)
    assert asked_kind("实验用了哪种处理器？") == ("处理器", False)
    assert asked_kind("报告提出了哪些方面的措施？") == ("", False)  # vague kinds say nothing
    history = [("user", "研究团队在晶圆上做出了多少个微型传感器？")]
    assert "传感器" in condense_follow_up("它们靠什么供能？", history)
    # 它 (one thing) after a count points at the subject, not at the things counted.
    assert condense_follow_up("它设在哪个区？", [("user", "苏州研究中心计划建多少个传感器？")]) == (
        "苏州研究中心设在哪个区？"
    )


def test_a_count_asked_in_a_measure_word_wants_that_measure() -> None:
    assert counts_in_measure("大会共收到多少件议案？", "本次大会共收到议案 412 件")
    assert not counts_in_measure("大会共收到多少件议案？", "大会于 3 月 5 日开幕")
    assert not counts_in_measure("结果须在几个月内提交？", "法案共分为 7 个部分")
    assert counts_in_measure("结果须在几个月内提交？", "须在 6 个月内提交报告")
    # Things may be counted with 个, people with 名/位/人, and a scale may come between.
    assert counts_in_measure("建了多少家孵化器？", "计划建成至少 40 个孵化器")
    assert counts_in_measure("出了多少位院士？", "培养了 20 多名院士")
    assert counts_in_measure("入库了多少家企业？", "入库企业 3.2 万家")
    q = analyse("这项计划资助了几个月？")
    assert not fills_slot(q, "该计划包含 3 个行动领域")


def test_a_cost_asks_for_money_and_a_neuron_is_not_money() -> None:
    assert analyse("这台超级计算机造价多少？").units == ("money",)
    assert analyse("What were the startups worth in total?").slot == "amount"
    q = analyse("这台超级计算机造价多少？")
    assert not fills_slot(q, "它支持 1.2 亿个神经元，功耗 400 瓦")
    assert fills_slot(q, "整机造价约 3 亿元")
    assert fills_slot(q, "整機造價約 3 億元")


def test_a_leading_scene_stays_with_the_part_after_it() -> None:
    assert split_parts("在移动时代，智能手机普及用了多少年、平板电脑又用了多少年？") == [
        "在移动时代，智能手机普及用了多少年",
        "平板电脑又用了多少年？",
    ]


def test_words_that_ask_or_point_are_not_content() -> None:
    for token in ("哪些方面", "哪几", "甚么", "几个", "这次", "本次", "这个"):
        assert is_ask_word(token), token
    for token in ("方面", "本地", "这样", "其中", "策略"):
        assert not is_ask_word(token), token


def test_a_place_under_another_name_is_the_same_place() -> None:
    assert (
        place_problem("澳洲的人工智能计划投入多少？", "澳大利亚公布人工智能行动计划，投资1.24亿澳元") is None
    )
    assert place_problem("澳洲的人工智能计划投入多少？", "新加坡公布人工智能行动计划") is not None


def test_an_ordinal_follow_up_through_the_chain(seed_assistant: Assistant) -> None:
    """Asked for real: the standalone question asks for the next item of the same list."""
    question = "香港创科蓝图列出的第一个发展方向是什么？"
    first = seed_assistant.ask(question)
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": first.answer}]
    ans = seed_assistant.ask("那第二个呢？", history=history)
    assert ans.standalone == "香港创科蓝图列出的第二个发展方向是什么？"
