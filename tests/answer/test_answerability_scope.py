"""Scope constraints: a passage about another plan period, another body or place, or a list of
the wrong kind of organisation does not answer (own wordings, real jieba and CC-CEDICT)."""

from __future__ import annotations

from rag.answer.answerability import (
    absent_body,
    asked_kinds,
    constraint_problem,
    fills_slot,
    names_kind,
    place_problem,
    plan_periods,
    scope_problem,
    unknown_place,
)
from rag.answer.question import analyse


def test_plan_periods_in_both_languages() -> None:
    assert plan_periods("“十四五”规划提出了哪些目标？") == ("十四五",)
    assert plan_periods("What did the 12th Five-Year Plan fund?") == ("十二五",)
    assert plan_periods("第十三个五年规划期间") == ("十三五",)
    assert plan_periods("十五年来的发展") == ()


def test_another_plan_period_is_named_as_the_problem() -> None:
    why = scope_problem("What did the 12th Five-Year Plan fund?", "《“十四五”科技规划》提出到2025年……")
    assert why is not None and "十四五" in why and "十二五" in why
    assert scope_problem("“十四五”规划的目标？", "“十四五”时期，全省研发投入……") is None


def test_a_body_the_passage_never_speaks_of() -> None:
    text = "参议院以 70 票赞成通过该法案，旨在加强半导体研发。"
    assert absent_body("法案通过后，中国商务部作何表态？", text) in (
        "the passages do not mention 中国商务部",
        "the passages do not mention 商务部",
    )
    # An abbreviation keeps the characters that say which body: 科技厅 for 科学技术厅.
    assert absent_body("广东省科技厅发布了哪些措施？", "广东省科学技术厅印发若干措施") is None


def test_a_place_the_passage_never_names() -> None:
    assert place_problem("杭州有多少家芯片企业？", "南京集成电路企业超过300家，产值增长两成。") is not None
    # A passage naming no place continues its document (全市): it is kept.
    assert place_problem("杭州有多少家芯片企业？", "全市集成电路企业超过300家，产值增长两成。") is None
    assert place_problem("杭州有多少家芯片企业？", "杭州集成电路企业超过300家。") is None
    assert place_problem("How many chip firms?", "全市集成电路企业超过300家。") is None
    # 东西 ("things") is tagged a place; it names none.
    assert place_problem("第二个领域要研究哪些东西？", "德国计划在通信领域投入7亿欧元。") is None


def test_kind_of_organisation_asked() -> None:
    assert asked_kinds("首批试点中，哪些高校入选？") == ("university",)
    assert asked_kinds("Which banks or companies signed?") == ("company",)
    assert set(asked_kinds("Which universities or institutes run the labs?")) == {"university", "institute"}
    assert asked_kinds("由哪个机构负责？") == ()
    assert asked_kinds("Which agency's platform does the plan fund?") == ()  # bodies: any kind
    q = analyse("首批试点中，哪些高校入选？")
    assert not names_kind(q, "教育部公布了试点名单，共覆盖五个省份。")
    assert names_kind(q, "入选的有浙江大学、中山大学等十所学校。")


def test_english_who_asked_by_role_needs_a_person() -> None:
    q = analyse("Who was appointed director of the new quantum institute?")
    assert q.slot == "person"
    assert not fills_slot(q, "科学技术部宣布成立量子研究院，并启动首批项目。")
    assert fills_slot(q, "科学技术部任命张三丰为量子研究院院长。")
    # Without a role, "who" may be answered by a budget or a body, as in Chinese.
    funder = analyse("Who has long paid for most of the basic research?")
    assert fills_slot(funder, "基础研究经费中政府资金占比长期在90%以上。")


def test_a_chamber_the_passage_does_not_name() -> None:
    q = analyse("How did the House of Representatives vote on the chip bill?")
    assert constraint_problem(q, "该法案拨款520亿美元支持芯片制造。") is not None
    assert constraint_problem(q, "众议院以 243 票赞成通过该法案。") is None


def test_unknown_place_from_the_dictionary() -> None:
    never = lambda zh: False  # noqa: E731 - the corpus writes none of it
    assert unknown_place("New Zealand", "美国和日本的投入", never)
    assert not unknown_place("New Zealand", "新西兰政府发布了战略", never)
    assert not unknown_place("Digital Agency", "日本数字厅", never)  # not a place


def test_person_names_need_a_surname_or_a_transliteration() -> None:
    from rag.answer.answerability import persons

    assert persons("进一步实施人工智能道德原则") == set()  # jieba tags 道德 nr
    assert "王志刚" in persons("科技部部长王志刚出席会议")


def test_a_japanese_ministry_is_no_province() -> None:
    q = analyse("日本打算在哪些城市建设新的研发中心？")
    assert q.slot == "place"
    assert not fills_slot(q, "日本文部科学省发布了研发中心建设计划。")
    assert fills_slot(q, "新中心将建在大阪市和福冈市。")


def test_a_rate_asked_is_a_percentage() -> None:
    assert analyse("What subsidy rate does the new scheme offer to small firms?").slot == "percentage"


def test_besides_does_not_start_a_name() -> None:
    from rag.answer.names import question_names

    names = [
        n.text for n in question_names("Besides the Quantum Flagship Office, how many hubs are planned?")
    ]
    assert names == ["Quantum Flagship Office"]


def test_a_figure_owned_by_another_name() -> None:
    from rag.answer.answerability import figure_owner_problem

    passage = "全球设备商包括华为、诺基亚、爱立信等。华为获得了80个合同，诺基亚获得了50个合同。"
    sentence = "华为获得了80个合同，诺基亚获得了50个合同。"
    q = analyse("爱立信获得了多少个合同？")
    why = figure_owner_problem(q, sentence, "", passage)
    assert why is not None and "爱立信" in why and "华为" in why
    assert figure_owner_problem(analyse("华为获得了多少个合同？"), sentence, "", passage) is None
    # The name asked is not in the passage at all: another rule's business, not this one's.
    assert figure_owner_problem(q, sentence, "", sentence) is None
