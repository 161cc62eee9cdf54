"""Ranked tables: "第几位" asks a position (not a number of people), and a table row answers a question
about the entity its first cell names. Real seed index (002: the city hard-tech innovation index)."""

from __future__ import annotations

import pytest

from rag.answer.answerability import states_rank
from rag.answer.question import analyse, detect_slot
from rag.answer.tables import names_row, parse_row, positions_asked
from rag.assistant import Assistant
from rag.text import to_simplified


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("在38个城市的硬科技创新排名中，石家庄排在第几位？", "rank"),
        ("哈爾濱和大連在城市硬科技創新指數中分別排第幾？", "rank"),
        ("2021年廣東集成電路產量在全國排第幾？", "rank"),
        ("Where does Foshan rank in the city hard-tech innovation index?", "rank"),
        ("What rank does the bulletin give France among the world's industrial powers?", "rank"),
        # an ordinal that is not a rank (which meeting: counted as before), a rank named to ask for a name
        ("《廣東省數字經濟促進條例》是在省人大常委會第幾次會議上表決通過的？", "count"),
        ("Which institution ranked first among universities in the 2020 Nature Index?", "organisation"),
        ("西安有多少位两院院士？", "count"),
    ],
)
def test_rank_slot(question: str, slot: str) -> None:
    assert detect_slot(question) == slot


def test_position_is_not_people() -> None:
    assert "people" not in analyse("石家庄排在第几位？").units
    assert "people" in analyse("西安有几位两院院士？").units


def test_parse_row() -> None:
    row = parse_row("24 厦门 16.96 24.88 16 21.05 28 20.97 17 8.99 26 8.89 29")
    assert row is not None and row.name == "厦门" and row.position == 24 and row.figures[0] == "16.96"
    tab = parse_row("中国科学院 | 1805.22 | 5480")
    assert tab is not None and tab.name == "中国科学院" and tab.position is None
    assert names_row(parse_row("25 哈爾濱 16.86 16.27 24") or tab, ["哈尔滨市"])
    # prose, a year list and a header are not rows of figures about a name
    assert parse_row("北京硬科技指数为84.04，遥遥领先。") is None
    assert parse_row("2020 2025 2030") is None
    assert parse_row("城市 指数 排名") is None


def test_states_rank() -> None:
    assert states_rank("29 石家庄 14.47 16.55 23 23.05 24 10.62 32 8.33 28 13.83 23")
    assert states_rank("上海、深圳为第二梯队")
    assert states_rank("China ranks second in the world.")
    assert not states_rank("中关村已经成为科技创新出发地。")
    assert not states_rank("中国科学院 | 1805.22 | 5480")


@pytest.mark.parametrize(
    ("question", "row"),
    [
        ("在38个城市的硬科技创新排名中，石家庄排在第几位？", "29 石家庄"),
        ("廈門在城市硬科技創新指數中的總分是多少？", "24 厦门"),  # quotes keep the file's script
    ],
)
def test_row_answers_rank_and_score(seed_assistant: Assistant, question: str, row: str) -> None:
    ans = seed_assistant.ask(question)
    assert not ans.refused, ans.answer
    assert any(c.quote.startswith(row) for c in ans.citations), ans.answer


def test_each_city_gets_its_row(seed_assistant: Assistant) -> None:
    ans = seed_assistant.ask("哈爾濱和大連在城市硬科技創新指數中分別排第幾？")
    said = to_simplified(ans.answer)  # each city's row quoted (two rows of one passage: one citation)
    assert "25 哈尔滨 16.86" in said and "28 大连 14.85" in said, ans.answer


def test_city_outside_the_table_is_refused(seed_assistant: Assistant) -> None:
    # 呼和浩特 is not among the 38 cities: no row names it, the neighbours' rows do not answer
    assert seed_assistant.ask("呼和浩特在城市硬科技创新指数中排名第几？").refused


@pytest.mark.parametrize(
    ("question", "rows"),
    [
        # the row sits in a later chunk of the table than the one retrieved (the caption's chunk)
        ("白皮书的城市硬科技创新指数里，重庆排第几？", ["19 重庆"]),
        ("Where does Foshan rank in the city hard-tech innovation index?", ["20 佛山"]),
        (
            "What overall scores do Ningbo and Qingdao get in the city hard-tech innovation index?",
            ["21 宁波", "22 青岛"],
        ),
        # a position asked: the rows at those positions
        ("城市硬科技创新指数里排第26和第27的分别是哪两个城市？", ["26 常州", "27 昆明"]),
    ],
)
def test_row_in_a_later_chunk_of_the_table(seed_assistant: Assistant, question: str, rows: list[str]) -> None:
    ans = seed_assistant.ask(question)
    assert not ans.refused and ans.citations, ans.answer
    said = to_simplified(ans.answer)
    assert all(r in said for r in rows), ans.answer


def test_positions_asked() -> None:
    assert positions_asked("城市硬科技创新指数里排第26和第27的分别是哪两个城市？") == (26, 27)
    assert positions_asked("排在第二十一位的是哪个城市？") == (21,)
    assert positions_asked("第三梯队是哪些城市？") == ()  # a tier, not a position
    assert positions_asked("第二条规定了什么？") == ()  # no ranking spoken of


def test_china_rank_is_china_s(seed_assistant: Assistant) -> None:
    """China names no scope-limiting place, but a rank asked of China is answered by China's rank,
    not by another country's rank in the same passage."""
    ans = seed_assistant.ask("2019年中国的研发投入是多少？在全球排第几？")
    assert not ans.refused
    assert "中国位居第二" in to_simplified(ans.answer)
    assert "韩国" not in to_simplified(ans.answer)
