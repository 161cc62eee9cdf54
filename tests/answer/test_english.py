"""Chinese figures in English (rag.answer.english): magnitudes converted, never copied."""

from __future__ import annotations

import pytest

from rag.answer.citations import figures, missing_figures
from rag.answer.citations.figures import span_years, states_change
from rag.answer.english import (
    COUNTED_TIME_RE,
    annotate,
    english_amounts,
    english_facts,
    english_sentence,
    named_terms,
    render_figure,
    renderings,
    states_duration,
)
from rag.answer.question import analyse, detect_slot


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("1000亿美元", "US$100 billion"),
        ("100億港元", "HK$10 billion"),
        ("1.24亿澳元", "A$124 million"),
        ("240亿美元", "US$24 billion"),
        ("近540亿美元", "nearly US$54 billion"),
        ("5559 亿美元", "US$555.9 billion"),
        ("2697.8亿韩元", "KRW 269.78 billion"),
        ("1.3489万亿韩元", "KRW 1.3489 trillion"),
        ("100亿元", "10 billion yuan"),  # bare 元: RMB, HK$ or NT$ depending on where
        ("15.3亿元人民币", "RMB 1.53 billion"),
        ("9.04亿", "904 million"),
        ("5万", "50,000"),
        ("34.6%", "34.6%"),
        ("2022年7月16日", "16 July 2022"),
        ("2021年8月", "August 2021"),
        ("2022~2026 财年", "FY2022–2026"),
        ("2022财年", "FY2022"),
        ("6月18日", "18 June"),  # the year is in the heading
        ("12 月 3 日", "3 December"),
        ("30日", "30 days"),  # "within 30 days" (30日内): a day count, not a day of the month
        ("8 级", "level 8"),
        ("3 个月", "3 months"),
        ("35 450 人", "35,450"),  # thousands grouped by a space, as Hong Kong tables write them
        ("約 5 000 間", "about 5,000"),
        ("不少於 100 000 人", "at least 100,000"),
        # A unit of measure is said with its number: "400" alone tells a reader neither what nor how much.
        ("3.79万公里", "37,900 km"),
        ("3亿千瓦", "300 million kW"),
        ("1.5万亿千瓦时", "1.5 trillion kWh"),
        ("1800亿TB", "180 billion TB"),
        ("2.35万吨", "23,500 tonnes"),
        ("12 英寸", "12-inch"),
        ("0.1毫米", "0.1 mm"),
        ("5~10公里", "5–10 km"),
        ("6 个百分点", "6 percentage points"),  # a change of a share, not a count of six things
        ("1.1℃", "1.1°C"),  # a warming: "1.1" alone says neither what nor of what
        ("1.5 摄氏度", "1.5°C"),
        # Qualifiers stay with the figure: "over 75%" is not "75%".
        ("超过75%", "over 75%"),
        ("不足10%", "less than 10%"),
        ("3.2‰", "3.2‰"),  # per thousand: a share, said as such
        ("约2.4%", "about 2.4%"),
        ("超千亿元", "over 100 billion yuan"),
        ("超 6 万", "over 60,000"),
        # A rank, not a count.
        ("排名第7", "7th"),
        ("居第 2 位", "2nd"),
        ("第13名", "13th"),
        ("排名27", "27th"),  # a list of ranks writes 第 once: 北京排名第7，…深圳排名27
    ],
)
def test_render_figure(chinese: str, english: str) -> None:
    assert render_figure(chinese) == english


@pytest.mark.parametrize("chinese", ["1000亿美元", "100億港元", "1.24亿澳元", "2697.8亿韩元", "9.04亿"])
def test_the_verifier_accepts_the_rendering_and_rejects_the_copied_magnitude(chinese: str) -> None:
    """Value, not digits: US$100 billion is 1000亿美元; "$1000 billion" is ten times too much."""
    english = render_figure(chinese)
    assert english is not None
    passage = figures(f"该项目投入{chinese}。")
    assert missing_figures(f"It invested {english} [1].", passage) == []
    digits = chinese.rstrip("美元港澳韩").rstrip("亿億")
    assert missing_figures(f"It invested {digits} billion [1].", passage) != []


def test_annotate_puts_the_english_beside_each_amount() -> None:
    text = "为芯片基金拨款240亿美元，占34.6%，1.24亿澳元。"
    assert (
        annotate(text) == "为芯片基金拨款240亿美元 [= US$24 billion]，占34.6%，1.24亿澳元 [= A$124 million]。"
    )


def test_english_facts_and_sentence() -> None:
    quote = "2022财年为芯片法案拨款240亿美元"
    assert english_facts(quote) == ["US$24 billion (240亿美元)", "FY2022"]
    assert named_terms(quote) == ["CHIPS Act (芯片法案)"]
    sentence = english_sentence("科技政策与咨询快报", quote, 2)
    assert sentence.startswith(
        "According to 《科技政策与咨询快报》: US$24 billion (240亿美元); FY2022; CHIPS Act"
    )
    assert sentence.endswith(f"“{quote}” [2].")
    # nothing to say in English: the plain frame
    assert english_sentence("t", "加快解决卡脖子问题", 1) == "According to 《t》, “加快解决卡脖子问题” [1]."


def test_english_amounts_replace_the_chinese_amounts_for_the_llm() -> None:
    text = "销售额从1300 亿元下降至697.1亿元，占34.6%，建成20家"
    out = english_amounts(text)
    assert "130 billion yuan" in out and "69.71 billion yuan" in out
    assert "亿元" not in out and "34.6%" in out and "20家" in out
    # the verifier, reading the original, accepts what the LLM can now copy
    assert missing_figures("Sales fell from 130 billion yuan to 69.71 billion yuan [1].", figures(text)) == []


def test_an_english_magnitude_is_not_supported_by_a_bare_count() -> None:
    """Qwen wrote "10 billion euro-level tech giants" for 10 家千亿欧元级别的科技巨头 (ten giants of
    €100 billion each): the bare 10 must not support "10 billion"."""
    passage = figures("希望欧洲至 2030 年打造 10 家千亿欧元级别的科技巨头")
    assert missing_figures("Europe aims for 10 billion euro-level tech giants by 2030 [1].", passage) == [
        "10billion"
    ]
    assert missing_figures("Europe aims for 10 tech giants by 2030 [1].", passage) == []


def test_a_count_range_is_rendered_as_a_range() -> None:
    assert english_facts("每个 KIC 都组织了约 5~10 个区域协同中心") == ["about 5–10 (约 5~10 个)"]
    assert english_facts("建成20家") == ["20 (20家)"]


def test_the_figure_whose_clause_says_the_asked_words_comes_first() -> None:
    # five counts of users: the asked one is named after its figure, in its own clause
    quote = "截至2020年3月，中国有7.31亿用户上网看视频，7.10亿用户在线购物，7.68亿用户在线支付，8.50亿用户在线观看视频，6.94亿用户享受在线政务服务"
    facts = english_facts(quote, slot="count", near=["中国", "在线", "政务", "服务"])
    assert facts[0] == "694 million (6.94亿)"
    assert "694 million (6.94亿)" not in english_facts(quote, slot="count")  # beyond the usual four


def test_the_asked_kind_of_figure_comes_first() -> None:
    quote = "预算总规模约 23.51 万亿韩元，比 2021年预算增加 1.04 万亿韩元(4.6%)"
    assert english_facts(quote)[0].startswith("about KRW 23.51 trillion")
    assert english_facts(quote, slot="percentage")[0] == "4.6%"
    assert english_facts(quote, slot="date")[0] == "2021"
    # a table row states a series: the asked amounts are not cut at the usual four
    row = (
        "| 0.74% (167.27 億港元) | 0.99% (265.54 億港元) | 2,306 港元 | 3,575 港元 | 5,000 港元 | 9,000 港元"
    )
    assert "HK$9,000 (9,000 港元)" not in english_facts(row)
    assert "HK$9,000 (9,000 港元)" in english_facts(row, slot="amount")


def test_a_circled_list_marker_is_not_rendered_as_a_figure() -> None:
    from rag.answer.english import english_facts

    assert english_facts("推动美国在以下 10 个关键技术领域的研究和进步：①人工智能、机器学习") == [
        "10 (10 个)"
    ]


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("八千八百万美元", "US$88 million"),  # Chinese numerals with a magnitude and a currency
        ("百分之三十", "30%"),
        ("四成", "40%"),
        ("三个月", "3 months"),  # a duration, in words or digits
        ("18个月", "18 months"),
        ("五至十年", "5–10 years"),  # a range whose low end has no measure word of its own
        ("近10年", "nearly 10 years"),
        ("25万~100万澳元", "A$250,000–1 million"),  # a range with its currency written once
        ("3~5亿元", "300–500 million yuan"),
    ],
)
def test_chinese_numerals_durations_and_amount_ranges(chinese: str, english: str) -> None:
    assert render_figure(chinese) == english


def test_ordinals_counts_in_words_and_digit_pairs_are_not_figures() -> None:
    # 第五年 is "the fifth year", 两三年 "two or three years" (not 23), 八项 enumerates the text's parts.
    assert english_facts("计划第五年（2027年）完成") == ["2027"]
    assert english_facts("用了两三年") == []
    assert english_facts("提出八项措施") == []


def test_a_chinese_numeral_range_is_read_as_two_figures_by_the_verifier() -> None:
    assert [f.base for f in figures("未来五至十年")] == [5.0, 10.0]


def test_a_count_in_words_is_stated_only_for_a_how_many_question() -> None:
    text = "报告提出建设弹性供应链的六大主题建议"
    assert english_facts(text) == []
    assert english_facts(text, slot="count") == ["6 (六大)"]
    assert english_facts("学习二十大精神", slot="count") == []  # the 20th Party Congress
    assert not missing_figures("6", figures(text))  # the verifier reads 六大 as 6 too


def test_a_day_of_the_month_is_not_a_day_count() -> None:
    assert english_facts("于6月18日发布，18日生效") == ["18 June"]
    assert english_facts("须在30日内完成审查") == ["30 days (30日)"]
    assert english_facts("两日内完成") == ["2 days (两日)"]


def test_the_asked_duration_comes_first() -> None:
    """A "how long" question gets its length of time before the sentence's other figures."""
    quote = "2021年投入5亿元，仅用 3 个月时间完成对接"
    assert english_facts(quote, slot="duration")[0] == "3 months (3 个月)"
    assert english_facts(quote)[0].startswith("500 million yuan")


@pytest.mark.parametrize("chinese", ["6月18日", "30日", "8 级"])
def test_the_verifier_accepts_the_new_renderings(chinese: str) -> None:
    english = render_figure(chinese)
    assert english is not None
    assert missing_figures(f"It says {english} [1].", figures(f"文件称{chinese}内。")) == []


def test_an_english_range_shares_its_magnitude_with_the_low_end() -> None:
    """119 万~475 万元人民币 is rendered "RMB 1.19–4.75 million": the verifier reads the low end as
    1.19 million (it rejected "1.19" as a bare number before), and an invented low end stays rejected."""
    chinese = "经费为 25 万~100 万澳元（约合 119 万~475 万元人民币）"
    assert [r.english for r in renderings(chinese)] == ["A$250,000–1 million", "RMB 1.19–4.75 million"]
    held = figures(chinese)
    assert missing_figures("A$250,000–1 million (RMB 1.19–4.75 million) [1].", held) == []
    assert missing_figures("RMB 1.5–4.75 million [1].", held) == ["1.5million"]
    assert missing_figures("RMB 1.19–4.8 million [1].", held) == ["4.8million"]
    # A falling "range" is two figures: the low end keeps its own value (250,000, not 250,000 million).
    assert [f.value for f in figures("A$250,000–1 million")] == [250000.0, 1e6]


def test_a_hundred_days_is_a_figure() -> None:
    """百日内 (within a hundred days) states 100 days; 上百 and 数百 (“hundreds of”) stay words."""
    text = "第14017号行政令指示新政府在百日内首先关注4类关键产品"
    assert "100 days (百日)" in english_facts(text, slot="duration")
    assert missing_figures("100 days [1].", figures(text)) == []
    assert missing_figures("200 days [1].", figures(text)) == ["200"]
    assert figures("上百日的准备") == [] and figures("数百天") == []


def test_votes_are_counts() -> None:
    text = "美国参议院以 68 票赞成、32 票反对的结果投票通过"
    assert english_facts(text)[:2] == ["68 (68 票)", "32 (32 票)"]
    assert missing_figures("68 votes to 32 [1].", figures(text)) == []
    assert missing_figures("86 votes to 32 [1].", figures(text)) == ["86"]


def test_hedged_magnitude_without_its_one_is_rendered_and_verified():
    from rag.answer.citations.figures import figures, missing_figures
    from rag.answer.english import renderings

    text = "该平台连接了近千亿个参数、约百万名用户"
    got = [(r.chinese, r.english) for r in renderings(text)]
    assert ("近千亿", "nearly 100 billion") in got and ("约百万", "about 1 million") in got
    passage = figures(text)
    assert missing_figures("It links nearly 100 billion parameters.", passage) == []
    assert missing_figures("It links 1000 billion parameters.", passage) == ["1000billion"]  # invented
    money = "计划投入近千亿美元，另有超过千亿元人民币"
    got = [(r.chinese, r.english) for r in renderings(money)]
    assert ("近千亿美元", "nearly US$100 billion") in got  # the currency is kept with the hedge
    assert ("超过千亿元人民币", "over RMB 100 billion") in got
    assert missing_figures("nearly US$100 billion [1].", figures(money)) == []


@pytest.mark.parametrize("hedge", ["近", "约", "逾", "超过", "超", "不足", "不到"])
def test_every_hedged_magnitude_stated_in_english_is_read_by_the_verifier(hedge):
    # 超千亿元产值 is stated as "over 100 billion yuan": the verifier must read the same value there,
    # or the one figure the question asks for is called unsupported.
    from rag.answer.citations.figures import figures, missing_figures
    from rag.answer.english import renderings

    text = f"为实现{hedge}千亿元产值的目标作出了重要贡献"
    said = [r.english for r in renderings(text)]
    assert len(said) == 1 and "100 billion yuan" in said[0], said
    assert missing_figures(f"The target is {said[0]} [1].", figures(text)) == []


def test_vague_chinese_quantities_are_not_figures():
    from rag.answer.citations.figures import figures, missing_figures
    from rag.answer.english import renderings

    assert renderings("各国投入数十亿欧元建设") == []  # "several billion", not €1 billion
    assert renderings("吸引了几十个团队") == []
    assert missing_figures("They invested €1 billion.", figures("各国投入数十亿欧元建设")) == ["1billion"]


def test_a_multiple_is_stated_as_times_whatever_the_slot():
    from rag.answer.citations.figures import figures, missing_figures
    from rag.answer.english import english_facts

    quote = "新工艺使良品率提升了三十多倍，成本下降"
    assert english_facts(quote, slot="comparison") == ["over 30 times (三十多倍)"]
    assert english_facts("产量是去年的4倍", slot="amount") == ["4 times (4倍)"]
    assert missing_figures("over 30 times higher", figures(quote)) == []
    assert missing_figures("over 300 times higher", figures(quote)) == ["300"]


def test_over_before_a_measure_word_in_chinese_numerals():
    from rag.answer.english import renderings

    assert [(r.chinese, r.english) for r in renderings("已有两百多家企业入驻")] == [("两百多家", "over 200")]


def test_other_currencies_keep_their_unit():
    from rag.answer.english import renderings

    got = [r.english for r in renderings("拨款 4.2 亿卢布，另有 300 万加元和 5000 万新加坡元")]
    assert got == ["RUB 420 million", "C$3 million", "S$50 million"]


def test_space_grouped_thousands_are_one_figure_to_the_verifier() -> None:
    passage = figures("創新及科技產業從業人員 | 35 450 人 | 不少於 100 000 人")
    assert missing_figures("It had 35,450 I&T workers and aims for at least 100,000 [1].", passage) == []
    assert missing_figures("It had 450 I&T workers [1].", passage) != []


def test_a_speed_in_kilometres_is_per_hour_and_its_qualifier_is_kept() -> None:
    facts = english_facts("研发时速能够达到400公里以上高速铁路技术标准", slot="amount")
    assert facts == ["400 km/h or more (400公里以上)"]
    assert missing_figures(f"{facts[0]} [1].", figures("研发时速能够达到400公里以上高速铁路技术标准")) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [("第14017号行政令", []), ("第 134 号重点提案", []), ("2021年第2期", ["2021年"]), ("第12期", [])],
)
def test_a_number_after_di_is_no_count(text: str, said: list[str]) -> None:
    """第2期 is an issue, 第14017号 an order's number: neither is "2" or "14017" of something."""
    assert [r.chinese for r in renderings(text)] == said


def test_a_count_after_a_comma_is_still_a_count() -> None:
    assert [r.english for r in renderings("为完成目标，17个部处厅共投入预算")] == ["17"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("仍有一成以上毕业生", ["10%"]),  # 一成 = 10% before a qualifier, as 三成 = 30%
        ("达到全国的七成以上", ["70%"]),
        ("中国基站占50%以上", ["50% or more"]),
        ("这一格局一成不变", []),  # an idiom ("unchanging"), not 10%
    ],
)
def test_tenths_and_shares_with_their_qualifier(text: str, said: list[str]) -> None:
    assert [r.english for r in renderings(text)] == said


def test_the_verifier_reads_yi_cheng_as_ten_percent() -> None:
    assert missing_figures("Over 10% [1].", figures("仍有一成以上毕业生购房计划超过 10 年")) == []
    assert figures("这一格局一成不变") == []


def test_percentage_points_answer_a_percentage_question_before_other_figures() -> None:
    """ "By how many percentage points did the share fall?": the fall is the asked figure, not crowded
    out of the summary by the sentence's durations and other shares."""
    text = (
        "在一线城市就业的毕业生中仅 25.7%的毕业生计划在 5 年内购房，比往届毕业生下降了 10.7 个百分点，"
        "6-10 年内购房的比例提升了 4.5 个百分点，仍有一成以上毕业生购房计划超过 10 年"
    )
    facts = english_facts(text, slot="percentage", near=["10 年"])
    fall = next(i for i, f in enumerate(facts) if f.startswith("10.7 percentage points"))
    assert all(fall < i for i, f in enumerate(facts) if "years" in f)


def test_a_table_row_is_stated_with_its_figures() -> None:
    """A quoted table row's cells are bare numbers (their header is elsewhere): the English line
    states the row's name and cells, so the figure reaches a reader without Chinese."""
    line = english_sentence("白皮书", "1 北京 84.04 80.80 1 79.28", 1)
    assert "table row 1, 北京: 84.04 / 80.80" in line
    assert line.endswith("“1 北京 84.04 80.80 1 79.28” [1].")


# English answers state the figure asked (rag.answer.english, citations.figures, question slots):
# unitless values, durations, the figure nearest the asked words, changes between two years.


def test_a_unitless_value_stated_as_the_measure_is_said_outside_the_quote():
    text = "2020年北京硬科技发展指数为84.04，位居全国第一"
    assert "84.04" in english_facts(text, slot="amount")
    assert "76.5 points" in english_facts("综合得分达 76.5分，排名第二", slot="fact")
    # Only a figure question shows it: a date question is not answered by an index.
    assert english_facts(text, slot="date") == ["2020"]


def test_a_table_cell_is_a_value_but_a_row_number_is_not():
    table = "序号 | 城市 | 指数\n1 | 北京 | 84.04\n2 | 上海 | 76.5"
    said = english_facts(table, slot="amount")
    assert said == ["84.04", "76.5"]


@pytest.mark.parametrize(
    "text",
    [
        "到2025年达到3亿",  # a magnitude is an amount, not a bare value
        "目标至2030年",  # a year
        "提高到 12.5%",  # a percentage
        "增长至5~10个",  # a range with its measure word
        "为12家企业提供资助",  # a count with its measure word
    ],
)
def test_bare_values_do_not_take_other_figures(text):
    assert not any(r.bare for r in renderings(text))


def test_a_bare_value_is_verified_like_any_figure():
    quote = "2020年北京硬科技发展指数为84.04"
    said = english_sentence("白皮书", quote, 1, slot="amount")
    assert said.startswith("According to 《白皮书》: 84.04")
    passage = [f for f in figures(quote)]
    assert missing_figures("84.04", passage) == []
    assert missing_figures("84.4", passage) == ["84.4"]


def test_the_figure_next_to_the_asked_words_comes_first():
    text = "风电装机达3亿千瓦，太阳能发电装机达2.5亿千瓦，水电装机达4亿千瓦，核电装机达0.5亿千瓦，生物质装机达0.4亿千瓦"
    solar = english_facts(text, slot="amount", near=["太阳能"])
    assert solar[0] == "250 million kW (2.5亿千瓦)"
    wind = english_facts(text, slot="amount", near=["风电"])
    assert wind[0] == "300 million kW (3亿千瓦)"
    # The limit drops the far figures, not the asked one.
    assert "250 million kW (2.5亿千瓦)" in english_facts(text, slot="amount", near=["太阳能"], slot_limit=2)
    assert english_facts(text, slot="amount") == english_facts(text, slot="amount", near=["没有的词"])


def test_a_count_written_with_its_magnitude_is_a_count():
    text = "全球5G商用网络将从60个增至170个，基站会从50万个增长到150万个，中国基站占50%以上"
    said = english_facts(text, slot="count", near=["基站"])
    assert "1.5 million (150万)" in said
    assert "500,000 (50万)" in said


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("分别用了46年、35年", True),
        ("项目期限为三年", True),
        ("周期为6个月", True),
        ("实施期为2021~2025年", True),
        ("在 2022~2026 财年拨款", True),
        ("2021年将拨款3亿卢布", False),
        ("共 72 条", False),
    ],
)
def test_states_duration(text, expected):
    assert states_duration(text) is expected


def test_a_count_of_years_needs_a_length_not_a_span_of_years():
    """ "How many years" counts years (46年, 三年); a span such as an edition's "2020-2021年版"
    answers "over what period", not "how many years"."""
    assert states_duration("实施期为2021~2025年")
    assert not states_duration("（2020-2021年版）", spans=False)
    assert states_duration("分别用了46年、35年", spans=False)
    assert COUNTED_TIME_RE.search("How many years of tax exemption do chipmakers get?")
    assert not COUNTED_TIME_RE.search("Over what period does the plan run?")


def test_a_hierarchical_row_number_is_not_a_value():
    said = english_facts("3.2 | 每千名劳动人口中创科从业人员 | 9.15 | 11.56 | 16.54 | 28.05", slot="count")
    assert said == ["9.15", "11.56", "16.54", "28.05"]


def test_how_many_years_asks_for_a_length_of_time():
    assert detect_slot("How many years did the radio take to spread?", "en") == "duration"
    assert detect_slot("How many months may a grant run?", "en") == "duration"
    assert detect_slot("How many firms took part?", "en") == "count"
    assert detect_slot("How long may a project run?", "en") == "duration"


def test_a_change_between_two_years_asks_both():
    q = "How much did the city's chip design sales fall from 2020 to 2021?"
    assert span_years(q) == ("2020", "2021")
    assert analyse(q).years == ("2020", "2021")
    assert span_years("What has changed since 2020?") is None
    assert analyse("What has changed from 2020 onwards?").years == ()
    assert span_years("从2019年到2021年增长了多少？") == ("2019", "2021")
    assert span_years("between FY2019 and FY2021") == ("2019", "2021")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("销售额从 2020 年的 1300 亿元下滑至 697.1 亿元", True),
        ("基站数量增长到150万个", True),
        ("2021年将拨款 3.15 亿卢布", False),
        ("至2025年建成10个中心", False),
    ],
)
def test_states_change(text, expected):
    assert states_change(text) is expected


def test_ranks_listed_after_the_first_are_ranks_and_a_count_after_paiming_is_not() -> None:
    text = "中国共有10个城市入围100强，其中北京排名第7，上海排名12、深圳排名27，中国城市排名总体上升"
    assert [r.english for r in renderings(text)] == ["10", "7th", "12th", "27th"]
    assert english_facts(text, near=["深圳"])[0] == "27th (排名27)"  # the asked city's rank first
    assert render_figure("排名100强") is None  # the top 100, not the 100th
    assert [r.english for r in renderings("排名 10 个城市")] == ["10"]  # a count of cities
    assert missing_figures("Shenzhen ranked 27th [1].", figures("深圳排名27")) == []


def test_a_temperature_is_stated_with_its_degrees_and_verified() -> None:
    text = "全球平均气温比工业化前高出了1.1℃，仅次于2016年创下的纪录"
    assert english_facts(text)[0] == "1.1°C (1.1℃)"
    assert missing_figures("It was 1.1°C warmer [1].", figures(text)) == []
