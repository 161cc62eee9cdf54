"""Figures in text: numbers, percentages, amounts with magnitude words, years; the normalisation that
lets 5559亿 support "555.9 billion", and the question-side tests (does it ask for a quantity, which
years does it ask about)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.citations.markers import strip_markers

# --- numbers -----------------------------------------------------------------------------

# Magnitude words: the figure's value is number × unit, so 5559亿 = 555.9 billion.
_UNITS = {
    "万亿": 1e12,
    "萬億": 1e12,
    "千亿": 1e11,
    "千億": 1e11,
    "百亿": 1e10,
    "百億": 1e10,
    "亿": 1e8,
    "億": 1e8,
    "千万": 1e7,
    "千萬": 1e7,
    "百万": 1e6,
    "百萬": 1e6,
    "万": 1e4,
    "萬": 1e4,
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "thousand": 1e3,
}
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER_RE = re.compile(
    rf"(?<![0-9.])(\d+(?:\.\d+)?)\s*(%|‰|percent\b|per\s+cent\b|{_UNIT_ALT})?",
    re.IGNORECASE,
)
_THOUSANDS_RE = re.compile(r"(?<![0-9.,])\d{1,3}(?:,\d{3})+(?![0-9])")
_ENUMERATOR_RE = re.compile(r"^\s*(?:[(（]\d{1,2}[)）]|\d{1,2}[.、)）](?!\d)|[-*•]\s)")


@dataclass(frozen=True)
class Figure:
    """A number as written: ``literal`` (normalised), ``value`` (unit applied), ``percent`` flag."""

    literal: str
    base: float
    value: float
    percent: bool
    scaled: bool


def normalise_numbers(text: str) -> str:
    """NFKC (full-width digits, ％), no thousands separators, no space between a number and its unit."""
    t = unicodedata.normalize("NFKC", text)
    t = _THOUSANDS_RE.sub(lambda m: m.group(0).replace(",", ""), t)
    return t


def figures(text: str) -> list[Figure]:
    """Every number, percentage, year/date part and amount in ``text`` (markers excluded)."""
    t = normalise_numbers(strip_markers(text))
    t = _ENUMERATOR_RE.sub(" ", t)
    out: list[Figure] = []
    for m in _NUMBER_RE.finditer(t):
        num, unit = m.group(1), (m.group(2) or "").lower()
        base = float(num)
        percent = unit in ("%", "percent") or unit.startswith("per")
        mult = _UNITS.get(unit, 1.0) if unit and not percent and unit != "‰" else 1.0
        literal = f"{num}{'%' if percent else unit}"
        out.append(Figure(literal, base, base * mult, percent, mult != 1.0))
    return out


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def figure_supported(fig: Figure, passage_figures: Sequence[Figure]) -> bool:
    """A percentage needs the same percentage; an amount the same value (5559亿 = 555.9 billion);
    a bare number (a year, a count) the same digits anywhere."""
    for p in passage_figures:
        if fig.percent:
            if p.percent and _same(p.base, fig.base):
                return True
        elif fig.scaled:
            # A table cell may carry its unit in a header: 1696 under 单位：亿元 supports 1696亿.
            if not p.percent and (_same(p.value, fig.value) or (not p.scaled and _same(p.base, fig.base))):
                return True
        elif _same(p.base, fig.base):
            return True
    return False


_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def years_in(text: str) -> list[str]:
    """Four-digit years (1900-2099) named in a text, in order, once each."""
    return list(dict.fromkeys(_YEAR_RE.findall(normalise_numbers(text))))


# Titles and quoted names: the year in 《中国制造2025》 names a plan, it does not ask about 2025.
_TITLE_RE = re.compile(r"《[^》]*》|〈[^〉]*〉|“[^”]*”|「[^」]*」|\"[^\"]*\"")


def asked_years(question: str) -> list[str]:
    """The years a question asks about: ``years_in`` outside titles and quoted names."""
    return years_in(_TITLE_RE.sub(" ", question))


_QUANTITY_ZH = re.compile(r"多少|几(?!乎)|多大|多高|多长|多快|比重|占比|佔比|比例")
_QUANTITY_EN = re.compile(
    r"\bhow (?:much|many|large|big|high|fast|long)\b"
    r"|\bwhat (?:share|percentage|proportion|fraction|amount|number|total|size|scale|value)\b"
    r"|\bwhat (?:was|is|were|are) [^?]*\b(?:output|budget|spending|revenue|sales|investment|funding)s?\b",
    re.IGNORECASE,
)
# Dates are not the quantity asked for: 2020年9月 answers no "多少".
_DATE_PART_RE = re.compile(r"\d+\s*(?:年|月|日|号|號|季度)|(?<![\d.])(?:19|20)\d{2}(?![\d.%])")


def asks_for_quantity(question: str) -> bool:
    """多少 / how much / what share …: the answer must state a figure."""
    return bool(_QUANTITY_ZH.search(question) or _QUANTITY_EN.search(question))


def quantities(text: str) -> list[Figure]:
    """The figures of ``text`` that can answer a quantity question: not dates, not in titles."""
    return figures(_DATE_PART_RE.sub(" ", normalise_numbers(_TITLE_RE.sub(" ", text))))


def mentions_year(text: str, year: str) -> bool:
    return re.search(rf"(?<!\d){year}(?!\d)", normalise_numbers(text)) is not None


def missing_figures(sentence: str, passage_figures: Sequence[Figure]) -> list[str]:
    return [f.literal for f in figures(sentence) if not figure_supported(f, passage_figures)]
