"""English answers state the figure asked (rag.answer.english, citations.figures, question slots):
unitless values, durations, the figure nearest the asked words, changes between two years."""

from __future__ import annotations

import pytest

from rag.answer.citations import figures, missing_figures
from rag.answer.citations.figures import span_years, states_change
from rag.answer.english import COUNTED_TIME_RE, english_facts, english_sentence, renderings, states_duration
from rag.answer.question import analyse, detect_slot


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
