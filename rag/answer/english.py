"""Chinese figures and dates in English: 1000亿美元 → US$100 billion, 1.24亿澳元 → A$124 million,
2022年7月16日 → 16 July 2022.

A reader without Chinese learns nothing from a quote, not even the figure; and a small LLM asked
to translate one gets the magnitude wrong ("$1000 billion" for 1000亿美元). So the magnitude is
converted here, deterministically: the extractive generator states the figure in English before
its verbatim quote, and the LLM prompt shows each figure with its English rendering beside it
(``annotate``). The verifier compares values, so "US$100 billion" is checked against 1000亿美元.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.answer.citations.figures import (
    CHINESE_MAGNITUDES,
    LIST_MARKERS,
    SPACED_THOUSANDS_RE,
    arabic_numerals,
)
from rag.answer.tables import parse_row
from rag.text import has_cjk, to_simplified

# Currency words → the English prefix (symbol) or suffix code.
_CURRENCIES: dict[str, str] = {
    "美元": "US$",
    "美金": "US$",
    "港元": "HK$",
    "港币": "HK$",
    "港幣": "HK$",
    "澳元": "A$",
    "澳门元": "MOP ",
    "澳門元": "MOP ",
    "新台币": "NT$",
    "新台幣": "NT$",
    "欧元": "€",
    "歐元": "€",
    "英镑": "£",
    "英鎊": "£",
    "日元": "¥",
    "日圓": "¥",
    "韩元": "KRW ",
    "韓元": "KRW ",
    "卢布": "RUB ",
    "盧布": "RUB ",
    "加拿大元": "C$",
    "加元": "C$",
    "新加坡元": "S$",
    "新西兰元": "NZ$",
    "紐西蘭元": "NZ$",
    "瑞士法郎": "CHF ",
    "元人民币": "RMB ",
    "元人民幣": "RMB ",
    "人民币": "RMB ",
    "人民幣": "RMB ",
    "元": "RMB ",
}
_MAGNITUDES = CHINESE_MAGNITUDES
_HEDGES = {
    "近": "nearly ",
    "约": "about ",
    "約": "about ",
    "逾": "over ",
    "超过": "over ",
    "超過": "over ",
    "不少于": "at least ",
    "不少於": "at least ",
    "至少": "at least ",
    "超": "over ",
    "不足": "less than ",
    "不到": "less than ",
}

_CUR_ALT = "|".join(sorted(map(re.escape, _CURRENCIES), key=len, reverse=True))
_MAG_ALT = "|".join(sorted(map(re.escape, _MAGNITUDES), key=len, reverse=True))
_HEDGE_ALT = "|".join(sorted(map(re.escape, _HEDGES), key=len, reverse=True))
# An amount: optional hedge, number (thousands separators allowed), optional magnitude, and a
# currency, or a magnitude alone (9.04亿 users). A bare number is not rendered (it reads the same).
AMOUNT_RE = re.compile(
    rf"(?:(?P<hedge>{_HEDGE_ALT})\s*)?(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)\s*"
    rf"(?:(?P<mag>{_MAG_ALT})\s*(?P<cur>{_CUR_ALT})?|(?P<cur_only>{_CUR_ALT}))"
)
# A count: a number with a measure word (20 家, 1100多家, 72 条); the English states the number.
COUNT_RE = re.compile(  # a number after 第 is a rank or an issue (第2期), not a count
    rf"(?<![第\d])(?<!\d[.,])(?<!第 )(?:(?P<hedge>{_HEDGE_ALT})\s*)?(?:(?P<low>\d+(?:,\d{{3}})*)\s*[~～\-–—至到]\s*)?"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<more>多|余|餘)?\s*"
    r"(?:个|個|家|间|間|项|項|所|名|人|条|條|座|批|次|款|种|種|类|類|位|台|套|件|篇|倍|章|部|期|支|只|辆|輛|颗|顆|票|大(?=[\u4e00-\u9fff]))"
)
# A quantity with a unit of measure (时速400公里, 3.79万公里, 3亿千瓦, 1800亿TB, 12 英寸, 下降 6 个百分点):
# the number alone ("400", "6") would tell the reader neither what nor how much.
_MEASURES: dict[str, str] = {
    "平方公里": "km²",
    "平方千米": "km²",
    "平方米": "m²",
    "公里": "km",
    "千米": "km",
    "毫米": "mm",
    "纳米": "nm",
    "納米": "nm",
    "nm": "nm",
    "英寸": "-inch",
    "吨": "tonnes",
    "噸": "tonnes",
    "公斤": "kg",
    "千克": "kg",
    "千瓦时": "kWh",
    "千瓦時": "kWh",
    "千瓦": "kW",
    "兆瓦": "MW",
    "吉瓦": "GW",
    "公顷": "hectares",
    "公頃": "hectares",
    "亩": "mu",
    "畝": "mu",
    "TB": "TB",
    "PB": "PB",
    "EB": "EB",
    "ZB": "ZB",
    "℃": "°C",  # a temperature or a warming (高出了1.1℃): the degrees alone say neither
    "°C": "°C",
    "摄氏度": "°C",
    "攝氏度": "°C",
    "个百分点": "percentage points",
    "個百分點": "percentage points",
    "百分点": "percentage points",
    "百分點": "percentage points",
}
_MEASURE_ALT = "|".join(sorted(map(re.escape, _MEASURES), key=len, reverse=True))
MEASURE_RE = re.compile(
    rf"(?:(?P<hedge>{_HEDGE_ALT})\s*)?(?:(?P<low>\d+(?:,\d{{3}})*(?:\.\d+)?)\s*(?P<low_mag>{_MAG_ALT})?\s*[~～\-–—至到]\s*)?"
    rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)\s*(?P<mag>{_MAG_ALT})?\s*(?P<unit>{_MEASURE_ALT})(?![A-Za-z])"
    r"(?P<above>以上|以下)?"
)
_SPEED_BEFORE = re.compile(r"(?:时速|時速|速度)[^，,。；;]{0,6}$")
# A level of a scale (资格框架 8 级, 10 级资格): "level 8".
LEVEL_RE = re.compile(r"(?<![\d.])(?P<num>\d{1,2})\s*(?:级|級)(?!别|別)")
PERCENT_RE = re.compile(
    rf"(?:(?P<hedge>{_HEDGE_ALT})\s*)?(?P<num>\d+(?:\.\d+)?)\s*(?P<sign>[%％‰])(?P<above>以上|以下)?"
)
# A rank (排名第7, 居第 2 位, 第20名): "7th", not the count "7". A list of ranks writes 第 once and
# drops it after (北京排名第7，上海排名12、深圳排名27): 排名 before a small number is a rank too, but
# not before a count of the ranked (排名100强, 排名 10 个城市).
ORDINAL_RE = re.compile(
    r"(?:(?:排名|排在|位列|位居|位於|位于|居)\s*第\s*(?P<num>\d{1,3})(?:\s*(?:名|位))?|第\s*(?P<num2>\d{1,3})\s*(?:名|位)(?![置数數])"
    r"|排名\s*(?P<num3>\d{1,3})(?![\d%％‰]|[.,]\d)(?!\s*(?:强|強|个|個|家|位以|名以))(?:\s*(?:名|位))?)"
)
# A range of amounts whose currency is written once, at the end: 25万~100万澳元.
AMOUNT_RANGE_RE = re.compile(
    rf"(?P<low>\d+(?:,\d{{3}})*(?:\.\d+)?)\s*(?P<low_mag>{_MAG_ALT})?\s*[~～\-–—至到]\s*"
    rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)\s*(?P<mag>{_MAG_ALT})?\s*(?P<cur>{_CUR_ALT})"
)
# A duration: 3个月, 5~10年 (a year such as 2021年 is a date, handled before).
_DURATION_UNITS = {
    "个月": "months",
    "個月": "months",
    "年": "years",
    "周": "weeks",
    "週": "weeks",
    "天": "days",
    "日": "days",
}
DURATION_RE = re.compile(
    rf"(?<![第\d.])(?:(?P<hedge>{_HEDGE_ALT})\s*)?(?:(?P<low>\d{{1,3}})\s*[~～\-–—至到]\s*)?"
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s*(?P<more>多)?\s*(?P<unit>个月|個月|年|周|週|天|日(?=内|內|以内|以內|之内|之內|$))"
    r"(?!代|度|级|級|份)"
)
_TENTHS_AFTER = re.compile(r"以上|以下|左右|多|[，,。；;、的）)\s]|$")
_CONGRESS_AFTER = frozenset({"精神", "以来", "以來", "报告", "報告", "代表", "召开", "召開", "期间", "期間"})
# Chinese numerals that state a figure (八千八百万美元, 百分之三十, 三成, 五至十年): read with
# arabic_numerals and rendered like the digits would be.
_CN_NUM = "〇零一二两兩三四五六七八九十百千万萬亿億"
# 数十亿, 几十个 are vague ("several billion"), not 10亿 or 10: never read as a figure.
CN_FIGURE_RE = re.compile(
    rf"(?<![第数數几幾{_CN_NUM}])(?:百分之[{_CN_NUM}点點]+|[{_CN_NUM}]+(?:[点點][{_CN_NUM}]+)?"
    rf"(?:\s*[~～\-–—至到]\s*[{_CN_NUM}]+)?(?:成|个月|個月|多?(?:{_CUR_ALT})|日(?=内|內|以内|以內|之内|之內)"
    rf"|多?[个個家项項所名人条條座批次款种種类類位台套件篇倍年周週天大]))"
)
# A hedged magnitude with its 一 left out (近千亿神经突触, 约百万人): "nearly 100 billion".
HEDGED_MAGNITUDE_RE = re.compile(
    rf"(?P<hedge>近|约|約|逾|超过|超過|超|不足|不到)(?P<size>[十百千])(?P<mag>[万萬亿億])(?![{_CN_NUM}])(?P<cur>{_CUR_ALT})?"
)
_SIZES = {"十": 10, "百": 100, "千": 1000}
# A value without a unit that the sentence states as a measure (硬科技指数为84.04, 得分达 76.5分), or a
# table cell that is only a number (| 84.04 |): it reads the same in English, but a reader who
# cannot read the quote only learns it when it is written outside the quote.
BARE_VALUE_RE = re.compile(
    r"(?:(?<=为|為|达|達|是|至)|(?<=达到|達到|高达|高達|约为|約為))\s*"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?P<points>\s*分(?![之钟鐘]))?"
    r"(?![\d%％‰]|[.,]\d|\s*[~～\-–—]\s*\d|\s*[\u3400-\u9fff])"
)
TABLE_CELL_RE = re.compile(r"(?:(?<=\|)|^)[ \t]*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)[ \t]*(?=\||$)", re.M)
_MONTHS = "January February March April May June July August September October November December".split()
YEAR_RANGE_RE = re.compile(
    r"(?P<a>(?:19|20)\d{2})\s*(?:年)?\s*[~～\-–—至到]\s*(?P<b>(?:19|20)\d{2})\s*(?P<fy>财年|財年|财政年度|年)?"
)
FISCAL_YEAR_RE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*(?:财年|財年|财政年度|財政年度)")
# A day of a month without its year (6月18日, the year is in the heading): 18 June.
MONTH_DAY_RE = re.compile(r"(?<![\d年])(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号號]")
DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年(?:\s*(?P<m>1[0-2]|0?[1-9])\s*月(?:\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号號])?)?"
)


def _fmt(value: float) -> str:
    """A short decimal: 100 → "100", 12.4 → "12.4", 0.125 → "0.125", 1234567 → "1,234,567"."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}.{frac}" if frac else f"{int(whole):,}"


def english_magnitude(value: float) -> str:
    """1e11 → "100 billion", 1.24e8 → "124 million", 5e4 → "50,000"."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{_fmt(value / size)} {word}"
    return _fmt(value)


@dataclass(frozen=True)
class Rendering:
    """One figure of a Chinese text: where it is, as written, and in English."""

    start: int
    end: int
    chinese: str
    english: str
    in_words: bool = False  # written in Chinese numerals (八项, 三个月, 八千八百万美元)
    bare: bool = False  # a unitless value (指数为84.04, a table cell): only a figure question shows it


def _amount(m: re.Match[str]) -> str | None:
    num = float(m.group("num").replace(",", ""))
    mag = m.group("mag")
    cur = m.group("cur") or m.group("cur_only")
    value = num * _MAGNITUDES[mag] if mag else num
    if cur is None and mag is None:
        return None
    words = english_magnitude(value)
    hedge = _HEDGES.get(m.group("hedge") or "", "")
    if cur is None:
        return f"{hedge}{words}"
    if cur == "元":
        # Bare 元 is the local currency: RMB on the mainland, HK$ in a Hong Kong text, NT$ in a
        # Taiwanese one; the text alone does not say which, so it stays "yuan".
        return f"{hedge}{words} yuan"
    symbol = _CURRENCIES[cur]
    return f"{hedge}{symbol}{words}"


def _amount_range(m: re.Match[str]) -> str | None:
    """25万~100万澳元 → A$250,000–1 million; 1~2亿元 → 100–200 million yuan."""
    high_mag = m.group("mag")
    low_mag = m.group("low_mag") or high_mag  # 1~2亿: the magnitude is written once too
    low = float(m.group("low").replace(",", "")) * (_MAGNITUDES[low_mag] if low_mag else 1)
    high = float(m.group("num").replace(",", "")) * (_MAGNITUDES[high_mag] if high_mag else 1)
    if low >= high:
        return None
    lo_words, hi_words = english_magnitude(low), english_magnitude(high)
    lo_parts, hi_parts = lo_words.split(" "), hi_words.split(" ")
    if len(lo_parts) == 2 and len(hi_parts) == 2 and lo_parts[1] == hi_parts[1]:
        lo_words = lo_parts[0]  # 100–200 million, not 100 million–200 million
    cur = m.group("cur")
    if cur == "元":
        return f"{lo_words}–{hi_words} yuan"
    return f"{_CURRENCIES[cur]}{lo_words}–{hi_words}"


def _measure(m: re.Match[str], before: str) -> str:
    """400公里 after 时速 → "400 km/h"; 3.79万公里 → "37,900 km"; 12 英寸 → "12-inch"; 5~10公里 →
    "5–10 km"; 6 个百分点 → "6 percentage points"; 以上 → "or more"."""
    mag = m.group("mag")
    value = float(m.group("num").replace(",", "")) * (_MAGNITUDES[mag] if mag else 1)
    words = english_magnitude(value)
    if m.group("low"):
        low_mag = m.group("low_mag") or mag
        low = float(m.group("low").replace(",", "")) * (_MAGNITUDES[low_mag] if low_mag else 1)
        if low >= value:
            return ""
        words = f"{english_magnitude(low)}–{words}"
    unit = _MEASURES[m.group("unit")]
    if unit == "km" and _SPEED_BEFORE.search(before):
        unit = "km/h"
    hedge = _HEDGES.get(m.group("hedge") or "", "")
    said = f"{hedge}{words}{unit}" if unit.startswith(("-", "°")) else f"{hedge}{words} {unit}"
    above = {"以上": " or more", "以下": " or less"}.get(m.group("above") or "", "")
    return said + above


def _ordinal(n: int) -> str:
    """7 → "7th", 1 → "1st", 22 → "22nd", 13 → "13th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _date(m: re.Match[str]) -> str:
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    if mo and d:
        return f"{int(d)} {_MONTHS[int(mo) - 1]} {y}"
    if mo:
        return f"{_MONTHS[int(mo) - 1]} {y}"
    return y


def renderings(text: str) -> list[Rendering]:
    """Amounts, percentages and dates of a Chinese text with their English forms, in order;
    ranges are rendered piece by piece (25万~100万澳元: A$250,000 … A$1 million)."""
    # Same length for CJK text, so offsets stay valid; a list marker (①) is a position, not a figure.
    t = unicodedata.normalize("NFKC", LIST_MARKERS.sub(" ", text))
    if len(t) != len(text):
        t = text
    t = SPACED_THOUSANDS_RE.sub(lambda m: re.sub(r"\s", ",", m.group(0)), t)  # same length: 35,450
    out: list[Rendering] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, english: str | None, in_words: bool = False, bare: bool = False) -> None:
        if english and not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            out.append(Rendering(start, end, text[start:end], english, in_words, bare))

    for m in MEASURE_RE.finditer(t):
        add(m.start(), m.end(), _measure(m, t[max(0, m.start() - 12) : m.start()]))
    for m in AMOUNT_RANGE_RE.finditer(t):
        add(m.start(), m.end(), _amount_range(m))
    for m in AMOUNT_RE.finditer(t):
        add(m.start(), m.end(), _amount(m))
    for m in YEAR_RANGE_RE.finditer(t):
        fy = "FY" if m.group("fy") and m.group("fy") != "年" else ""
        add(m.start(), m.end(), f"{fy}{m.group('a')}–{m.group('b')}")
    for m in FISCAL_YEAR_RE.finditer(t):
        add(m.start(), m.end(), f"FY{m.group('y')}")
    for m in DATE_RE.finditer(t):
        add(m.start(), m.end(), _date(m) if (m.group("m") or "年" in m.group(0)) else None)
    for m in MONTH_DAY_RE.finditer(t):
        add(m.start(), m.end(), f"{int(m.group('d'))} {_MONTHS[int(m.group('m')) - 1]}")
    for m in ORDINAL_RE.finditer(t):
        add(m.start(), m.end(), _ordinal(int(m.group("num") or m.group("num2") or m.group("num3"))))
    for m in PERCENT_RE.finditer(t):
        above = {"以上": " or more", "以下": " or less"}.get(m.group("above") or "", "")
        add(
            m.start(),
            m.end(),
            f"{_HEDGES.get(m.group('hedge') or '', '')}{m.group('num')}{'‰' if m.group('sign') == '‰' else '%'}{above}",
        )
    for m in LEVEL_RE.finditer(t):
        add(m.start(), m.end(), f"level {m.group('num')}")
    for m in DURATION_RE.finditer(t):
        if m.group("unit") == "年" and (float(m.group("num")) >= 100 or t[m.end() : m.end() + 1].isdigit()):
            continue  # 2021年 is a date; 12年3月 too
        low = f"{m.group('low')}–" if m.group("low") else ""
        more = "over " if m.group("more") else _HEDGES.get(m.group("hedge") or "", "")
        unit = _DURATION_UNITS[m.group("unit")]
        if not low and m.group("num") == "1":
            unit = unit.rstrip("s")
        add(m.start(), m.end(), f"{more}{low}{m.group('num')} {unit}")
    for m in COUNT_RE.finditer(t):
        if re.fullmatch(r"(?:19|20)\d{2}", m.group("num")):
            continue  # 2021 年 is a date, handled above
        hedge = "over " if m.group("more") else _HEDGES.get(m.group("hedge") or "", "")
        low = f"{m.group('low')}–" if m.group("low") else ""  # 5~10 个 → 5–10
        times = " times" if m.group(0).endswith("倍") else ""  # a multiple, not a count of things
        add(m.start(), m.end(), f"{hedge}{low}{m.group('num')}{times}")
    for m in HEDGED_MAGNITUDE_RE.finditer(t):
        value = _SIZES[m.group("size")] * _MAGNITUDES[m.group("mag")]
        cur = m.group("cur")
        symbol = "" if cur in (None, "元") else _CURRENCIES[cur]  # bare 元: see _amount
        unit = " yuan" if cur == "元" else ""
        words = f"{_HEDGES[m.group('hedge')]}{symbol}{english_magnitude(value)}{unit}"
        add(m.start(), m.end(), words, in_words=True)
    for m in CN_FIGURE_RE.finditer(t):
        piece = m.group(0)
        if re.search(r"[一二两兩三四五六七八九]{2}", piece) and not re.search(r"[十百千〇零]", piece):
            continue  # 两三年 is "two or three years", not 23
        if piece.endswith("大") and t[m.end() : m.end() + 2] in _CONGRESS_AFTER:
            continue  # 二十大精神: the 20th Party Congress, not twenty of something
        if piece.endswith("成") and not _TENTHS_AFTER.match(t, m.end()):
            continue  # 一成不变 (unchanging), 七成熟: a word, not 10% or 70%
        arabic = arabic_numerals(piece)
        if arabic == piece or any(s < m.end() and m.start() < e for s, e in taken):
            continue
        found = renderings(arabic + t[m.end() : m.end() + 1])  # the next character: 六大主题 is a count
        if (
            len(found) == 1
            and found[0].start == 0
            and len(arabic.rstrip("多")) - 1 <= found[0].end <= len(arabic)
        ):
            add(m.start(), m.end(), found[0].english, in_words=True)
    bare = [*BARE_VALUE_RE.finditer(t), *(m for m in TABLE_CELL_RE.finditer(t) if "|" in t)]
    for m in bare:
        num = m.group("num")
        if "." not in num and re.fullmatch(r"(?:19|20)\d{2}", num):
            continue  # 至2025: a year
        points = " points" if m.groupdict().get("points") else ""
        first_cell = not t[t.rfind("\n", 0, m.start("num")) + 1 : m.start("num")].strip()
        if m.re is TABLE_CELL_RE and first_cell:
            continue  # a row's number (序号, 1.2) in the first column, not a value
        add(m.start("num"), m.end(), f"{num}{points}", bare=True)
    out.sort(key=lambda r: r.start)
    return out


def render_figure(text: str) -> str | None:
    """The English form of one figure written in Chinese (None when it is not one)."""
    found = renderings(text.strip())
    return found[0].english if len(found) == 1 and found[0].chinese == text.strip() else None


def annotate(text: str) -> str:
    """The text with each amount followed by its English rendering: 1000亿美元 [= US$100 billion].

    Percentages and plain years are left alone (they read the same in English)."""
    parts: list[str] = []
    last = 0
    for r in renderings(text):
        if r.bare or r.english.rstrip("%") == r.chinese.rstrip("%％") or r.english == r.chinese.rstrip("年"):
            continue
        if figure_kind(r) in ("percentage", "count"):
            continue
        parts.append(text[last : r.end])
        parts.append(f" [= {r.english}]")
        last = r.end
    parts.append(text[last:])
    return "".join(parts)


def english_amounts(text: str) -> str:
    """The text with each amount replaced by its English form (1300 亿元 → RMB 130 billion), for an
    LLM prompt: a small model shown both forms still copied the Chinese digits with an English
    magnitude ("1300 billion RMB"); shown only the English form it has nothing to convert. The
    verifier checks the answer against the original text, by value."""
    parts: list[str] = []
    last = 0
    for r in renderings(text):
        if (
            figure_kind(r) == "percentage"
            or COUNT_RE.fullmatch(r.chinese)
            or not AMOUNT_RE.fullmatch(r.chinese)
        ):
            continue
        parts.append(text[last : r.start])
        parts.append(f" {r.english} ")
        last = r.end
    parts.append(text[last:])
    return "".join(parts)


FIGURE_KINDS = ("amount", "count", "percentage", "date", "duration")
# Questions that a unitless value can answer (an index, a score, a table cell): not a date, a
# duration, a share, a place or a name.
_VALUE_SLOTS = frozenset({"amount", "count", "fact", "comparison"})


def figure_kind(r: Rendering) -> str:
    """Which question slot (rag.answer.question) a rendered figure fills."""
    if r.bare:
        return "value"
    chinese = arabic_numerals(r.chinese) if r.in_words else r.chinese
    if any(p.fullmatch(chinese) for p in (DATE_RE, YEAR_RANGE_RE, FISCAL_YEAR_RE, MONTH_DAY_RE)):
        return "date"
    if "%" in r.english or "‰" in r.english or "percentage point" in r.english:
        return "percentage"  # a share per hundred or per thousand, or a change of one
    if DURATION_RE.fullmatch(chinese):
        return "duration"
    if chinese.endswith("倍"):
        return "multiple"  # 提高了一百多倍: a ratio, never one of the text's enumerations
    if COUNT_RE.fullmatch(chinese) or LEVEL_RE.fullmatch(chinese) or chinese.endswith("大"):
        return "count"
    return "amount"


_MEASURE_AFTER = re.compile(r"\s*(?:个|個|家|项|項|所|名|人|条|條|座|台|套|件|篇|辆|輛|颗|顆|户|戶)")
_CUR_RE = re.compile(_CUR_ALT)
_CLAUSE_BREAK = re.compile(r"[，,；;。、：:|\n]")


def _closeness(text: str, near: Sequence[str]) -> Callable[[Rendering], tuple[int, float]]:
    """How far a figure is from the nearest of the question's words the text holds (characters):
    a sentence listing wind and solar figures states the asked one beside the asked word."""
    folded = to_simplified(text)
    if len(folded) != len(text):
        folded = text
    spans = [
        (m.start(), m.end())
        for term in {t for t in near if len(t) >= 2 and has_cjk(t)}
        for m in re.finditer(re.escape(term), folded)
    ]

    def distance(r: Rendering) -> tuple[int, float]:
        # Chinese names the measure before its figure, inside one clause (风电装机达3亿千瓦，太阳能…达
        # 2.5亿千瓦): a clause break between them, or a word only after the figure, counts as far.
        # First, though, how many of the words the figure's own clause holds: "6.94亿用户享受在线政务
        # 服务" counts the users of what is asked, after the figure, where "中国有7.31亿用户上网看视频"
        # only shares the scene-setting 中国.
        gaps = []
        starts = [m.end() for m in _CLAUSE_BREAK.finditer(folded, 0, r.start)]
        stop = _CLAUSE_BREAK.search(folded, r.end)
        lo, hi = (starts[-1] if starts else 0), (stop.start() if stop else len(folded))
        held = {folded[s:e] for s, e in spans if lo <= s and e <= hi}
        for s, e in spans:
            before = e <= r.start
            between = folded[e : r.start] if before else folded[r.end : s]
            breaks = len(_CLAUSE_BREAK.findall(between))
            gaps.append(breaks * 1000 + (0 if before else 500) + len(between))
        return -len(held), min(gaps, default=0.0)

    return distance


def states_duration(text: str, spans: bool = True) -> bool:
    """The text states a length of time (3个月, 5~10年, 三年) or, with ``spans``, a span of years
    (2021~2025年, 2022~2026财年): what "how long" or "over what period" asks for. "How many years"
    counts years: only a length answers it (as 多少年 does in Chinese), not a label such as
    "2020-2021年版"."""
    return any(
        figure_kind(r) == "duration" or (spans and YEAR_RANGE_RE.fullmatch(r.chinese.strip()))
        for r in renderings(text)
    )


COUNTED_TIME_RE = re.compile(r"\bhow\s+many\s+(?:more\s+)?(?:years|months|weeks|days)\b", re.I)


def english_facts(
    text: str,
    limit: int = 4,
    slot: str | None = None,
    slot_limit: int = 6,
    near: Sequence[str] = (),
) -> list[str]:
    """What a reader without Chinese should see first: each amount and percentage in English
    followed by its Chinese original, then dates ("US$24 billion (240亿美元)", "July 2022").

    ``slot``: the kind of figure the question asks for (amount, count, percentage, date); those
    come first, up to ``slot_limit`` (a table row or a series states several), so the asked figure
    is not crowded out by the sentence's other numbers. ``near``: the question's (Chinese) words;
    figures closest to them come first inside each group, so the limit drops the far ones."""
    asked: list[str] = []
    facts: list[str] = []
    dates: list[str] = []
    found = sorted(renderings(text), key=_closeness(text, near)) if near else renderings(text)
    for r in found:
        kind = figure_kind(r)
        if kind == "amount" and _MEASURE_AFTER.match(text, r.end) and not _CUR_RE.search(r.chinese):
            kind = "count"  # 150万个 (base stations): a count written with its magnitude
        if r.in_words and kind == "count" and slot != "count":
            # A count in words (八项, 四个方面) enumerates the text's own parts far more often than
            # it states the figure asked for: only a "how many" question gets it.
            continue
        if kind == "value" and slot not in _VALUE_SLOTS:
            continue
        said = r.english if kind in ("date", "percentage", "value") else f"{r.english} ({r.chinese.strip()})"
        if slot in FIGURE_KINDS and kind == slot:
            asked.append(said)
        elif kind == "date":
            dates.append(said)
        else:
            facts.append(said)
    asked = list(dict.fromkeys(asked))[:slot_limit]
    dates = [d for d in dict.fromkeys(dates) if d not in asked]
    out = list(dict.fromkeys(facts))[: max(0, limit - len(asked))]
    return asked + out + dates[: max(0, limit - len(asked) - len(out))]


__all__ = [
    "AMOUNT_RE",
    "Rendering",
    "annotate",
    "english_amounts",
    "english_facts",
    "english_magnitude",
    "english_sentence",
    "named_terms",
    "render_figure",
    "renderings",
    "states_duration",
    "COUNTED_TIME_RE",
]


def named_terms(text: str, limit: int = 2, min_chars: int = 3) -> list[str]:
    """Policy names the glossary knows in a Chinese text, as "English (中文)", longest first and
    non-overlapping (芯片法案 → "CHIPS Act (芯片法案)"); short or common words are left out."""
    from rag.retrieve.glossary import load_glossary
    from rag.text import to_simplified

    folded = to_simplified(text)
    english_of = load_glossary().english_of
    found: list[tuple[int, int, str]] = []
    # Proper names only (CHIPS Act, SASAC, Made in China 2025): a lowercase gloss is a common word.
    names = (z for z, en in english_of.items() if len(z) >= min_chars and en[:1].isupper() and z in folded)
    for zh in sorted(names, key=len, reverse=True):
        start = folded.find(zh)
        end = start + len(zh)
        if any(s < end and start < e for s, e, _ in found):
            continue
        found.append((start, end, f"{english_of[zh]} ({text[start:end]})"))
        if len(found) >= limit:
            break
    return [t for _, _, t in sorted(found)]


def english_sentence(
    title: str, quote: str, n: int, slot: str | None = None, near: Sequence[str] = ()
) -> str:
    """One English sentence for a verbatim Chinese quote: what can be said in English first (the
    figures with their units, dates, the named programme), then the quote with its [n]:
    According to 《title》: US$24 billion (240亿美元); CHIPS Act (芯片法案) — “…240亿美元…” [1]."""
    row = parse_row(quote)
    if row is not None:
        # A table row's cells are bare numbers whose header is elsewhere: state the row as it reads,
        # name first, so the figures reach a reader without Chinese (北京 84.04 80.80 …).
        at = f" {row.position}" if row.position is not None else ""
        said = [f"table row{at}, {row.name}: {' / '.join(row.figures)}"]
    else:
        said = english_facts(quote, slot=slot, near=near) + named_terms(quote)
    if not said:
        return f"According to 《{title}》, “{quote}” [{n}]."
    return f"According to 《{title}》: {'; '.join(said)} — “{quote}” [{n}]."
