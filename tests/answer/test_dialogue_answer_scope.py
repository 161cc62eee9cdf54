"""Follow-ups that point at the previous ANSWER itself (its N-th item, the reason for its claim,
the source of its passage) are asked about what that answer said; a count asked of one member of
a group is not answered by the figure that totals the group; 第N项 before a noun counts a list.
Wordings are our own (no gold item)."""

from __future__ import annotations

from rag.answer.dialogue import (
    answer_items,
    answer_pointer,
    answer_sentences,
    follow_up_terms,
    scoped_by_answer,
    unstated_figures,
)
from rag.answer.question import asked_clauses
from rag.assistant import Assistant

_ANSWER = (
    "根据检索到的文档：\n"
    "报告认为，数据治理主要有三项任务，一是建立数据分类分级制度，二是完善数据交易规则[1]。"
    "三是加强跨境数据流动监管，防范安全风险[1][2]。"
)


def test_a_pointer_at_the_answer_is_told_from_a_new_question_about_the_topic() -> None:
    assert answer_pointer("那其中第二项是什么意思？") == ("item", 2)
    assert answer_pointer("上述第3点具体指什么？") == ("item", 3)
    assert answer_pointer("What does the second point mean?") == ("item", 2)
    assert answer_pointer("为何这样认为？") == ("reason", 0)
    assert answer_pointer("這樣說的依據是甚麼？") == ("reason", 0)
    assert answer_pointer("Why is that?") == ("reason", 0)
    assert answer_pointer("这段话出自哪份文件？") == ("source", 0)
    assert answer_pointer("Where does this analysis come from?") == ("source", 0)
    # A new slot of the same topic, or the next item of the same list, is no pointer at the answer.
    for question in (
        "那第二个呢？",
        "它打算投入多少资金？",
        "为什么要设立这个基金？",
        "Why did they pass it?",
    ):
        assert answer_pointer(question) is None


def test_the_answer_is_read_as_its_sentences_and_its_numbered_items() -> None:
    sentences = answer_sentences(_ANSWER)
    assert sentences[0].startswith("报告认为") and all("[" not in s for s in sentences)
    items = answer_items(sentences)
    assert items == [
        "一是建立数据分类分级制度",
        "二是完善数据交易规则",
        "三是加强跨境数据流动监管，防范安全风险",
    ]
    assert answer_sentences("根据现有文档无法回答这个问题：文档中没有相关内容。") == []
    english = "According to 《白皮书》, “数据要素市场规模达到815亿元” [1]."
    assert answer_sentences(english) == ["数据要素市场规模达到815亿元"]


def test_a_pointer_is_asked_about_what_the_answer_said() -> None:
    previous = "报告把数据治理的任务归纳为哪几项？"
    third = scoped_by_answer("其中第三项指的是什么？", previous, _ANSWER)
    assert third is not None and "加强跨境数据流动监管" in third and "数据治理" in third
    # Fewer items than asked: the ordinary rewrite carries the topic instead.
    assert scoped_by_answer("其中第五项指的是什么？", previous, _ANSWER) is None
    why = scoped_by_answer("为什么这么说？", previous, _ANSWER)
    assert why is not None and why.startswith("为什么报告认为") and "这么说" not in why
    # The previous turn was refused: its whole question (what it asked included) is the claim.
    refused = "根据现有文档无法回答这个问题：文档中没有相关内容。"
    why = scoped_by_answer("為甚麼這麼說？", "報告認為數據治理最大的難點是甚麼？", refused)
    assert why == "為甚麼報告認為數據治理最大的難點？"
    assert scoped_by_answer("它打算投入多少资金？", previous, _ANSWER) is None


def test_the_figure_totalling_a_list_does_not_count_one_member() -> None:
    sentence = "会议成立了由企业代表、高校学者及行业协会负责人等15名成员组成的专家组"
    for member in ("高校学者", "企业代表", "负责人"):
        assert unstated_figures([(member,)], sentence) == [member]
    assert unstated_figures([("高校学者",)], "专家组中有6名高校学者") == []
    # A figure of its own beside the member still answers for it.
    assert unstated_figures([("高校学者",)], "其中高校学者4名、企业代表等15名成员") == []


def test_a_kind_of_person_after_its_own_noun_is_what_is_counted() -> None:
    _, counted = follow_up_terms(
        "其中有几位是律师代表？", "专家组由多少人组成？", idf=lambda _w: 0.0, wants_figure=True
    )
    assert ("律师代表",) in counted


def test_an_ordinal_item_before_a_noun_is_no_clause_of_a_law() -> None:
    assert asked_clauses("规划第四项任务包括哪些内容？") == ()
    assert asked_clauses("条例第三条第二项规定了什么？") == ("第3条", "第2项")
    assert asked_clauses("第十五条是怎么规定的？") == ("第15条",)


def test_a_count_of_one_member_is_refused_through_the_chain(seed_assistant: Assistant) -> None:
    """Asked for real: the seed document gives the group's size (11), not how many of one kind."""
    question = "肇庆市政协成立的督办组一共有多少名同志？"
    first = seed_assistant.ask(question)
    assert not first.refused and "11" in first.answer
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": first.answer}]
    ans = seed_assistant.ask("其中督查室负责人有几位？", history=history)
    assert ans.refused and not ans.citations
