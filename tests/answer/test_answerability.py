"""A sentence answers only when it fills the slot and its passage keeps the constraints."""

from __future__ import annotations

from rag.answer.answerability import constraint_problem, enumeration_size, fills_slot
from rag.answer.citations import arabic_numerals, figures, quantities
from rag.answer.question import analyse


def test_chinese_numerals_are_figures() -> None:
    assert arabic_numerals("首期投入资金八千八百万元") == "首期投入资金8800万元"
    assert arabic_numerals("总投资三千三百万元") == "总投资3300万元"
    assert arabic_numerals("百分之三十") == "30%"
    assert arabic_numerals("约三成以上") == "约30%以上"
    assert arabic_numerals("两千亿元") == "2000亿元"
    assert arabic_numerals("四大發展方向和八項指標") == "4大發展方向和8項指標"
    for words in ("十四五规划", "统一标准", "第一", "一个重要", "万一", "形成"):
        assert arabic_numerals(words) == words
    assert [f.value for f in quantities("首期投入资金八千八百万元")] == [8.8e7]
    assert any(f.percent and f.base == 30 for f in figures("占比百分之三十"))


def test_slot_must_be_filled_with_new_information() -> None:
    where = analyse("Under Australia's AI Action Plan, which city hosts the national AI centre?")
    assert not fills_slot(where, "澳大利亚政府发布人工智能行动计划。", "澳大利亚政府发布人工智能行动计划")
    assert fills_slot(where, "在阿德莱德市建立人工智能中心。", "澳大利亚政府发布人工智能行动计划")
    money = analyse("量子蜂巢计划首期投入资金是多少？")
    assert fills_slot(money, "首期投入资金八千八百万元。")
    assert not fills_slot(money, "计划涉及12个项目。")  # a figure, but not money
    intensity = analyse("航空航天製造業的研發強度是多少？")
    assert not fills_slot(intensity, "並從製造業和服務業兩種產業形態進行區分。")  # a count, not an amount
    assert fills_slot(intensity, "研發投入強度分別爲31.7%、28.0%和24.1%。")
    when = analyse("该计划何时发布？")
    assert fills_slot(when, "2021年5月发布。") and not fills_slot(when, "该计划意义重大。")


def test_constraints_name_what_is_missing() -> None:
    house = analyse("By what margin did the House pass the Innovation and Competition Act?")
    senate = "美国参议院以68票赞成、32票反对通过《2021年美国创新与竞争法案》。"
    assert constraint_problem(house, senate) == "the documents give 参议院, not 众议院"
    assert constraint_problem(analyse("By what margin did the Senate pass it?"), senate) is None
    titled = analyse("《广东省数字经济促进条例》第三十条是怎么规定的？")
    assert constraint_problem(titled, "《广东省数字经济促进条例》共10章72条。") is None
    assert "《" in (constraint_problem(titled, "深圳市发布人工智能产业条例。") or "")


def test_enumeration_size() -> None:
    assert enumeration_size("四大方向：甲、乙、丙和丁") >= 3
    assert enumeration_size("一句话没有列举。") == 1
