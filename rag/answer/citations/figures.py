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

# Magnitude words: the figure's value is number × unit, so 5559亿 = 555.9 billion. The Chinese
# ones are shared with the English rendering of figures (rag.answer.english).
CHINESE_MAGNITUDES: dict[str, float] = {
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
}
_UNITS = {
    **CHINESE_MAGNITUDES,
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
# An English range whose magnitude is written once, after the high end: "RMB 1.19–4.75 million" is
# 1.19 million to 4.75 million (rendered from 119万~475万元), so a lower low end is read with it.
_ENGLISH_RANGE_RE = re.compile(
    r"(?<![0-9.])(\d+(?:\.\d+)?)(?=\s*(?:[–—~～-]|to)\s*(\d+(?:\.\d+)?)\s*(trillion|billion|bn|million)\b)",
    re.IGNORECASE,
)
_THOUSANDS_RE = re.compile(r"(?<![0-9.,])\d{1,3}(?:,\d{3})+(?![0-9])")
# Thousands grouped by spaces, as Hong Kong tables write them (35 450 人, 100 000 人).
SPACED_THOUSANDS_RE = re.compile(r"(?<![0-9.,])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?![0-9.,])")
_ENUMERATOR_RE = re.compile(r"^\s*(?:[(（]\d{1,2}[)）]|\d{1,2}[.、)）](?!\d)|[-*•]\s)")


@dataclass(frozen=True)
class Figure:
    """A number as written: ``literal`` (normalised), ``value`` (unit applied), ``percent`` flag."""

    literal: str
    base: float
    value: float
    percent: bool
    scaled: bool


# Circled and parenthesised list markers (①, ⑴, ⒈, ❶ …): NFKC turns ① into "1", which is a list
# position, not a figure ("①人工智能" is not "1 person").
LIST_MARKERS = re.compile("[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")


def normalise_numbers(text: str) -> str:
    """NFKC (full-width digits, ％), Chinese numerals as digits, no thousands separators (commas or
    spaces); circled list markers dropped."""
    t = arabic_numerals(unicodedata.normalize("NFKC", LIST_MARKERS.sub(" ", text)))
    t = SPACED_THOUSANDS_RE.sub(lambda m: re.sub(r"\s", "", m.group(0)), t)
    t = _THOUSANDS_RE.sub(lambda m: m.group(0).replace(",", ""), t)
    return t


def figures(text: str) -> list[Figure]:
    """Every number, percentage, year/date part and amount in ``text`` (markers excluded)."""
    t = normalise_numbers(strip_markers(text))
    t = _ENUMERATOR_RE.sub(" ", t)
    out: list[Figure] = []
    shared = {  # only a rising range: "A$250,000–1 million" has its own low end
        m.start(): m.group(3) for m in _ENGLISH_RANGE_RE.finditer(t) if float(m.group(1)) < float(m.group(2))
    }
    for m in _NUMBER_RE.finditer(t):
        num, unit = m.group(1), (m.group(2) or shared.get(m.start(1)) or "").lower()
        base = float(num)
        percent = unit in ("%", "percent") or unit.startswith("per")
        mult = _UNITS.get(unit, 1.0) if unit and not percent and unit != "‰" else 1.0
        literal = f"{num}{'%' if percent else unit}"
        out.append(Figure(literal, base, base * mult, percent, mult != 1.0))
    return out


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


_ENGLISH_UNITS = ("trillion", "billion", "bn", "million", "thousand")


def _english_magnitude(fig: Figure) -> bool:
    return fig.literal.lower().endswith(_ENGLISH_UNITS)


def figure_supported(fig: Figure, passage_figures: Sequence[Figure]) -> bool:
    """A percentage needs the same percentage; an amount the same value (5559亿 = 555.9 billion);
    a bare number (a year, a count) the same digits anywhere, or an amount of that value."""
    for p in passage_figures:
        if fig.percent:
            if p.percent and _same(p.base, fig.base):
                return True
        elif fig.scaled:
            # A table cell may carry its unit in a header: 1696 under 单位：亿元 supports 1696亿.
            # Not for an English magnitude: "10 billion" is not supported by the 10 of
            # "10 家千亿欧元级别" (ten firms of €100 billion), it must match a value.
            header_unit = not p.scaled and _same(p.base, fig.base) and not _english_magnitude(fig)
            if not p.percent and (_same(p.value, fig.value) or header_unit):
                return True
        elif _same(p.base, fig.base) or (p.scaled and not p.percent and _same(p.value, fig.base)):
            return True  # the same digits, or the same value written out: 235,000 = 23.5万
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


# A change asked between two years: "from 2020 to 2021", "between 2019 and 2021", 从2020年到2021年.
_SPAN_YEARS = re.compile(
    r"\b(?:from|between)\s+(?:fy\s*)?((?:19|20)\d{2})\s+(?:to|and|until|through)\s+(?:fy\s*)?((?:19|20)\d{2})\b"
    r"|从\s*((?:19|20)\d{2})\s*年?\s*(?:到|至)\s*((?:19|20)\d{2})",
    re.IGNORECASE,
)
# A sentence stating a change to a new value (从2020年的1300亿元下滑至697.1亿元, 增长到150万个): it gives
# both ends of the span though it may write only the first year (the second is its document's year).
_CHANGE_RE = re.compile(
    r"(?:下滑|下降|降低|回落|减少|增长|增加|提高|提升|上升|扩大|缩小|攀升|跃升|增|降|升)了?\s*(?:至|到)"
    r"|从.{1,40}?(?:至|到|增至|降至|升至)"
)


def span_years(question: str) -> tuple[str, str] | None:
    """The two years a change question spans ("from 2020 to 2021"), or None."""
    m = _SPAN_YEARS.search(normalise_numbers(_TITLE_RE.sub(" ", question)))
    if not m:
        return None
    a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return (a, b) if a != b else None


def states_change(text: str) -> bool:
    """The text states a change from one value to another (下滑至, 从…增至…)."""
    return bool(_CHANGE_RE.search(normalise_numbers(text)))


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


# A quoted name ends no clause: a quote holding clause punctuation is a quoted statement
# (“制造环节短板明显，实现规模化量产的 12 英寸晶圆线仅 1 条”), whose figures a sentence states.
_NAME_RE = re.compile(r"《[^》]*》|〈[^〉]*〉|“[^”，。；,;]*”|「[^」，。；,;]*」|\"[^\"，。；,;]*\"")


def quantities(text: str) -> list[Figure]:
    """The figures of ``text`` that can answer a quantity question: not dates, not in titles or
    quoted names."""
    return figures(_DATE_PART_RE.sub(" ", normalise_numbers(_NAME_RE.sub(" ", text))))


def mentions_year(text: str, year: str) -> bool:
    return re.search(rf"(?<!\d){year}(?!\d)", normalise_numbers(text)) is not None


def missing_figures(sentence: str, passage_figures: Sequence[Figure]) -> list[str]:
    return [f.literal for f in figures(sentence) if not figure_supported(f, passage_figures)]


# --- Chinese numerals --------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
# The hedges rag.answer.english renders (HEDGED_MAGNITUDE_RE): a figure it states in English must be one
# this module reads, or the verifier calls "over 100 billion yuan" (超千亿元) unsupported.
_HEDGED = re.compile(r"(?:近|约|約|逾|超过|超過|超|不足|不到)$")
# A numeral run, optionally with a decimal part (三点五亿); measure words make a bare 三十 a figure.
_CN_RUN = re.compile(rf"(?<![第{_CN_CHARS}])([{_CN_CHARS}]+(?:[点點][{''.join(_CN_DIGITS)}]+)?[万萬亿億]*)")
_MEASURE = "大个個项項家名人所条條座倍位次款种種类類批期支台套件篇元美欧韩日港万萬亿億年岁歲"
_CN_PERCENT = re.compile(rf"百分之([{_CN_CHARS}]+(?:[点點][{''.join(_CN_DIGITS)}]+)?)")
# 三成 = 30%; 一成 too when a qualifier or a clause end follows (一成以上), never in 一成不变.
_CN_TENTHS = re.compile(r"(?<![十百千第])([一二两兩三四五六七八九])成(?=以上|左右|多|[，,。；;、的）)]|$)")


def _cn_integer(run: str) -> int | None:
    """一千二百三十四 → 1234; 十五 → 15; 二〇二一 → 2021; None for 十四五 (a plan's name)."""
    if not any(c in _CN_SMALL or c in _CN_BIG for c in run):
        return int("".join(str(_CN_DIGITS[c]) for c in run))  # digit by digit: 二〇二一
    total, section, digit = 0, 0, None
    for ch in run:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # two digits in a row after a magnitude: 十四五 names a plan
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[ch] if _CN_BIG[ch] > 10**4 else total + section * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _cn_number(run: str) -> tuple[str, str] | None:
    """(arabic, magnitude suffix) of a numeral run: 八千八百万 → ("8800", "万"); 三点五亿 → ("3.5", "亿")."""
    suffix = ""
    body = run.rstrip("".join(_CN_BIG))
    if body and not any(c in _CN_BIG for c in body):  # one magnitude word at the end: keep it as written
        run, suffix = body, run[len(body) :]
    frac = ""
    for sep in "点點":
        if sep in run:
            run, frac = run.split(sep, 1)
    value = _cn_integer(run) if run else None
    if value is None:
        return None
    digits = "".join(str(_CN_DIGITS[c]) for c in frac) if frac else ""
    return (f"{value}.{digits}" if digits else str(value)), suffix


def arabic_numerals(text: str) -> str:
    """Chinese numerals read as figures, so 首期投入资金八千八百万元 states 8800万元 like the digits would:
    百分之三十 → 30%, 三成 → 30%, 两千亿 → 2000亿, 三十个 → 30个. A run is read only when it has a
    magnitude (百/千/万/亿) or is followed by a measure word or currency, so 统一, 十四五规划 and 第一
    stay words. The length of the text may change: use it for figures, never for offsets."""
    if not any(ch in _CN_CHARS or ch == "成" for ch in text):
        return text

    def percent(m: re.Match[str]) -> str:
        got = _cn_number(m.group(1))
        return f"{got[0]}%" if got and not got[1] else m.group(0)

    text = _CN_PERCENT.sub(percent, text)
    text = _CN_TENTHS.sub(lambda m: f"{_CN_DIGITS[m.group(1)] * 10}%", text)

    def run(m: re.Match[str]) -> str:
        raw = m.group(1)
        after = text[m.end() : m.end() + 1]
        magnitude = any(c in raw for c in "百千万萬亿億")
        # The low end of a range has no measure word of its own: 五至十年 is 5至10年.
        range_low = after in ("至", "到", "~", "～") and text[m.end() + 1 : m.end() + 2] in _CN_CHARS
        # 三十多倍, 二十余家: "over" before the measure word still makes the run a figure.
        nxt = text[m.end() + 1 : m.end() + 2]
        over = after in ("多", "余", "餘") and bool(nxt) and nxt in _MEASURE
        if not magnitude and not (after and after in _MEASURE) and not range_low and not over:
            return raw
        before = text[m.start() - 1 : m.start()]
        if raw == "百" and after and after in "日天" and not (before and before in "上数數几幾成"):
            return "100"  # 百日内: a hundred days (a time limit), unlike 上百 or 数百
        if before and before in "数數几幾":
            return raw  # 数十亿, 几十个: "several billion", "dozens", not 10亿 or 10个
        if _HEDGED.search(text[max(0, m.start() - 2) : m.start()]) and re.fullmatch(
            "[十百千][万萬亿億]", raw
        ):
            return f"{_CN_SMALL[raw[0]]}{raw[1]}"  # 近千亿: nearly 1000亿, its 一 left out
        if raw == "一" or raw[0] in _CN_BIG or set(raw) <= set("百千万萬亿億"):
            return raw  # 万一, 千万 (“by all means”), 上百: words, not figures
        got = _cn_number(raw)
        if got is None:
            return raw
        return got[0] + got[1]

    return _CN_RUN.sub(run, text)
