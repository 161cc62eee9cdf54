"""Written Cantonese questions read as Standard Written Chinese.

Hong Kong users type questions the way they speak: 呢個計劃喺邊度推行？ 撥咗幾多錢？ 點解唔再講…？
The question analysis (slots, ask words, pointers back, keyword retrieval) knows the standard
forms (這個, 在, 哪裡, 了, 多少, 為什麼, 不), so a Cantonese question is rewritten into them before it is
analysed and retrieved: the same rewrite for every question, from the dialect's function words, never
from the documents. Only questions are rewritten; stored text and quotes keep their wording, and the
answer is still given in the asker's script.

The rewrite runs only when the question has a marker no standard Chinese sentence uses (嘅 喺 咗 咩
佢 唔 冇 啲 嗰 乜 幾多 點解 邊個 …), so a Mandarin question is never touched: 邊 (邊緣, 周邊), 係 (關係)
and 咁 are read as Cantonese only inside such a question, and 邊 only before a measure word.
"""

from __future__ import annotations

import re

from rag.text import detect_script, to_simplified, to_traditional

# A question is Cantonese when it has one of these (none occurs in standard written Chinese);
# 邊 and 呢 count only in their Cantonese uses (邊度, 邊間, 呢個; not 周邊, 邊緣, the particle 呢).
_NOT_WHICH = "周旁身兩一這那左右東西南北海岸無路河江床外內"
_MARKER = re.compile(
    r"[嘅喺咗咩佢唔冇啲嗰乜嘢哋嚟畀攞睇搵諗噉㗎嘞囉啫喇]|幾多|點解|點樣|係咪|係唔係"
    r"|係[\u4e00-\u9fff]{1,4}?定[\u4e00-\u9fff]{1,4}?[？?]"  # 係升定跌？ (Mandarin: 是升还是跌)
    rf"|(?<![{_NOT_WHICH}])邊[個位度處間啲幾年日種類項份條國家座一隻兩二三四五六七八九十]|呢[個份項幾間次種條位套筆類度啲]"
)

# "Who" rather than "which": 邊個 before a verb or at the end (邊個負責？ 由邊個出任).
_WHO_NEXT = set("係是嚟來提負主簽發建擔領出做話講說寫創推批帶牽管任")

# Longest first within each alternation; applied in this order.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("乜嘢", "什麼"),
    ("乜野", "什麼"),
    ("咩嘢", "什麼"),
    ("咩野", "什麼"),
    ("係咪", "是不是"),
    ("係唔係", "是不是"),
    ("有冇", "有沒有"),
    ("定係", "還是"),
    ("同埋", "以及"),
    ("仲有", "還有"),
    ("仲係", "還是"),
    ("幾多", "多少"),
    ("幾時", "何時"),
    ("幾耐", "多久"),
    ("點解", "為什麼"),
    ("點樣", "怎樣"),
    ("點睇", "怎麼看"),
    ("點做", "怎麼做"),
    ("而家", "現在"),
    ("佢哋", "它們"),
    ("我哋", "我們"),
    ("你哋", "你們"),
    ("呢啲", "這些"),
    ("嗰啲", "那些"),
    ("邊啲", "哪些"),
    ("一啲", "一些"),
    ("有啲", "有些"),
    ("呢度", "這裡"),
    ("嗰度", "那裡"),
    ("邊度", "哪裡"),
    ("邊處", "哪裡"),
    ("邊位", "哪位"),
    ("唔係", "不是"),
)

# 邊 before a measure word or a noun that asks "which" (邊間大學, 邊年, 邊國).
_WHICH = re.compile(rf"(?<![{_NOT_WHICH}])邊(?=[間幾年日種類項份條國家座一隻方部兩二三四五六七八九十])")
_THIS = re.compile(r"呢(?=[個份項幾間次種條位套筆類])")
_THAT = re.compile(r"嗰")
# 係 is "is" except in words that are standard Chinese (關係, 係數, 聯係, 維係, 干係).
_IS = re.compile(r"(?<![關联聯維干])係(?!數)")
# 咁 opening a clause is "then / so" (咁新加坡呢？); elsewhere "so, this much" (咁多, 咁快).
# 係升定跌: "rising or falling?", an alternative question (定 = 還是 after 係).
_OR_ASKED = re.compile(r"係([\u4e00-\u9fff]{1,4}?)定([\u4e00-\u9fff]{1,4}?)(?=[？?]|$)")
# 咁嗰段時間 is "then, that period": one 那 (嗰 is read as 那 first).
_SO_OPEN = re.compile(r"(^|[，,。？?！!；;：:\s])咁(?:那)?")
_SINGLE: tuple[tuple[str, str], ...] = (
    ("咩", "什麼"),
    ("嘢", "東西"),
    ("乜", "什麼"),
    ("嘅", "的"),
    ("喺", "在"),
    ("咗", "了"),
    ("佢", "它"),
    ("冇", "沒有"),
    ("唔", "不"),
    ("啲", "的"),
    ("咁", "這麼"),
    ("嚟", "來"),
    ("畀", "給"),
    ("攞", "拿"),
    ("睇", "看"),
    ("搵", "找"),
    ("諗", "想"),
    ("噉", "這樣"),
)
# Sentence-final particles with no standard counterpart.
_PARTICLES = re.compile(r"[㗎嘞囉啫喇]+(?=[？?！!。]?\s*$)")


def _who_or_which(m: re.Match[str]) -> str:
    after = m.group(1)
    who = not after or after in _WHO_NEXT or not after.isalnum()
    return ("誰" if who else "哪個") + after


def question_script(question: str) -> str:
    """The script to answer in: a Cantonese question written without a character that only one
    script has (咁新加坡又推出咗咩晶片法例？) is answered in Traditional, the script Hong Kong writes."""
    script = detect_script(question)
    if script == "simplified" and is_cantonese(question) and to_traditional(question) == question:
        return "traditional"
    return script


def is_cantonese(question: str) -> bool:
    return bool(_MARKER.search(to_traditional(question)))


def standard_written(question: str) -> str:
    """The question in Standard Written Chinese when it is written Cantonese, else unchanged
    (in the question's own script)."""
    simplified = detect_script(question) == "simplified"
    trad = to_traditional(question) if simplified else question  # the rules are written in Traditional
    if not is_cantonese(trad):
        return question
    out = _PARTICLES.sub("", trad)
    out = re.sub(r"邊個(.?)", _who_or_which, out)
    for old, new in _PHRASES:
        out = out.replace(old, new)
    out = _WHICH.sub("哪", out)
    out = _THIS.sub("這", out)
    out = _THAT.sub("那", out)
    out = _OR_ASKED.sub(r"是\1還是\2", out)
    out = _IS.sub("是", out)
    out = _SO_OPEN.sub(lambda m: m.group(1) + "那", out)
    for old, new in _SINGLE:
        out = out.replace(old, new)
    return to_simplified(out) if simplified else out
