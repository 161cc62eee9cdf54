"""Question analysis: slots, constraints, parts and follow-up rewriting (pure functions)."""

from __future__ import annotations

import pytest

from rag.answer.answerability import constraint_problem, missing_terms, spells_out
from rag.answer.citations import quantities
from rag.answer.english import states_duration
from rag.answer.generators import ExtractiveGenerator, GenerationRequest
from rag.answer.question import (
    analyse,
    bare_ask,
    counted_forms_en,
    detect_slot,
    ellipsis_subject,
    glossary_aliases,
    is_ask_word,
    is_follow_up,
    names_own_topic,
    rewrite_follow_up,
    split_parts,
    topic,
    without_ask_measure,
    without_preamble,
)
from rag.assistant import Assistant
from rag.text import keyword_tokens


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
    # Cantonese opens a follow-up with 咁 where Mandarin has 那 (咁多 is "so many", no opener).
    assert ellipsis_subject("咁第三個呢？") == "第三個"
    assert ellipsis_subject("咁多呢？") == "咁多"
    assert ellipsis_subject("那它的占比是多少？") is None
    # A follow-up that asks on its own is no ellipsis: "whom", an alternative (升还是跌).
    assert ellipsis_subject("And for mature-node chips, whom does the US depend on?") is None
    assert ellipsis_subject("那同上一届比是升还是跌？") is None
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


# --- An ask that starts at 多大, a demonstrative 那几项, a conversational lead-in, a comparison noun.


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


# --- The slot an abstract 在哪里 or a length of time since a start asks; which words a refusal may call missing.


def test_where_of_an_abstract_noun_asks_a_reason() -> None:
    assert detect_slot("专家认为，要让科研成果“有得转”，症结在哪里？") == "reason"
    assert detect_slot("石墨烯要拿来做芯片，难点在哪儿？") == "reason"
    assert detect_slot("两国的差距在哪里？") == "reason"


def test_where_of_a_site_a_name_or_a_located_verb_stays_a_place() -> None:
    assert detect_slot("公司总部在哪里？") == "place"  # a site noun
    assert detect_slot("中关村在哪里？") == "place"  # a place name
    assert detect_slot("会议在哪里举办？") == "place"  # the ask is followed by a verb of location
    assert detect_slot("基地设在哪里？") == "place"  # 设在: the verb is fused with 在
    assert detect_slot("他在哪里？") == "place"  # a pronoun


def test_years_since_a_start_ask_for_a_length_of_time() -> None:
    # answered by "经过32年的发展" (a duration), not by a count of things
    assert detect_slot("中关村发展到现在有多少年了？") == "duration"
    assert detect_slot("这家实验室成立至今多少年？") == "duration"
    # a length of time ahead stays a count of years; 哪一年成立 stays a date
    assert detect_slot("白皮书认为经济危机大约要再过多少年才会显现？") == "count"
    assert detect_slot("之江实验室是哪一年成立的？") == "date"


def test_a_refusal_does_not_name_fragments_or_function_words() -> None:
    absent = missing_terms(analyse("石墨烯要拿来做芯片，难点在哪儿？"), ["无关的文字"])
    assert "烯要" not in absent and "芯片" in absent
    absent = missing_terms(analyse("城市硬科技指数里“科创板企业数量”这一项的数据是从哪里来的？"), ["无关"])
    assert "一项" not in absent and "科创板" in absent
    absent = missing_terms(analyse("中关村发展到现在有多少年了？"), ["无关"])
    assert "现在" not in absent and "中关村" in absent
    # a name the dictionary lacks is still named as missing
    assert "京张" in missing_terms(analyse("京张高铁全长多少公里"), ["高铁全长"])


def test_when_joining_a_clause_to_another_question_word_does_not_ask_a_date() -> None:
    q = "What talent philosophy does Guangdong follow when it recruits technology envoys from abroad?"
    assert detect_slot(q, "en") != "date"
    assert detect_slot("How big was that joint fund in total when it was set up?", "en") == "amount"
    # "when" opening the question or its own clause still asks a date
    assert detect_slot("When did the programme start?", "en") == "date"
    assert (
        detect_slot("Which two US bodies funded chip research, and when did the plan start?", "en") == "date"
    )


def test_a_bill_number_is_a_name_every_passage_must_write() -> None:
    # S.1260 and S.1261 are different bills: the number is required as written, in either language
    assert ("s.1261",) in analyse("What was the final tally when the Senate passed S.1261?").entities
    assert ("s.1260",) in analyse("S.1260法案在参议院以多少票通过？").entities
    assert analyse("How much will China invest by 2025?").entities == ()  # a year is no identifier


# How a fresh Chinese question asks, read from its structure: a length of time (多久, 多长), a
# measure asked with 多 + adjective (多大比重), a numbered abbreviation (“双一流”), a numeral the passage
# writes in digits (五年期 / 5 年期).


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


def test_a_bare_how_long_may_ask_a_length_and_time_words_say_it_is_time() -> None:
    from rag.answer.question import asks_length

    assert asks_length("到2030年全省高速公路网要多长？")
    assert asks_length("How long will the new subway line be when it opens?")
    for timed in (
        "这项计划为期多久？",
        "建成这条线路要多长时间？",
        "How long did the review take?",
        "For how long will the grants run?",
    ):
        assert not asks_length(timed), timed


def test_how_much_higher_asks_a_change() -> None:
    from rag.answer.question import asks_change

    assert asks_change("How much larger would the sales of the two firms be under the merger?")
    assert asks_change("今年的专利申请量比去年增长了多少？")
    assert not asks_change("How much did the ministry spend on grants?")
    # a rate of growth is a change too, stated as a share whatever the thing is measured in
    assert asks_change("How fast did worldwide robot sales grow each year on average?")
    assert asks_change("At what rate is spending rising?")
    assert asks_change("2019年光伏发电量的增速是多少？")
    assert not asks_change("How fast is the new supercomputer?")
    assert asks_change("By roughly how much did companies' R&D spending grow?")
    assert asks_change("How much did global robot sales grow in 2018?")


def test_figurative_where_asks_a_standing_not_a_place() -> None:
    from rag.answer.question import detect_slot

    assert (
        detect_slot("Where does Made in China 2025 place new-energy vehicles among its priorities?") == "fact"
    )
    assert detect_slot("Where does the strategy put quantum computing?") == "fact"
    assert detect_slot("Where will the new centre be built?") == "place"
    assert detect_slot("Where did the minister announce the plan?") == "place"


def test_a_document_number_is_an_identifier_not_a_quantity() -> None:
    from rag.answer.question import asks_identifier, detect_slot

    assert detect_slot("这份行动方案的文号是多少？") == "fact"
    assert asks_identifier("《意見》的文號是什麼？")
    assert not asks_identifier("这份方案投入了多少资金？")


@pytest.mark.parametrize(
    "text",
    [
        "In which town or city will the new centre be based?",
        "What country hosts the institute?",
        "Which district is the park in?",
        "该中心将落户哪个市？",
        "大会在什么地方举行？",
    ],
)
def test_a_question_for_a_town_district_or_site_asks_a_place(text: str) -> None:
    assert analyse(text).slot == "place"


def test_a_compound_joined_by_dashes_names_no_single_place() -> None:
    """ "Beijing–Tianjin–Hebei" (en dash) is one region, written 京津冀: not Beijing, which the passage
    need not write, as "Guangdong-Hong Kong-Macao" is not Guangdong."""
    for dash in ("-", "–", "—"):
        q = analyse(f"What share came from Beijing{dash}Tianjin{dash}Hebei in 2020?")
        assert not any("北京" in e for e in q.entities)
    assert any("北京" in e for e in analyse("What share came from Beijing in 2020?").entities)


def test_an_english_ellipsis_with_a_preposition_swaps_what_was_asked_about() -> None:
    """ "And for X?" / "And in X?": the preposition is the previous question's. A common noun
    phrase replaces the of-phrase a copular question asks about, or the name the question ends on;
    it never replaces a proper name that only sets the scene (the body's workshop, a month)."""
    history = [("user", "What is the export share of consumer electronics in the survey?")]
    assert rewrite_follow_up("And for industrial robots?", history) == (
        "What is the export share of industrial robots in the survey?"
    )
    history = [("user", "What share of battery capacity does the US hold?")]
    assert rewrite_follow_up("And in Japan?", history) == "What share of battery capacity does Japan hold?"
    history = [("user", "How much does the 2022 plan give the Office of Science?")]
    assert rewrite_follow_up("And wind energy research?", history) == (
        "How much does the 2022 plan give wind energy research?"
    )
    history = [
        ("user", "What did the NDRC's March 2021 meeting ask firms to do about the transfer of patents?")
    ]
    out = rewrite_follow_up("And for the talent pipeline?", history)
    assert "NDRC's March 2021 meeting" in out and out.startswith("for the talent pipeline")


def test_the_glossary_knows_other_forms_of_a_chinese_name() -> None:
    aliases = dict(glossary_aliases("该法案给美国国家科学基金会多少钱？"))
    assert "nsf" in aliases["国家科学基金会"]
    assert "信通院" in dict(glossary_aliases("中国信息通信研究院的报告说了什么？"))["中国信息通信研究院"]
    assert glossary_aliases("今天天气怎么样？") == []


def test_an_ellipsis_naming_one_of_the_things_asked_for_asks_its_own_figure() -> None:
    """ "Which region had …?" then "What about the Bohai Rim?": the region named is one of those the
    first question picked among, so the question is asked of it (not of another place in it)."""
    history = [("user", "Which region had the largest share of China's chip design sales in 2021?")]
    assert rewrite_follow_up("What about the Bohai Rim?", history) == (
        "the Bohai Rim had the largest share of China's chip design sales in 2021?"
    )
    history = [("user", "Which company leads the lithography market?")]
    assert rewrite_follow_up("And Canon?", history) == "Canon leads the lithography market?"


def test_an_english_count_names_what_it_counts_through_the_reviewed_glossary_only() -> None:
    assert "研究所" in counted_forms_en("How many research institutes does the agency fund?")
    assert "设备商" in counted_forms_en(
        "How many chip equipment makers does Korea have?"
    )  # the longest phrase
    # a word only CC-CEDICT knows (its senses are too loose to require): no constraint
    assert counted_forms_en("How many satellites does the constellation have?") == ()


def test_an_english_count_in_an_english_document_names_what_it_counts_in_english() -> None:
    forms = counted_forms_en("How many start-ups did the fund back?")
    assert "start-ups" in forms and "start-up" in forms


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("2019年全球研发投入多少？", ("2019",)),
        ("2020年以来增长了多少？", ()),  # a bound, not the year asked
        ("2008年金融海嘯之後，美國同德國分別喺邊年推出製造業戰略？", ()),  # the bound's event between
        ("After the 2008 financial crisis, in which years did the US and Germany launch strategies?", ()),
        ("2018年推出后的销量是多少？", ("2018",)),  # the year the product came out is asked
    ],
)
def test_a_year_that_only_bounds_a_range_is_not_asked(question: str, years: tuple[str, ...]) -> None:
    from rag.answer.question import asked_point_years

    assert asked_point_years(question) == years
