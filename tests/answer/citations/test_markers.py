"""Citation markers and answer sentences: [n] parsed, invalid ones removed and reported, sentences split where a reader would."""

from __future__ import annotations

import pytest

from rag.answer.citations import (
    add_marker,
    answer_sentence_spans,
    clean_markers,
    marker_numbers,
    markers_in,
    strip_markers,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("增长 [1]。", [1]),
        ("增长[1][2]。", [1, 2]),
        ("grew [1, 3].", [1, 3]),
        ("grew [1,3].", [1, 3]),
        ("增长【2】。", [2]),
        ("增长［３］。", [3]),
        ("增长[１]。", [1]),
        ("见 [2-4]。", [2, 3, 4]),
        ("见 [1、2]。", [1, 2]),
        ("见 [ID:5]。", [5]),
        ("第二段[2] 第一段[1]", [2, 1]),
    ],
)
def test_markers_are_parsed(text: str, expected: list[int]) -> None:
    assert markers_in(text) == expected


def test_years_in_brackets_are_not_markers() -> None:
    assert markers_in("the [2021] plan and the [2019-2021] period") == []
    text, warnings = clean_markers("the [2021] plan", 3)
    assert text == "the [2021] plan" and warnings == []


def test_marker_numbers() -> None:
    assert marker_numbers("1, 2") == [1, 2]
    assert marker_numbers("3-1") == [3, 1]  # a reversed range only names its ends
    assert marker_numbers("１－２") == [1, 2]


def test_invalid_marker_is_removed_and_reported() -> None:
    text, warnings = clean_markers("销售额为 1925 亿美元 [9]。占比 34.6%[1, 7]。增长【2】。", 6)
    assert text == "销售额为 1925 亿美元。占比 34.6%[1]。增长【2】。"
    assert len(warnings) == 1 and "[9]" in warnings[0] and "[7]" in warnings[0] and "6" in warnings[0]


def test_valid_markers_stay_as_written() -> None:
    src = "A [1][2]. B 【3】. C [1, 2]."
    assert clean_markers(src, 3) == (src, [])


def test_strip_markers() -> None:
    assert strip_markers("增长 26.2% [1]【2】。") == "增长 26.2%。"


def test_marker_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    text = "2021年销售额达5559亿美元。[1] 同比增长26.2%[2]。It rose 5% [1]. [3] Fine [2]."
    pieces = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert pieces == [
        "2021年销售额达5559亿美元。[1]",
        "同比增长26.2%[2]。",
        "It rose 5% [1]. [3]",
        "Fine [2].",
    ]


def test_no_sentence_ends_inside_a_title_or_quote() -> None:
    text = "According to 《成果點量化？》, “增长较快！” [1].\n“未闭合的引号。下一句[2]。"
    pieces = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert pieces == ["According to 《成果點量化？》, “增长较快！” [1].", "“未闭合的引号。", "下一句[2]。"]


def test_a_dangling_period_joins_its_sentence() -> None:
    text = "According to 《报告》, “增长较快” [1].\nAccording to 《报告》, “占比 16%” [2]."
    pieces = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert pieces == ["According to 《报告》, “增长较快” [1].", "According to 《报告》, “占比 16%” [2]."]


def test_add_marker() -> None:
    assert add_marker("2021年达到1696亿元。", 2) == "2021年达到1696亿元[2]。"
    assert add_marker("It grew 34.6%.", 1) == "It grew 34.6% [1]."
    assert add_marker("他说“增长很快。”", 3) == "他说“增长很快[3]。”"
    assert add_marker("no end mark", 1) == "no end mark [1]"
