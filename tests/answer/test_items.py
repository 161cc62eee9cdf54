"""Numbered list items (rag/answer/items.py): labels read with their number, items named by a question."""

from __future__ import annotations

from rag.answer.items import asked_items, item_label


def test_item_labels_are_read_with_their_number() -> None:
    assert item_label("策略一：完善創科生態圈，促進上中下游相互發展。") == ("策略", 1)
    assert item_label("方向十二、加强合作") == ("方向", 12)
    assert item_label("措施3. 设立基金") == ("措施", 3)
    assert item_label("第一，加强基础研究。") is None  # an ordinal, no noun: "第一條高鐵" asks for no item
    assert item_label("藍圖八大策略") is None


def test_a_question_names_an_item_only_by_the_passages_label_noun() -> None:
    assert asked_items("藍圖的策略一以甚麼為目標？", {"策略"}) == {("策略", 1)}
    assert asked_items("方向二和方向三分别是什么？", {"方向"}) == {("方向", 2), ("方向", 3)}
    assert asked_items("藍圖的策略一以甚麼為目標？", {"方向"}) == set()
    assert asked_items("策略一级指标有哪些？", {"策略"}) == set()  # 一级 is a level, not item one
