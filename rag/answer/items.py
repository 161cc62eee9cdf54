"""Numbered list items: the labels a passage heads its items with ("策略一：", "三是", "（三）", "2.") and
the items a question names by them.

A question about "藍圖的策略一" asks about that item, not its siblings, and "其中第三点" points into the
list the previous turn was about; both are read against the passages' own label nouns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.answer.citations import fold

# A numbered item: "方向一：", "一是", "第二，", "（三）", "2.", optionally after its noun or a bullet.
NUMBERED_ITEM = re.compile(
    r"^[-*•\s]*(?:[\u4e00-\u9fff]{0,4}?[一二三四五六七八九十]+[是：:、，,]|第[一二三四五六七八九十]+|"
    r"[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．])"
)


# An item's label at the start of its line: "策略一：", "方向二、", "措施3." (noun, number). A noun of
# two characters or more: "第一，" is an ordinal ("第一條高鐵" asks for no item).
_ITEM_LABEL = re.compile(
    r"^[-*•\s]*([\u4e00-\u9fff]{2,4}?)([一二三四五六七八九十]{1,3}|\d{1,2})\s*[：:、.．，,]"
)
_CN_UNITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}


def item_number(numeral: str) -> int | None:
    """1 for 一 or 1, 12 for 十二, 20 for 二十; None for what is no item number."""
    if numeral.isdigit():
        return int(numeral)
    tens, _, ones = numeral.partition("十")
    if "十" not in numeral:
        return _CN_UNITS.get(numeral) if len(numeral) == 1 else None
    t = _CN_UNITS.get(tens, 0 if tens else 1) if len(tens) <= 1 else None
    o = _CN_UNITS.get(ones, 0 if not ones else -1) if len(ones) <= 1 else None
    if t is None or o is None or o < 0 or (tens and t == 0):
        return None
    return 10 * t + o


# An item numbered without a noun: "三是…", "（三）", "3、", "三、" (noun "").
_UNNAMED_LABEL = re.compile(
    r"^[-*•\s]*(?:([一二三四五六七八九十]{1,3})是|[（(]([一二三四五六七八九十]{1,3}|\d{1,2})[)）]"
    r"|(\d{1,2})\s*[、.．](?!\d)|([一二三四五六七八九十]{1,3})\s*、)"
)
# An ordinal a follow-up points into the list the previous turn was about with ("其中第三点", "第二個呢").
ORDINAL = re.compile(r"第([一二三四五六七八九十]{1,3}|\d{1,2})")


def item_labels(text: str) -> list[tuple[str, int]]:
    """Every label a line opens with: a line may open with two ("策略二：方向二：…" heads 方向二)."""
    found: list[tuple[str, int]] = []
    folded = fold(text)
    while (m := _ITEM_LABEL.match(folded)) and len(found) < 3:
        if number := item_number(m.group(2)):
            found.append((m.group(1), number))
        folded = folded[m.end() :]
    return found or ([label] if (label := item_label(text)) else [])


def item_label(text: str) -> tuple[str, int] | None:
    """The (noun, number) a line opens with when it heads a numbered item ("策略一：…" → (策略, 1),
    "三是…" → ("", 3))."""
    folded = fold(text)
    if m := _ITEM_LABEL.match(folded):
        number = item_number(m.group(2))
        return (m.group(1), number) if number else None
    if m := _UNNAMED_LABEL.match(folded):
        number = item_number(next(g for g in m.groups() if g))
        return ("", number) if number else None
    return None


def asked_items(question: str, nouns: Iterable[str]) -> set[tuple[str, int]]:
    """The numbered items a question names by the passages' own label nouns ("藍圖的策略一" → (策略, 1)
    when the passages head items "策略一：…"): the question asks about that item, not its siblings."""
    folded = fold(question)
    found: set[tuple[str, int]] = set()
    for noun in nouns:
        for m in re.finditer(
            rf"{re.escape(noun)}([一二三四五六七八九十]{{1,3}}|\d{{1,2}})(?![\d万亿千百级])", folded
        ):
            number = item_number(m.group(1))
            if number:
                found.add((noun, number))
    return found
