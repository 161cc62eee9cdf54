"""Figures read from text (Arabic and Chinese numerals, units, years) and compared by value, so a made-up figure is caught."""

from __future__ import annotations

import pytest

from rag.answer.citations import (
    asked_years,
    asks_for_quantity,
    figures,
    missing_figures,
    quantities,
)


def _lits(text: str) -> list[str]:
    return [f.literal for f in figures(text)]


def test_number_normalisation() -> None:
    assert _lits("1,000 亿美元") == ["1000亿"]
    assert _lits("增长 26.2 ％") == ["26.2%"]
    assert _lits("２０２２ 年 4 月") == ["2022", "4"]
    assert _lits("555.9 billion, 3 percent") == ["555.9billion", "3%"]
    assert _lits("（1）第一条 [2]") == []  # an enumerator and a marker are not claims


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("《中国制造2025》为2020年设定的芯片自给率目标是多少？", ["2020"]),  # 2025 names the plan
        ("“十四五”规划和2035年远景目标提出了什么？", ["2035"]),
        ("2019年和2020年的研发经费分别是多少？", ["2019", "2020"]),
        ('What did the "Made in China 2025" plan set for 2020?', ["2020"]),
        ("《中国制造2025》的目标是什么？", []),
    ],
)
def test_asked_years_ignore_titles(question: str, years: list[str]) -> None:
    assert asked_years(question) == years


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2021年我国基础研究经费达到多少？", True),
        ("廣東電子信息產業集群中，芯片依賴進口的比例有多高？", True),
        ("What share of global IC sales did China account for?", True),
        ("What was Guangdong's integrated-circuit output in 2020?", True),
        ("为什么几乎所有发达国家都重视基础研究？", False),  # 几乎 is not 几
        ("Which three technology areas will Hong Kong focus on?", False),
    ],
)
def test_quantity_questions(question: str, expected: bool) -> None:
    assert asks_for_quantity(question) is expected


def test_circled_list_markers_are_not_figures() -> None:
    assert [f.literal for f in figures("以下 10 个关键技术领域：①人工智能、⑵机器学习、❸自动驾驶")] == ["10"]


def test_dates_and_titles_are_not_quantities() -> None:
    assert quantities("2020年9月，《广东省集成电路行动计划（2021-2025年）》对外发布") == []
    assert [f.literal for f in quantities("2021年全球销售额达到了 5559 亿美元，同比增长 26.2%")] == [
        "5559亿",
        "26.2%",
    ]
    # a quoted name hides its figure; a quoted statement (it has clause punctuation) states it
    assert quantities("实施“中国制造2025”") == []
    assert [
        f.literal for f in quantities("面对“制造环节短板明显，规模化量产的 12 英寸晶圆线仅 1 条”的问题")
    ] == [
        "12",
        "1",
    ]


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("1,000 亿美元", "达到 1000 亿美元"),
        ("1000亿美元", "达到 1,000 亿美元"),
        ("增长２６．２％", "同比增长 26.2%"),
        ("增长 26.2％", "同比增长 26.2%"),
        ("2022年4月", "2022 年 4 月，广东省科技厅公布"),
        ("US$555.9 billion", "销售额达到了 5559 亿美元"),
        ("US$192.5 billion", "销售额为 1925 亿美元"),
        ("RMB 169.6 billion", "2021 年达 1696 亿元人民币"),
        ("1696亿元", "基础研究经费（单位：亿元）| 1696"),  # a unit in a table header
        ("前年冲破2万亿元", "前年衝破2萬億元"),  # Traditional magnitude words
        ("2 trillion yuan", "前年衝破2萬億元"),
        ("235,000 industrial firms", "23.5 万家工业企业"),  # a magnitude written out in digits
    ],
)
def test_equivalent_figures_are_found(claim: str, passage: str) -> None:
    assert missing_figures(claim, figures(passage)) == []


@pytest.mark.parametrize(
    ("claim", "passage", "missing"),
    [
        ("增长 1.8%", "同比增长 26.2%", ["1.8%"]),
        ("增长 26.2", "同比增长 26.2%", []),  # a bare number only needs the digits
        ("26.2% of sales", "26.2 亿美元", ["26.2%"]),  # a percentage needs a percentage
        ("5559万美元", "5559 亿美元", ["5559万"]),  # the same digits at another magnitude
        ("2020年", "2021 年达 1696 亿元", ["2020"]),
        ("USD 55.59 billion", "5559 亿美元", ["55.59billion"]),
        ("2万元", "前年衝破2萬億元", ["2万"]),  # 萬億 is not 萬
        ("23,500 firms", "23.5 万家工业企业", ["23500"]),  # digits of another value
    ],
)
def test_made_up_figures_are_missing(claim: str, passage: str, missing: list[str]) -> None:
    assert missing_figures(claim, figures(passage)) == missing
