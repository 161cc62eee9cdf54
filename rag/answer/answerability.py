"""Does a retrieved sentence answer the question? The slot must be filled and the constraints kept.

A sentence answers only when it states something of the slot's type (a figure for an amount, a
place for "where", a date for "when", an organisation for "which department") that the question
does not already contain, and when the constraints the question names (《titles》, chambers and
other bodies) hold in the sentence or its passage (title, section, text). When no retrieved
sentence passes, :func:`refusal_reason` says which requirement is missing, e.g. "the documents
give 参议院 (the Senate), not 众议院 (the House)".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from rag.answer.citations.figures import Figure, figure_supported, normalise_numbers, quantities
from rag.answer.citations.lexical import containment, fold, units
from rag.answer.question import (
    BODY_GROUPS,
    DATE_ASK_ZH,
    Question,
    asks_change,
    clause_number,
    frames_question,
    places_named_en,
)
from rag.answer.tables import parse_row
from rag.text import detect_language, has_cjk, place_names, to_simplified

_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|(?<!\d)(?:19|20)\d{2}(?!\d)"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.I,
)
_ORG_ZH = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:部|委员会|委|局|署|院|大学|学院|中心|公司|集团|机构|办公室|实验室|基金会|协会|联盟|"
    r"政府|银行|研究所|研究院|理事会|议会|厅|办|企业)"
)
_ORG_EN = re.compile(
    r"\b(?:[A-Z][\w&'-]+\s+){0,5}(?:Department|Ministry|Agency|University|Council|Commission|Office|Foundation|"
    r"Institute|Center|Centre|Corporation|Company|Laboratory|Bureau|Authority)\b|\b[A-Z]{2,6}\b"
)
# 国 ends a place name (韩国, 英国), not a word that goes on (国家, 国防, 国际, 国内…); 全国/各国/强国 name none.
_PLACE_SUFFIX = re.compile(
    r"[\u4e00-\u9fff]{1,6}?(?:市|(?<![业务学济动卫])省|州|县|(?<![地社园专校辖片])区|(?<![全各本我两大强])国(?![家防际内外务企有营产民立债库])|城|湾区|新区)"
)
_ENUM_SEP = re.compile(r"[、；;]|(?:[一二三四五六七八九十]是)")
_LAST_ITEM = re.compile(r"[」”』）)]?(?:和|及|与|與|以及)[「“『]")  # 「A」、「B」和「C」: a quoted last item

SLOT_NAMES = {
    "amount": "an amount",
    "count": "a count",
    "percentage": "a percentage",
    "date": "a date",
    "place": "a place",
    "organisation": "an organisation",
    "person": "a person",
    "rank": "a rank",
}


def enumeration_size(sentence: str) -> int:
    """How many items a sentence lists (separated by 、 ； or 一是/二是, the last joined by 和/及/与
    after a 、; English commas)."""
    zh = len(_ENUM_SEP.findall(sentence))
    last = sentence.rfind("、")
    if last >= 0 and _LAST_ITEM.search(sentence, last):
        zh += 1
    en = sentence.count(",") if not re.search(r"[\u4e00-\u9fff]", sentence) else 0
    return max(zh, en) + 1


def _new(found: Iterable[str], given: str) -> bool:
    """Some found name is not already in the question or the passage's heading: new information."""
    g = fold(given)
    return any(f and fold(f) not in g for f in found)


_UNIT_IN_TEXT = {
    "money": re.compile(
        # 元 after a figure or its scale: 神经元 (neuron) and 单元 are not money.
        r"[\d.万亿億萬千百十]\s*元|美元|欧元|歐元|英镑|英鎊|日元|日圓|韩元|韓元|港元|港币|港幣|卢布|盧布|澳元|加元|法郎|人民币|"
        r"dollar|euro|pound|yuan|rmb|\$|€|£|¥",
        re.I,
    ),
    "distance": re.compile(r"公里|千米|\bkm\b|kilomet", re.I),
    "people": re.compile(r"\d\s*(?:多)?(?:名|位|人)"),
}

# A length written with its unit (3.6万公里, 120 km, 500米); 纳米 and 平方米 put a word between the
# figure and 米, so a size or an area is not a length.
_LENGTH = re.compile(
    r"\d[\d.,]*\s*(?:多|余)?\s*[万亿千百]?\s*(?:多|余)?\s*(?:公里|千米|米|km\b|kilomet|miles?\b)", re.I
)
# A proportion written as a ratio (按照 1:4 的比例, 1∶1 配套): what a 比例 question asks.
_RATIO = re.compile(r"(?<![\d:：∶])\d+(?:\.\d+)?\s*[:：∶]\s*\d+(?:\.\d+)?(?![\d:：∶])")


# A change stated as a share or a multiple (增长 75%, 提高两倍, 3 percentage points).
_CHANGE_STATED = re.compile(r"\d\s*(?:%|％|个百分点|倍|percent)|[一二两三四五六七八九十]倍", re.I)


def states_length(sentence: str) -> bool:
    """The sentence states a length (a figure in kilometres, metres or miles)."""
    return bool(_LENGTH.search(normalise_numbers(sentence)))


_UNITS_FOR_SLOT = {"amount": ("money", "distance"), "count": ("people",)}


def has_units(question: Question, sentence: str) -> bool:
    """An amount asked in money or kilometres, a count of people, must come with such a unit in the
    sentence (a unit word elsewhere in the question, "资助的研究人员", does not make a count money)."""
    text = normalise_numbers(sentence)
    wanted = [u for u in question.units if u in _UNITS_FOR_SLOT.get(question.slot, ())]
    if "money" in wanted and asks_change(question.text) and _CHANGE_STATED.search(text):
        # "how much higher would the patent count be if … had their sales": the change is stated as
        # a share or a multiple; the money word names the condition, not what the figure measures.
        wanted.remove("money")
    return all(
        _UNIT_IN_TEXT[u].search(text)
        or (u == "people" and (_people_named(question, text) or people_counted(text)))
        for u in wanted
    )


# A figure with its magnitude (2800万, 54.1 万, 3亿多) and what directly follows it.
_SCALED_FIGURE = re.compile(
    r"\d[\d.]*\s*(?:多|余)?\s*[十百千万亿萬億]*\s*(?:多|余)?\s*(?:个|個)?\s*(?=[\u4e00-\u9fff])"
)
_PERSON_ENDINGS = ("员", "人", "者", "生", "人口", "用户", "网民", "居民", "市民", "农民", "员工", "职工")


def people_counted(text: str) -> bool:
    """A figure followed by a noun of persons counts people without a person's measure word: 近2800万工作人员,
    54.1 万从业人员, 14亿人口, 5个研究者, 6.94亿用户 (jieba's word right after the figure ends in 员/人/者/生 or
    is one of the other nouns of persons in ``_PERSON_ENDINGS``; 人民币 and 人次 do not)."""
    import jieba

    folded = to_simplified(text)
    for m in _SCALED_FIGURE.finditer(folded):
        word = next(iter(jieba.cut(folded[m.end() : m.end() + 8])), "")
        if len(word) >= 2 and word.endswith(_PERSON_ENDINGS):
            return True
    return False


# A figure with no measure word after it (900万。): what it counts is named elsewhere in the sentence.
_BARE_FIGURE = re.compile(r"\d[\d.]*\s*(?:多|余)?\s*[万亿千]\s*(?:多|余)?(?![\u4e00-\u9fffA-Za-z%％])")


def _people_named(question: Question, text: str) -> bool:
    """ "医护人员的缺口将达到900万" counts people: the sentence names the people the question counts
    (a noun of persons, jieba's noun ending in 员/人/者/生) and gives a bare scaled figure."""
    import jieba.posseg as pseg

    if question.language != "zh" or not _BARE_FIGURE.search(text):
        return False
    folded = to_simplified(text)
    people = [
        w
        for w, flag in pseg.cut(to_simplified(question.text))
        if flag.startswith("n") and len(w) >= 2 and w[-1] in "员人者生"
    ]
    return any(w in folded for w in people)


# "多少件提案", "幾個月", "几家企业": the measure word says what is counted. 个 alone is too general
# ("多少个神经元" is answered by "1.2亿脉冲神经元").
_COUNTED_IN = re.compile(
    r"(?:多少|几|幾)\s*(个月|個月|件|家|项|項|名|位|颗|顆|台|座|所|条|條|篇|次|届|屆|天|周|倍|艘|架|辆|輛)"
)


# "要再过多少年": years counted, answered by "5到10年" (a number of years, not a year such as 2030年).
_YEARS_ASKED = re.compile(r"多少年(?![轻代份龄度])")
_YEARS_TOLD = re.compile(r"(?<![\d.])\d{1,3}\s*(?:多|余)?\s*(?:个)?\s*年(?![代度级])")


def counts_in_measure(question: str, sentence: str) -> bool:
    """A count asked in a measure word ("会上收到多少件提案", "須在幾個月內") is answered only by a
    figure in that measure (X件, X个月): a sentence counting other things does not answer."""
    if _YEARS_ASKED.search(to_simplified(question)):
        return _YEARS_TOLD.search(to_simplified(normalise_numbers(sentence))) is not None
    m = _COUNTED_IN.search(question)
    if not m:
        return True
    measure = to_simplified(m.group(1))
    # Things may be counted with 个 and people with 名/位/人 (多少家 → 35 个, 多少位 → 30 多名); a
    # time (个月, 天) or a number of times is counted in its own unit.
    same = _SAME_MEASURE.get(measure, (measure, "个"))
    text = to_simplified(normalise_numbers(sentence))
    scaled = r"\d[\d.,]*\s*(?:多|余)?\s*(?:[十百千万亿]+\s*)?(?:多|余)?\s*"
    return re.search(scaled + "(?:" + "|".join(map(re.escape, same)) + ")", text) is not None


_SAME_MEASURE = {
    "名": ("名", "位", "人"),
    "位": ("名", "位", "人"),
    "个月": ("个月",),
    "天": ("天", "日"),
    "周": ("周",),
    "次": ("次",),
    "届": ("届",),
    "倍": ("倍",),
}


def new_figures(question: Question, sentence: str) -> list[Figure]:
    """The sentence's figures that the question does not already state: "7亿欧元里有多少投向6G"
    is not answered by a sentence whose only amount is the 7亿欧元."""
    asked = quantities(question.text)
    return [f for f in quantities(sentence) if not figure_supported(f, asked)]


_POINTS = re.compile(r"\d[\d.]*\s*个?\s*百分点|\d[\d.]*\s*percentage points?", re.I)


def fills_slot(question: Question, sentence: str, heading: str = "") -> bool:
    """The sentence states something of the slot's type that the question (and the passage's
    title/section, i.e. its topic) does not already say."""
    slot = question.slot
    given = f"{question.text}\n{heading}"
    if slot == "count":
        # A share is no count: "毕业生中，50.4%选择单位就业，下降 6 个百分点" does not say how many.
        counted = [
            f for f in new_figures(question, _POINTS.sub(" ", normalise_numbers(sentence))) if not f.percent
        ]
        return bool(counted) and has_units(question, sentence) and counts_in_measure(question.text, sentence)
    if slot == "amount":
        # "两种产业形态" states a count, not an amount: an amount is large, scaled, fractional or a share.
        amounts = [
            f for f in new_figures(question, sentence) if f.scaled or f.percent or f.base >= 10 or f.base % 1
        ]
        return bool(amounts) and has_units(question, sentence)
    if slot == "percentage":
        return (
            any(f.percent for f in new_figures(question, sentence))
            or "倍" in sentence
            or "percent" in sentence.lower()
            or bool(_RATIO.search(normalise_numbers(sentence)))
        )
    if slot == "date":
        return bool(_DATE.search(normalise_numbers(sentence)))
    if slot == "place":
        named = set(place_names(given))
        if question.language == "en":
            named |= places_named_en(question.text)
        # A run ending in a place the question names (…帮助英国) is that place again, not a new one.
        found = {
            f
            for f in set(place_names(sentence)) | suffixed_places(sentence) | abbreviated_places(sentence)
            if not any(fold(f).endswith(fold(n)) for n in named)
        }
        return _new(found, given)
    if slot == "organisation":
        found = organisations(sentence) | agents(sentence)
        return _new(found, given) and names_kind(question, sentence, heading)
    if slot == "rank":
        return states_rank(sentence)
    if slot == "person":  # "谁": a person, a body, or what plays one ("the central budget" funds research)
        if question.language == "en" and _PERSON_ROLE_EN.search(question.text):
            # A person asked by role ("appointed to lead", "the director"): a person's name must be
            # new (an English "who" otherwise may be answered by a body or a budget, as in Chinese).
            return _new(persons(sentence), given)
        return says_more(question, sentence, heading)
    return says_more(question, sentence, heading)


# A position: an ordinal (第3, 第三位, No. 3, 3rd), a tier (第二梯队), 首位/前十, or a verb placing it.
_RANK_TEXT = re.compile(
    r"第\s*[一二两三四五六七八九十百\d]+|首位|榜首|前[一二三四五六七八九十百\d]+|位居|位列|排名|排在|排行|梯队|领先|最"
    r"|\bNo\.\s?\d|#\d|\b\d+(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|top|leading|largest|"
    r"biggest|ranks?|ranked|ranking|tier|behind|ahead)\b",
    re.I,
)


def states_rank(sentence: str) -> bool:
    """A rank is stated by an ordinal, a tier, a ranking verb, or a ranked table's row (its leading position)."""
    row = parse_row(sentence)
    return (row is not None and row.position is not None) or bool(_RANK_TEXT.search(sentence))


# A city written by its one-character name after a verb of place: 在京举办, 赴沪, 来穗 (not 京津冀).
_ABBREVIATED_PLACE = re.compile(r"(?<=[在赴来抵进离返访驻])([京沪穗])(?![津冀沪穗港澳深杭宁苏浙])")
_ABBREVIATIONS = {"京": "北京", "沪": "上海", "穗": "广州"}


def abbreviated_places(sentence: str) -> set[str]:
    """The cities a sentence names by their one-character name (国资委在京举办 → 北京)."""
    return {_ABBREVIATIONS[m.group(1)] for m in _ABBREVIATED_PLACE.finditer(to_simplified(sentence))}


def suffixed_places(sentence: str) -> set[str]:
    """Words ending in a place suffix (深圳市, 大湾区, 韩国) where jieba ends a word: a word of two
    characters or more, or the suffix alone after a name (阿德莱德 + 市). 国 in 国之重器 stands
    after 是 and names no place."""
    folded = to_simplified(sentence)
    found = list(_PLACE_SUFFIX.finditer(folded))
    if not found:
        return set()
    import jieba

    ends, at, previous = set(), 0, ""
    for tok in jieba.lcut(folded):
        at += len(tok)
        if len(tok) >= 2 or len(previous) >= 2:
            ends.add(at)
        previous = tok
    return {m.group(0) for m in found if m.end() in ends}


def figure_clauses(question: Question, sentence: str) -> list[str]:
    """Each clause of a sentence stating a figure the question does not, with the clause just
    before it when that one states none: what the figure measures is said there or in the clause
    itself ("来自内资企业贡献的销售收入占比却在大幅下降，从2016年的44%"). Where a figure's measure
    sits: "50.4%选择单位就业" and "去向落实率为57.9%" are two figures of one sentence, each with
    its own words."""
    clauses = _CLAUSE.split(sentence)
    stating = [bool(new_figures(question, c)) for c in clauses]
    return [
        (f"{clauses[i - 1]}，" if i and not stating[i - 1] else "") + clause
        for i, clause in enumerate(clauses)
        if stating[i]
    ]


def says_enough(question: Question, sentence: str, heading: str = "") -> bool:
    """An untyped slot: the sentence says more than the question, and a list asked by kind
    ("哪些大学胜出", "which firms") names one of that kind."""
    if question.slot == "list" and not names_kind(question, sentence, heading):
        return False
    if any(written_as(a, sentence) for a in question.attribute):
        return True  # it gives what is asked by its form (文号: 国科发区〔2020〕187 号)
    return says_more(question, sentence, heading)


def organisations(sentence: str) -> set[str]:
    """Organisation names: a name ending in 部/委员会/大学/公司… whose words before that ending
    name something (通过企业 is "through companies", not a company), or an English name/acronym."""
    import jieba.posseg as pseg

    names = set()
    for m in _ORG_ZH.finditer(to_simplified(sentence)):
        words = list(pseg.cut(m.group(0)))
        head = words[:-1] if len(words) > 1 else []
        if any(flag[:1] in ("n", "j") or flag in ("eng", "nz") for _, flag in head):
            names.add(m.group(0))
        elif len(words) == 1 and len(m.group(0)) >= 3 and words[0].flag in ("n", "nt", "nz"):
            names.add(m.group(0))  # one dictionary word: 科技部, 财政部
    names |= {m.group(0) for m in _ORG_EN.finditer(sentence)}
    return names


# "由美国贸易代表领导", "由科技部牵头": the one a task is put under, whatever its title ends with.
_AGENT = re.compile(
    r"由([\u4e00-\u9fffA-Za-z（）()]{2,14}?)(?:领导|牵头|负责|主导|主持|统筹|组织|承担|主管|组建|执行)"
)


def agents(sentence: str) -> set[str]:
    """Who a sentence puts in charge (由X领导/牵头/负责): a body or an office that need not end
    in 部/委员会 (美国贸易代表), so "由谁牵头" is answered by it."""
    return {m.group(1) for m in _AGENT.finditer(to_simplified(sentence))}


def persons(sentence: str) -> set[str]:
    """Person names (jieba ``nr`` of two to four characters starting with a common surname, or a
    transliterated name with ·; jieba also tags words such as 道德 ``nr``) and capitalised English
    name pairs."""
    import jieba.posseg as pseg

    names = {
        w
        for w, flag in pseg.cut(to_simplified(sentence))
        if flag == "nr" and 2 <= len(w) <= 4 and (w[0] in _SURNAMES or "·" in w)
    }
    names |= {m.group(0) for m in re.finditer(r"\b[A-Z][a-z]+\s+[A-Z][a-z]+\b", sentence)}
    return names


_PERSON_ROLE_EN = re.compile(
    r"\b(?:appointed|named as|head(?:s|ed)? by|director|chair(?:man|woman|person)?|minister|president|"
    r"secretary|leader|chief)\b",
    re.I,
)
# The most common Chinese surnames (single characters).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤习温胡孙李"
)
NEW_UNITS = 0.2  # share of a sentence's lexical units the question and heading must not already hold


def says_more(question: Question, sentence: str, heading: str = "") -> bool:
    """A sentence that only repeats the question (a heading such as "（4）《…条例》" for a question
    about that law's clause) says nothing: some of its units must be new."""
    if question.language != "zh":
        return True  # an English question shares no characters with a Chinese sentence
    su = units(sentence)
    return bool(su) and 1.0 - containment(su, units(f"{question.text}\n{heading}")) >= NEW_UNITS


def mentions_year_end(text: str, year: str) -> bool:
    """The text names the year other than as one of its first eleven months: 2020年7月底 does
    not give the end of 2020."""
    for m in re.finditer(rf"(?<!\d){year}(?!\d)\s*年?\s*(\d{{1,2}})?\s*月?", normalise_numbers(text)):
        month = m.group(1)
        if not month or int(month) == 12 or "月" not in m.group(0):
            return True
    return False


def _aliases(canonical: str) -> tuple[str, ...]:
    return next((g for g in BODY_GROUPS if g[0] == canonical), (canonical,))


def _mentions(text: str, names: Iterable[str]) -> bool:
    folded = to_simplified(text).lower()
    return any(n in folded for n in names)


def constraint_problem(question: Question, context: str) -> str | None:
    """Why a passage (title + section + text) cannot answer under the question's constraints,
    or None: a body the question names is absent (another one is named instead), a place or a
    quoted name it asks about is not mentioned (or only as one item of a list), the 《title》 it
    asks about is not what the passage is about, or the clause of a law (第三十条) is not given."""
    for body in question.bodies:
        if not _mentions(context, _aliases(body)):
            others = [g[0] for g in BODY_GROUPS if g[0] not in question.bodies and _mentions(context, g)]
            if others:  # the Senate's vote where the House's was asked
                return f"the documents give {'/'.join(others)}, not {body}"
            if body in CHAMBERS:  # a passage naming no chamber at all says nothing of the House's vote
                return f"the passages do not mention {body}"
    folded = to_simplified(context).lower()
    for names in question.entities:
        if not any(n in folded for n in names) and not headline_country(names, folded):
            return f"the passages do not mention {'/'.join(names)}"
    compact = "".join(folded.split())
    for name in question.names:
        if name.lower() not in compact and not spells_out(name, compact):
            return f"the passages do not mention 「{name}」"
        if in_passing(name.lower(), compact):
            return f"the passages mention 「{name}」 only in passing, in a list"
    ctx_units = units(context)
    for title in question.titles:
        if not re.search(r"[\u4e00-\u9fff]", title):
            continue  # an English title over Chinese passages: retrieval's cross-lingual side judges it
        if containment(units(title), ctx_units) < TITLE_MATCH:
            return f"no retrieved passage is about 《{title}》"
    for clause in question.clauses:
        if clause not in _clauses(compact):
            return f"the passages do not give {clause}"
    # A "when" question's noun before the ask names what is dated (那部法规是哪天起施行), which the
    # passage calls by its title (《条例》), not an attribute the date is of.
    dated = question.slot == "date" and not ATTRIBUTE_OF_DATES
    if (
        question.attribute
        and not dated
        and not any(a in compact for a in question.attribute)
        and not any(written_as(a, compact) for a in question.attribute)
    ):
        return f"the passages do not give the {question.attribute[0]} asked for"
    return None


# Attributes a passage gives by their form without naming them: a document number (文号) is
# written 国科发区〔2020〕187 号.
_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\d+号")
_WRITTEN_AS = {"文号": _DOCUMENT_NUMBER, "发文字号": _DOCUMENT_NUMBER, "字号": _DOCUMENT_NUMBER}
FORM_WRITTEN = frozenset(_WRITTEN_AS)


def written_as(word: str, text: str) -> bool:
    """The text gives what ``word`` names by its form (文号 by 〔2020〕187 号) without writing it."""
    form = _WRITTEN_AS.get(word)
    return form is not None and form.search("".join(text.split())) is not None


# A headline names a country by one character (美发布…评估报告, 日拟…, 英政府…): the US, Japan, the UK.
_HEADLINE_ABBREVIATIONS = {
    "美国": "美",
    "英国": "英",
    "日本": "日",
    "德国": "德",
    "法国": "法",
    "俄罗斯": "俄",
    "韩国": "韩",
    "澳大利亚": "澳",
    "加拿大": "加",
    "印度": "印",
}
_HEADLINE_NEXT = (
    r"(?:发布|公布|推出|启动|出台|签署|通过|拟|将|欲|再|政府|方|总统|首相|国会|参议院|众议院|"
    r"商务部|能源部|国防部|教育部|议会|智库)"
)


def headline_country(names: Iterable[str], text: str) -> bool:
    """The text names one of the countries by its one-character headline form, opening a line or a
    heading (``> 美发布国防部…``) before a verb or a body: 美 alone is also 美好 or 完美."""
    return any(
        re.search(rf"(?:^|[>\n\s]){abbr}{_HEADLINE_NEXT}", text, re.M) is not None
        for abbr in (_HEADLINE_ABBREVIATIONS.get(n) for n in names)
        if abbr
    )


_COUNT_PREFIX = {"双": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def spells_out(name: str, compact: str) -> bool:
    """A numbered abbreviation (双一流, 三农) the passage writes out: what follows the number occurs
    that many times ("世界一流大学和一流学科" for 双一流), as documents name it in full."""
    folded = to_simplified(name)
    count = _COUNT_PREFIX.get(folded[:1])
    rest = folded[1:]
    return bool(count and rest and re.fullmatch(r"[\u4e00-\u9fff]+", rest)) and compact.count(rest) >= count


def _clauses(compact: str) -> set[str]:
    return {
        f"第{clause_number(n)}{k}"
        for n, k in re.findall(r"第([一二两三四五六七八九十百零〇\d]+)([条款章节项])", compact)
    }


def in_passing(name: str, compact: str) -> bool:
    """Every mention of the name is an item of an enumeration (…「A」、「B」、「C」等): the passage
    lists it among others and is about something else."""
    spots = [m.start() for m in re.finditer(re.escape(name), compact)]
    if not spots:
        return False
    pad = r"[「」“”『』《》\"']*"
    for at in spots:
        before, after = compact[max(0, at - 3) : at], compact[at + len(name) : at + len(name) + 3]
        if not (re.search(pad + r"[、]" + pad + "$", before) or re.match(pad + r"(?:[、]|等)", after)):
            return False
    return True


# Chambers the question names must be named by the passage; other bodies (政协, 国务院) often
# name who wrote the document ("the Guangdong CPPCC briefing"), not what is asked (v1 dev).
CHAMBERS = frozenset({"众议院", "参议院", "上议院", "下议院"})
ATTRIBUTE_OF_DATES = False  # the noun before "是哪天" is what is dated, not a constraint (dev)
TITLE_MATCH = 0.75  # share of a title's character bigrams the passage must contain


_UNIT_NAMES = {"money": "an amount of money", "distance": "a distance", "people": "a number of people"}
# Words that ask rather than name what is asked about.
_ASKING = re.compile(
    r"^(?:多少|哪些|哪个|哪里|什么|如何|怎样|怎么|是否|为何|为什么|目前|主要|具体|分别|一共|总共|规定|提出|文章|文件|报告"
    r"|年底|年末|年初|全年|上半年|下半年|截至|达到)$"
)


def slot_description(question: Question) -> str:
    """What the slot asks for, with its unit when the question names one."""
    wanted = [u for u in question.units if u in _UNITS_FOR_SLOT.get(question.slot, ())]
    if wanted:
        return _UNIT_NAMES[wanted[0]]
    return SLOT_NAMES.get(question.slot, "an answer")


def missing_terms(question: Question, contexts: Iterable[str]) -> list[str]:
    """The question's own content words (Chinese questions) that no retrieved passage contains:
    京张 in "京张高铁全长多少公里" when the passages only speak of 高铁 in general."""
    if question.language != "zh":
        return []
    from rag.text import keyword_tokens

    text = "".join(fold("\n".join(contexts)).split())
    terms = [
        t
        for t in dict.fromkeys(keyword_tokens(question.text))
        if len(t) >= 2 and not _ASKING.match(t) and not frames_question(t)
    ]
    terms = [t for t in terms if not any(ch.isdigit() for ch in t) and _content_word(t)]
    missing = [t for t in terms if t not in text]
    # A word jieba cut inside a longer missing word says nothing more ("京张高铁" and "高铁").
    return [t for t in missing if not any(t != o and t in o for o in missing)]


# jieba tags of words that name nothing a passage must hold: numerals and measures (一项), time
# words (现在), pronouns, adverbs, particles.
_FUNCTION_FLAGS = frozenset("m mq q t tg r rr rz d dg p c u ul uj uz ud ug uv y e o x f".split())
_FRAGMENT_FLAGS = frozenset("v vd vg vi f x p c d u uj ul uz ud ug uv y".split())


def _content_word(term: str) -> bool:
    """A word the dictionary knows as one content word: not a fragment jieba cut from an unknown
    name (烯要 from 石墨烯要, 里排 from 城市里排) nor a function word (一项, 现在)."""
    import jieba
    import jieba.posseg as pseg

    if not term.isascii() and not jieba.dt.FREQ.get(term):
        # a name jieba does not know (京张) stays; a piece glued to a verb, a locative or an unknown
        # character (烯 + 要, 里 + 排) is a fragment of a longer word
        ends = [next(iter(pseg.cut(ch))).flag for ch in (term[0], term[-1])]
        return not any(f in _FRAGMENT_FLAGS for f in ends)
    cut = list(pseg.cut(term))
    return len(cut) == 1 and cut[0].flag not in _FUNCTION_FLAGS


def missing_slot_reason(question: Question, contexts: Iterable[str] = ()) -> str:
    """Why nothing answers when no sentence fills the slot, naming what the passages lack."""
    absent = missing_terms(question, contexts)
    about = f" about {'、'.join(absent)}: the passages do not mention it" if absent else ""
    return f"no retrieved sentence states {slot_description(question)}{about}"


def weak_match_reason(question: Question, contexts: Iterable[str], score: float, floor: float) -> str:
    """Why nothing answers when the best sentence matches the question too weakly."""
    absent = missing_terms(question, contexts)
    named = f"the passages do not mention {'、'.join(absent)}; " if absent else ""
    return f"{named}no retrieved sentence answers the question (best score {score:.2f} < {floor})"


# --- scope: the plan period, the kind of organisation, a sibling entity ---------------------

_PERIOD_ZH = re.compile(
    r"(十[一二三四五六七八九])五(?=规划|计划|时期|期间|末|”|\"|」)|第(十[一二三四五六七八九])个五年"
)
_PERIOD_EN = re.compile(r"\b(1[1-9])(?:st|nd|rd|th)\s+Five[-\s]Year\b", re.I)
_ZH_DIGIT = "一二三四五六七八九"


def plan_periods(text: str) -> tuple[str, ...]:
    """The five-year plans a text names, as 十三五 (十三五规划, 第十三个五年, "13th Five-Year"):
    targets of the 14th plan do not answer a question about the 13th."""
    folded = to_simplified(text)
    out = [a or b for a, b in _PERIOD_ZH.findall(folded)]
    out += ["十" + _ZH_DIGIT[int(n) - 11] for n in _PERIOD_EN.findall(text)]
    return tuple(f"{p}五" for p in dict.fromkeys(out))


def period_problem(asked: str, context: str) -> str | None:
    """The question names a five-year plan the passage does not (it may name another one)."""
    compact = "".join(to_simplified(context).split())
    for period in plan_periods(asked):
        if period not in compact and f"第{period[:-1]}个五年" not in compact:
            given = [p for p in plan_periods(compact) if p != period]
            other = f"the passages give the {'/'.join(given)} plan, not the {period} plan" if given else ""
            return other or f"the passages do not mention the {period} plan"
    return None


# What a question asks for by kind of organisation ("哪些大学", "which companies") and the
# endings a name of that kind has in the passages.
_KIND_ENDINGS = {
    "university": ("大学", "学院", "高校", "院校"),
    "institute": ("研究所", "研究院", "研究中心", "实验室", "科学院"),
    "company": ("公司", "集团", "企业", "厂商"),
    "centre": ("中心", "实验室"),
}
# A department or agency is not asked by kind: bodies are named too variously (组织, 中心, 基金会).
_KIND_ZH = {
    "大学": "university",
    "高校": "university",
    "院校": "university",
    "研究所": "institute",
    "研究院": "institute",
    "企业": "company",
    "公司": "company",
    "厂商": "company",
    "中心": "centre",
    "实验室": "centre",
}
_KIND_ALT_ZH = "|".join(_KIND_ZH)
_KIND_ASKED_ZH = re.compile(rf"哪(?:些|个|家|所|几个|几家|几所)[\u4e00-\u9fff]{{0,4}}?({_KIND_ALT_ZH})")
# The kind named before the ask: "首批获批的国家技术创新中心有哪些".
_KIND_LISTED_ZH = re.compile(rf"({_KIND_ALT_ZH})(?:有|是|包括)哪(?:些|几个|几家|几所)")
_KIND_ASKED_EN = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(universit(?:y|ies)|institutes?|compan(?:y|ies)|firms?)"
    r"\b(?:\s+or\s+(universit(?:y|ies)|institutes?|"
    r"compan(?:y|ies)|firms?))?",
    re.I,
)
_KIND_EN = {"univ": "university", "inst": "institute", "comp": "company", "firm": "company"}


def asked_kinds(text: str) -> tuple[str, ...]:
    """The kinds of organisation a question asks to be named: "哪些大学胜出" → university;
    "which universities or institutes" → university, institute. A bare 机构/organisation asks
    for any kind (nothing returned)."""
    folded = to_simplified(text)
    out = [_KIND_ZH[m] for m in _KIND_ASKED_ZH.findall(folded) + _KIND_LISTED_ZH.findall(folded)]
    for m in _KIND_ASKED_EN.finditer(text):
        for word in filter(None, m.groups()):
            out.append(_KIND_EN[word[:4].lower()])
    return tuple(dict.fromkeys(out))


def names_kind(question: Question, sentence: str, heading: str = "") -> bool:
    """The sentence names a new organisation of a kind the question asks for (a university for
    "哪些大学", a company for "which firms"); true when no kind is asked."""
    kinds = asked_kinds(question.text)
    if not kinds:
        return True
    endings = tuple(e for k in kinds for e in _KIND_ENDINGS[k])
    given = fold(f"{question.text}\n{heading}")
    found = [o for o in organisations(sentence) if to_simplified(o).endswith(endings)]
    found += [w for w in _kind_words(sentence, endings)]
    return any(fold(f) not in given and _names_one(fold(f), given) for f in found)


def _names_one(name: str, given: str) -> bool:
    """The words right before what the question already says of a name say which one it is:
    新能源汽车 or 柔性显示 before 创新中心 do; 建设若干 in 建设若干国家技术创新中心 ("build several
    centres") and 对每个 in 对每个研究所 do not (no noun the question lacks)."""
    import jieba.posseg as pseg

    known = next((k for k in range(len(name) - 1, 1, -1) if name[-k:] in given), 0)
    # Read back from the name's end over the words of an activity (制造, 创新: 先进制造创新研究所)
    # to the noun that names it; any other word (对, 每个, 若干, 成为) ends it: the loose match may
    # start far back (国防部…对每个研究所).
    for w, f in reversed(list(pseg.cut(name[:-known] if known else name))):
        if (f[:1] in ("n", "j") and f != "vn") or f == "eng":
            if w not in given:
                return True
        elif f not in ("vn", "v") or w not in _ACTIVITIES:
            return False
    return False


# Words of an activity that a name may hold before its ending (制造创新研究所, 技术创新中心).
_ACTIVITIES = frozenset("创新 制造 研究 研发 发展 建设 转化 设计 服务 孵化 推广 检测 应用".split())


def _kind_words(sentence: str, endings: tuple[str, ...]) -> list[str]:
    """Words of the sentence (jieba) that end in one of the kind's endings and name one (清华大学,
    华为公司), not the bare kind (大学)."""
    from rag.text import keyword_tokens

    return [t for t in keyword_tokens(sentence) if t.endswith(endings) and t not in endings and len(t) >= 3]


_ORG_END = re.compile(r"(?:部|委|局|厅|署|委员会)$")


def absent_body(asked: str, context: str) -> str | None:
    """A Chinese question names a government body (外交部, 商务部: jieba ``nt`` or a name ending
    in 部/委/局…) that the passage never speaks of: the two characters before its ending, which
    say which body it is (外交 in 中国外交部), do not occur in it."""
    if detect_language(asked) != "zh" or not REQUIRE_ZH_BODY:
        return None
    import jieba.posseg as pseg

    compact = "".join(fold(context).split())
    for word, flag in pseg.cut(to_simplified(asked)):
        end = _ORG_END.search(word)
        if len(word) < 3 or not (end or flag == "nt"):
            continue
        stem = word[: end.start()] if end else word
        # 中国外交部: 外交 says which body; 科技厅 abbreviates 科学技术厅 (科…技 in order).
        if len(stem) >= 2 and not re.search(f"{re.escape(stem[-2])}.{{0,3}}{re.escape(stem[-1])}", compact):
            return f"the passages do not mention {word}"
    return None


def place_problem(asked: str, context: str) -> str | None:
    """A Chinese question about a place (深圳) and a passage that never names it but names other
    places: the passage is about those (checked on the whole passage, not only the sentence)."""
    if detect_language(asked) != "zh" or not PLACE_IN_PASSAGE:
        return None
    from rag.answer.dialogue import place_aliases  # 澳洲 is written 澳大利亚 in the passage

    wanted = {p for p in place_names(asked) | government_places(asked) if p not in NOT_PLACES}
    folded = to_simplified(context)
    if not wanted or any(a in folded for w in wanted for a in place_aliases(w)):
        return None
    named = place_names(folded) | government_places(folded)
    if named and not any(w in n or n in w for w in wanted for n in named):
        return f"the passages are about {'、'.join(sorted(named)[:3])}, not {'、'.join(sorted(wanted))}"
    return None


_GOVERNMENT = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(?:省|市|县|特区|自治区)(?:人民)?政府")


def _government_of(word: str) -> str | None:
    """The place a government word names (日本政府 → 日本), or None."""
    place = word.removesuffix("政府")
    return place if place != word and place_names(place) == {place} else None


def government_places(text: str) -> frozenset[str]:
    """The places whose government a question names: jieba reads 广州市政府 and 日本政府 as one
    organisation word, so the place it says which government is (广州, 日本) is not tagged as a place."""
    import jieba.posseg as pseg

    out: set[str] = set()
    for w, _ in pseg.cut(to_simplified(text)):
        if (m := _GOVERNMENT.match(w)) is not None:
            out.add(m.group(1))
        elif place := _government_of(w):
            out.add(place)  # 日本政府: a country's government, one word to jieba
    return frozenset(out)


# Words the place tagger takes for places but that name none (东西 is "things").
NOT_PLACES = frozenset("东西 南北 中外 中国 我国 全国 国内 内地 外国 国外 全球 世界 国家 城市".split())
REQUIRE_ZH_BODY = True  # a body a Chinese question names must be spoken of in the passage (dev)
# A passage that names other places and not the one asked is about them. A passage naming no place
# at all is kept: one document's later passages do not restate its place (全省, or nothing);
# requiring the place there cost two v1 test answers (measured, dropped).
PLACE_IN_PASSAGE = True


def scope_problem(asked: str, context: str) -> str | None:
    """Why a passage is about another scope than the question's: another five-year plan, a body
    it never speaks of, or other places than the one asked."""
    return period_problem(asked, context) or absent_body(asked, context) or place_problem(asked, context)


def unknown_place(name: str, shown: str, in_corpus: Callable[[str], bool]) -> bool:
    """An English multi-word name ("Saudi Arabia") that CC-CEDICT gives as a place and that
    neither the retrieved passages (``shown``, t2s, lower case) nor the corpus ever write."""
    from rag.answer.question import english_place

    places = english_place(name.lower())
    return bool(places) and name.lower() not in shown and not any(p in shown or in_corpus(p) for p in places)


_NAME_TAGS = {"nr": "name", "nt": "name", "nz": "name", "nrt": "name", "nrfg": "name", "ns": "place"}
_NOT_NAMES = frozenset(
    "白皮书 报告 文章 文件 蓝图 方案 意见 规划 计划 中国 我国 全国 国内 全球 世界 国家".split()
)
_CLAUSE = re.compile(r"[，,；;。！？!?：:]")


def _tagged_names(text: str) -> dict[str, str]:
    """jieba's names and places of a text, without words that name no one (报告, 全国)."""
    import jieba.posseg as pseg

    out: dict[str, str] = {}
    for w, f in pseg.cut(to_simplified(text)):
        if place := _government_of(w):
            out[place] = "place"  # 美国政府 is the United States speaking: its place owns the figure
        elif f in _NAME_TAGS and len(w) >= 2 and w not in _NOT_NAMES:
            out[w] = _NAME_TAGS[f]
    return out


def _kind_of(name: str) -> str | None:
    """The kind of a Chinese name (jieba: ``ns`` a place, ``nr``/``nt``/``nz`` a named body or
    person), or None when jieba tags it as neither (a common word)."""
    tagged = _tagged_names(name)
    if name in tagged:
        return tagged[name]
    kinds = {k for w, k in tagged.items() if len(w) * 2 >= len(name)}
    return kinds.pop() if len(kinds) == 1 else None


def asked_subjects(question: Question, unnamed: Sequence[str] = ()) -> list[tuple[tuple[str, ...], str]]:
    """What a figure question is about, each as its written forms (the first as said) and its kind:
    a Chinese question's tagged names (爱立信 → name); an English question's names mapped to the
    corpus's Chinese forms (``question.entities``: Singapore → 新加坡, place), and the bodies it
    names that nothing maps (``unnamed``: "National Natural Science Foundation of China", a name)."""
    if question.language == "zh":
        return [((w,), k) for w, k in _tagged_names(question.text).items()]
    out: list[tuple[tuple[str, ...], str]] = []
    for forms in question.entities:
        zh = [f for f in forms if re.search(r"[\u4e00-\u9fff]", f)]
        kind = "place" if any(place_names(f) for f in zh) else next(filter(None, map(_kind_of, zh)), None)
        if kind:
            out.append((tuple(forms), kind))
    # A body the corpus never names is no one a passage speaks of: a figure any named body or
    # place owns (Korea's budget for "the National Quantum Research Foundation") is another's.
    out += [((u,), kind) for u in unnamed for kind in ("name", "place")]
    return out


def _owners(text: str, kinds: Iterable[str], asked_text: str) -> list[str]:
    """The names of the given kinds a text writes that the question does not (a generic place
    word, 城市 or 全国, owns nothing)."""
    folded = to_simplified(asked_text).lower()
    return [
        w
        for w, k in _tagged_names(text).items()
        if k in kinds and w.lower() not in folded and not (k == "place" and w in NOT_PLACES)
    ]


def figure_owner_problem(
    question: Question, sentence: str, heading: str, passage: str, unnamed: Sequence[str] = ()
) -> str | None:
    """A figure asked about one subject (爱立信, "Singapore") that this sentence and its heading do
    not name, while each clause stating a new figure belongs to another subject of the same kind
    (华为's and 中兴通讯's contracts; another country's rate): named in the clause, or, when the
    clause names none, in the sentence's first clause (its subject: "拜登政府公布…能源部…预算，较
    2021年上调了23%"). A subject the question names must be in the passage (otherwise the passage
    is another rule's business), except an English body nothing maps to Chinese (``unnamed``),
    which no sentence can be shown to name. Names further on in the sentence are not read as its
    subject: they are too often common words jieba tags as names (新格局, 海归)."""
    dated = question.slot == "date"  # a "when" question about one subject is not answered by another's date
    if not (question.wants_figure or dated):
        return None
    folded_s, folded_h, folded_p = (to_simplified(x).lower() for x in (sentence, heading, passage))
    asked: dict[str, set[str]] = {}
    for forms, kind in asked_subjects(question, unnamed):
        folded = [f.lower() for f in forms]
        if forms[0] in unnamed:
            # A body the dictionaries cannot map is still recognised by the place in its name:
            # "Wuhan University of Technology" is the 武汉理工大学 of a sentence naming 武汉.
            folded += [p.lower() for p in places_named_en(forms[0])]
        if any(f in folded_s or f in folded_h for f in folded):
            continue  # the sentence or its heading names it: the figure may be its own
        # Named as the passage writes it (Singapore → 新加坡, not another of its dictionary forms).
        shown = forms[0] if forms[0] in unnamed else next((f for f in forms if f.lower() in folded_p), None)
        if shown:
            asked.setdefault(shown, set()).add(kind)
    if not asked:
        return None
    kinds = set().union(*asked.values())
    clauses = [c for c in _CLAUSE.split(sentence) if _states_new(question, c, dated)]
    if not clauses:
        return None
    # A clause naming no one belongs to the subject of its sentence's first clause (华为获得80个合同，其中30个…).
    subject = _owners(_lead(sentence), kinds, question.text)
    others: list[str] = []
    for clause in clauses:
        named = _owners(clause, kinds, question.text) or subject
        if not named:
            return None  # a figure no other name owns: it may be the one asked
        others += named
    return f"the documents give the figure of {'、'.join(dict.fromkeys(others))}, not of {'、'.join(asked)}"


def _lead(sentence: str) -> str:
    """Where a sentence names its subject: its first clause, after a short opener that names no one
    ("据统计，2017年美国政府投入约占…45%": 美国). Only the opening clause: names further on are too
    often common words jieba tags as names (新格局, 海归)."""
    clauses = _CLAUSE.split(sentence)
    k = 0
    while k + 1 < len(clauses) and len(clauses[k].strip()) <= _OPENER_MAX:
        k += 1
    return clauses[k]


_OPENER_MAX = 5  # 据统计, 数据显示, 此外, 其中: an opener, not the sentence's subject


def _states_new(question: Question, clause: str, dated: bool) -> bool:
    """The clause states a figure (or, for a "when" question, a date) the question does not."""
    if not dated:
        return bool(new_figures(question, clause))
    asked = set(_DATE.findall(normalise_numbers(question.text)))
    return any(d not in asked for d in _DATE.findall(normalise_numbers(clause)))


# An English body nothing maps to Chinese does not own a figure its sentence gives another body.
UNMAPPED_OWNER = True


# --- instance scope: "the second round", "首批", "so far" ---------------------------------------

# A programme's instance named by its ordinal: 第二轮, 首批, 一期, "second-round", "first call",
# "phase 2". 届 and 次 are left out: 第一次 says "for the first time", 第十三届 names a congress;
# 一 after 新/上/这/本/每 is a measure word's count (新一期 is "the new edition", not phase one).
_INSTANCE_ZH = re.compile(
    r"(?:第\s*([一二两三四五六七八九十\d]{1,3}|I{1,3})|(首)|(?<![第\d一二两三四五六七八九十A-Za-z新上下这本每该同])([一二三四五]|I{1,3}|Ⅰ|Ⅱ|Ⅲ))"
    r"\s*(轮|批|期(?![间待望限货刊])|阶段)"
)
_ORDINALS_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3}
_WORDS_EN = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "i": 1, "ii": 2, "iii": 3}
_INSTANCE_NOUN_EN = r"(?:round|call|batch|tranche|wave|phase|stage|cohort)"
_INSTANCE_EN = re.compile(
    rf"\b(first|second|third|fourth|fifth|1st|2nd|3rd)[-\s]+{_INSTANCE_NOUN_EN}s?\b"
    rf"|\b{_INSTANCE_NOUN_EN}[-\s]*(\d|one|two|three|four|five|iii|ii|i)\b",
    re.I,
)
# Asked "up to now": what has happened so far, not what is planned.
_SO_FAR_ASKED = re.compile(
    r"\b(?:so far|to date|thus far|until now|up to now|as of now)\b|至今|迄今|到目前为止|截至目前|目前为止",
    re.I,
)
# A sentence speaking of what has happened by now (already, cumulatively, as of).
_SO_FAR_TOLD = re.compile(r"至今|迄今|截至|截止|目前|已|累计|so far|to date|as of|already", re.I)


def _zh_number(text: str) -> int:
    """1-10 in digits or one Chinese numeral (longer runs name no round a question asks about)."""
    if text.isdigit():
        return int(text)
    roman = {"I": 1, "II": 2, "III": 3, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3}
    if text in roman:  # I期临床试验
        return roman[text]
    return "零一二三四五六七八九十".find(text.replace("两", "二")) if len(text) == 1 else 0


def instances(text: str) -> set[int]:
    """The ordinals of a programme's instances a text names: 第二轮 → 2, 首批/一期 → 1, "second
    round"/"phase 2" → 2."""
    out: set[int] = set()
    for num, first, bare, _kind in _INSTANCE_ZH.findall(to_simplified(text)):
        n = 1 if first else _zh_number(num or bare)
        if n:
            out.add(n)
    for ordinal, number in _INSTANCE_EN.findall(text):
        n = _ORDINALS_EN.get(ordinal.lower()) if ordinal else None
        if n is None and number:
            n = int(number) if number.isdigit() else _WORDS_EN.get(number.lower())
        if n:
            out.add(n)
    return out


def instance_problem(asked: str, context: str) -> str | None:
    """A question restricted to one instance of a programme ("the second round", "首批", "the first
    call") is not answered by a sentence whose context (sentence, heading, lead-in) names no such
    instance: it gives the programme in general, or another round. A question asking what has
    happened "so far" (至今) is not answered by a sentence that only states a plan."""
    if not INSTANCE_SCOPE:
        return None
    wanted = instances(asked)
    if wanted and not wanted & instances(context):
        return f"the passages do not give that round or batch ({'/'.join(map(str, sorted(wanted)))})"
    if (
        SO_FAR_SCOPE
        and _SO_FAR_ASKED.search(to_simplified(asked))
        and not _SO_FAR_TOLD.search(to_simplified(context))
    ):
        return "the passages do not say what has happened so far, only what is planned"
    return None


# --- the event a date is asked of -----------------------------------------------------------

# Kinds of event a "when" question asks the date of, each with the words Chinese text writes it
# with: a founding, a signing, taking effect (a publication or launch is written too many ways).
_EVENTS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    (
        "founded",
        re.compile(
            r"成立|设立|创立|创建|组建|创办|挂牌|\b(?:founded|established|set up|created|formed|inaugurated)\b",
            re.I,
        ),
        ("成立", "设立", "创立", "创建", "组建", "创办", "挂牌", "揭牌", "建立", "成立于"),
    ),
    (
        "signed",
        re.compile(r"签署|签订|\bsign(?:ed)?\b", re.I),
        ("签署", "签订", "签约"),
    ),
    (
        "took effect",
        re.compile(r"施行|生效|\b(?:took|take|takes) effect\b|\bc[oa]me into (?:force|effect)\b", re.I),
        ("施行", "生效", "实施", "执行"),
    ),
)


def dated_event(question: str) -> tuple[str, tuple[str, ...]] | None:
    """The event a date question asks about (成立, "founded") and the words that state it, or None
    when the question asks a date of no such event ("When did sales peak?")."""
    text = to_simplified(question)
    if has_cjk(text):
        ask = DATE_ASK_ZH.search(text)  # the event word is right before or after it (哪一年成立, 成立于哪年)
        if not ask:
            return None
        near = text[max(0, ask.start() - 6) : ask.end() + 6]
    else:
        if not re.search(r"\bwhen\b|\bwhat (?:year|date|month)\b|\bwhich (?:year|date|month)\b", text, re.I):
            return None
        near = text
    for name, asked, forms in _EVENTS:
        if asked.search(near):
            return name, forms
    return None


def event_problem(event: tuple[str, tuple[str, ...]] | None, context: str) -> str | None:
    """A date asked of an event (when was it founded) is answered where that event is told (成立,
    设立 …): a date the passage gives for something else (印发, 发布) is not its date."""
    if event is None or not DATED_EVENT:
        return None
    folded = to_simplified(context)
    if any(f in folded for f in event[1]):
        return None
    return f"the passages do not say when it was {event[0]}"


# A numbered item the question names: 第135号提案, "issue No. 86", "Document No. 8".
_NUMBERED_ASKED = re.compile(r"第\s*(\d{2,})\s*[号號期]|\b(?:No\.|number|issue|Document)\s*(\d{2,})\b", re.I)


def numbered_asked(asked: str) -> set[int]:
    """The item numbers a question names (第135号提案 → 135); empty when NUMBERED_ITEM is off."""
    if not NUMBERED_ITEM:
        return set()
    return {int(a or b) for a, b in _NUMBERED_ASKED.findall(normalise_numbers(asked))}


def numbered_problem(wanted: set[int], context: str) -> str | None:
    """A question about a numbered item (第135号提案, issue No. 86) is not answered by a passage that
    never writes that number: it is about another item (第134号) or none (总第086期 writes 86)."""
    if not wanted:
        return None
    written = {int(n) for n in re.findall(r"\d+", normalise_numbers(context))}
    missing = sorted(wanted - written)
    return f"the passages do not give No. {', '.join(map(str, missing))}" if missing else None


NUMBERED_ITEM = True  # a numbered item asked (第135号提案) must be written by the passage
DATED_EVENT = True  # a "when was it founded/signed/in force" question needs that event told
INSTANCE_SCOPE = True  # an ordinal instance asked (第二轮, "first call") must be named by the quote's context
SO_FAR_SCOPE = True  # "so far"/至今 needs a sentence that reports what has happened


# --- a question's own scope ---------------------------------------------------------------------


# A sentence's explicit scope: the world, or the country the corpus is written from.
_WORLD_ZH = re.compile(r"全球|全世界|世界(?!级|一流|先进|领先|前列|水平|贸易组织|卫生组织|银行|经济论坛)")
_HOME_ZH = re.compile(r"中国|我国|国内|全国")
_WORLD_EN = re.compile(r"\b(?:global(?:ly)?|world(?:wide)?|worldwide|international)\b", re.I)
_HOME_EN = re.compile(r"\b(?:china(?:'s)?|chinese|domestic)\b", re.I)


def asked_scope(question: Question) -> str | None:
    """ "world" or "home" (China) when the question names exactly one of the two scopes."""
    text = to_simplified(question.text)
    world = bool((_WORLD_EN if question.language == "en" else _WORLD_ZH).search(text))
    home = bool((_HOME_EN if question.language == "en" else _HOME_ZH).search(text))
    if world == home:
        return None
    return "world" if world else "home"


def clause_scopes(
    clauses: Sequence[str],
    stating: Sequence[bool],
    scoped: Callable[[str], bool],
    opened: bool = False,
    subset_carries: bool = False,
) -> list[bool]:
    """Whether each clause is in a scope: named in the clause itself or, when the clause names no
    scope of its own, carried from the figure clause just before it that does ("2018年全球卫星行业的
    卫星制造端收入为196亿美元，卫星发射服务收入为62亿美元": the second figure is global too), or from
    the sentence's subject when it ``opened`` with that scope ("全球3D打印行业发展迅速，从2014年41亿
    美元…发展到2018年的97亿美元"). Another clause stating no figure carries nothing ("其他有志于加快
    全球创新步伐的国家…，并就此提出了5个方面政策建议" speaks of the world in passing). A 其中 clause
    is a part of the figure before it: that part may be another owner's (全球…58家，其中，日企最多), so it
    carries nothing unless ``subset_carries`` (a part of the US's figure is not the world's either)."""
    out, carried = [], opened
    for clause, states in zip(clauses, stating, strict=True):
        own = scoped(clause)
        if _SUBSET_ZH.match(clause.strip()) and not subset_carries:
            carried = False
        out.append(own or (carried and not _names_scope(clause)))
        carried = out[-1] if states else carried and (own or not _names_scope(clause))
    return out


_SUBSET_ZH = re.compile(r"其中|當中|当中")


def _names_scope(clause: str) -> bool:
    """The clause names some scope (the world, China, or a place): it carries no earlier one."""
    folded = to_simplified(clause)
    return bool(_WORLD_ZH.search(folded) or _HOME_ZH.search(folded) or _places_of(folded))


def scope_conflict(question: Question, sentence: str) -> str | None:
    """A figure asked for China ("到2030年中国…缺口") is not answered by a clause stating the world's
    ("全球医护人员的缺口将达到900万"), nor a global figure by China's: each clause giving a new figure
    names the other scope itself, or continues a figure clause that does, and the sentence never
    names the asked one."""
    scope = asked_scope(question) if question.wants_figure else None
    if scope is None:
        return place_scope_conflict(question, sentence) if question.wants_figure else None
    folded = to_simplified(sentence)
    own, other = (_WORLD_ZH, _HOME_ZH) if scope == "world" else (_HOME_ZH, _WORLD_ZH)
    if own.search(folded):
        return None
    asked = to_simplified(question.text)  # a place the question names is not another's
    # The clause stating the figure itself (or the clause it continues), not any clause before it:
    # "有志于加快全球创新步伐的国家…提出了5个方面政策建议" speaks of the world in passing;
    # "全球医护人员的缺口将达到900万" owns it.
    # Asked for the world, a clause naming a place gives that place's figure ("2018年，中国人工智能行业
    # 投资额达到156亿美元，美国达到160亿美元"), not the world's.

    # Asked for China, a clause naming a province, a city or another country gives its figure
    # ("北京市拥有超过100个国家重点实验室"), not the nation's.
    def names_other(clause: str) -> bool:
        return bool(other.search(clause)) or any(p not in asked for p in _places_of(clause))

    clauses = _CLAUSE.split(folded)
    stating = [bool(new_figures(question, c)) for c in clauses]
    if not any(stating):
        return None
    inherited = clause_scopes(
        clauses, stating, names_other, opens_with(_lead(folded), other), subset_carries=scope == "world"
    )
    if all(inherited[i] for i, s in enumerate(stating) if s):
        figure = [c for c, s in zip(clauses, stating, strict=True) if s]
        places = [p for c in figure if not other.search(c) for p in _places_of(c) if p not in asked]
        named = "China's" if scope == "world" else "the global"
        if places:
            named = f"{'、'.join(dict.fromkeys(places))}'s"
        wanted = "the global one" if scope == "world" else "China's"
        return f"the documents give {named} figure, not {wanted}"
    return None


def place_scope_conflict(question: Question, sentence: str) -> str | None:
    """A figure asked for one place (以色列, "Shenzhen") is not answered by a sentence that never
    names it and whose figure clauses state the nation's or the world's ("我国基础研究经费中政府投入
    占90%以上"), each named in the clause, carried from the figure clause before, or opening the
    sentence as its subject."""
    text = to_simplified(question.text)
    home, world = (_HOME_EN, _WORLD_EN) if question.language == "en" else (_HOME_ZH, _WORLD_ZH)
    if home.search(text) or world.search(text):
        return None  # "China's share of the world's capacity, per the US review": the US is a source
    places = [
        forms
        for forms, kind in asked_subjects(question)
        if kind == "place" and not any(f in NOT_PLACES for f in forms)
    ]
    folded = to_simplified(sentence)
    lowered = folded.lower()
    if not places or any(f.lower() in lowered for forms in places for f in forms):
        return None
    clauses = _CLAUSE.split(folded)
    stating = [bool(new_figures(question, c)) for c in clauses]
    if not any(stating):
        return None

    def national(clause: str) -> bool:
        return bool(_HOME_ZH.search(clause) or _WORLD_ZH.search(clause))

    inherited = clause_scopes(clauses, stating, national, opens_with(_lead(folded), _NATIONAL_ZH))
    if not all(inherited[i] for i, s in enumerate(stating) if s):
        return None
    whose = (
        "the global"
        if all(_WORLD_ZH.search(c) for c, s in zip(clauses, stating, strict=True) if s)
        else "China's"
    )
    return f"the documents give {whose} figure, not {places[0][0]}'s"


_NATIONAL_ZH = re.compile(f"{_WORLD_ZH.pattern}|{_HOME_ZH.pattern}")


# What a sentence may say before its subject: a time ("近年来", "2018年底", "截至2020年") or a
# source ("据统计", "数据显示").
_BEFORE_SUBJECT_ZH = re.compile(
    r"^(?:近年来|近几年|近些年|目前|当前|如今|现阶段|截至[^，,]{0,12}?年(?:底|末)?|"
    r"\d{4}\s*年(?:底|末|初|以来)?|据[^，,]{0,10}?(?:统计|显示|数据)|[^，,]{0,10}?数据显示)\s*"
)


def opens_with(clause: str, scope: re.Pattern[str]) -> bool:
    """The clause's subject is the scope: the clause begins with it, after a time or a source."""
    return scope.match(_BEFORE_SUBJECT_ZH.sub("", clause.strip(), count=1)) is not None


def _places_of(text: str) -> list[str]:
    """The places a clause names (美国, 以色列, 广东): each owns a figure that is not the world's."""
    return [w for w, k in _tagged_names(text).items() if k == "place" and w not in NOT_PLACES]


# --- what a count counts ------------------------------------------------------------------------

# "多少项半导体专利", "几家企业": the words after the measure word, up to where the question goes on.
_COUNTED_NOUN_ZH = re.compile(
    r"(?:多少|几|幾)\s*(?:个|個|项|項|家|名|位|所|条|條|篇|件|座|颗|顆|台|款|种|種|类|類|批|支)\s*"
    r"([\u4e00-\u9fff]{2,10}?)(?=[？?，,。；;]|$|呢|吗|嗎|是|获|獲|被|在|将|將|会|會|能|可|参与|參與)"
)


def counted_head_zh(question: str) -> str:
    """The head noun of what a Chinese count question counts (多少项半导体专利 → 专利): jieba's last
    noun (or fixed phrase, 发明专利 is jieba ``l``) of the phrase after the measure word, two
    characters or more."""
    import jieba.posseg as pseg

    m = _COUNTED_NOUN_ZH.search(to_simplified(question))
    if not m:
        return ""
    nouns = [w for w, f in pseg.cut(m.group(1)) if (f[:1] == "n" or f in ("vn", "l")) and len(w) >= 2]
    return nouns[-1] if nouns else ""


def counted_forms_zh(question: str) -> tuple[str, ...]:
    """The head noun a Chinese count question counts, its CC-CEDICT synonyms, and a compound's own
    head (发明专利 → 专利: Chinese compounds end in what they are)."""
    from rag.answer.question import with_synonyms

    head = counted_head_zh(question)
    forms = with_synonyms(head)
    return (*forms, head[-2:]) if len(head) >= 4 else forms


def counted_problem(forms: Sequence[str], context: str, *, loose: bool = False) -> str | None:
    """A count is answered where what it counts is named (the sentence, its heading, its lead-in, the
    sentence before): 30多项提案 does not count 专利. ``loose``: a word with a form's first and last
    character around one or two others names it too (试点区 for 试验区): the forms come from a
    glossary that cannot list every document's wording."""
    if not forms or not COUNTED_NOUN:
        return None
    folded = to_simplified(context).lower()
    if any(f in folded for f in forms):
        return None
    if loose and any(
        re.search(re.escape(f[0]) + r"[\u4e00-\u9fff]{1,2}" + re.escape(f[-1]), folded)
        for f in forms
        if len(f) >= 3
    ):
        return None
    return f"the passages do not count {forms[0]}"


COUNTED_NOUN = True  # what a count question counts must be named where the count is given


# --- what an amount is for ----------------------------------------------------------------------

# The recipient of an amount a Chinese question asks about: 预算给聚变能科学研究拨了多少, 6G单独分到
# 多少, 有多少是专门给铀矿评估的, 用于人才引进的经费有多少.
_RECIPIENT_ZH = (
    re.compile(r"给([^，,。？?、]{2,16}?)(?:拨|安排|投入|提供|划拨|分配|投了|投)"),
    re.compile(r"([A-Za-z0-9\u4e00-\u9fff]{2,12}?)\s*(?:单独|单独地|一共|总共)?分到(?:了)?(?:多少|几)"),
    re.compile(
        r"多少(?:是|钱|资金|经费)?(?:专门)?(?:给|用于|用在|投向|流向)([^，,。？?、]{2,16}?)的?\s*(?:[？?]|$)"
    ),
    re.compile(r"(?:用于|用在|投向)([^，,。？?、]{2,16}?)的(?:经费|资金|预算|投资|金额|拨款|款项)"),
)
# Words of a recipient that say what kind of spending, not on what: any passage has them.
_RECIPIENT_GENERIC = frozenset(
    "研究 项目 工作 方面 领域 发展 建设 技术 科学 经费 资金 预算 专门 单独 相关 部分 这项 这个 其中 计划 专项 "
    "重大 重点 主要 关键 核心 国家 预备 准备 用于 中心 方面".split()
)


def recipient_forms_zh(question: str) -> tuple[str, ...]:
    """The words naming what a Chinese amount question asks the money for (聚变, 6G, 铀矿 …); any one
    of them named near the figure will do. () when the question names no recipient. No dictionary
    synonyms: CC-CEDICT's are too loose (重大 → 大帝) for a rule any one word satisfies."""
    import jieba

    folded = to_simplified(question)
    for pattern in _RECIPIENT_ZH:
        m = pattern.search(folded)
        if m:
            words = (w.strip() for w in jieba.lcut(m.group(1)))
            return tuple(
                dict.fromkeys(
                    w for w in words if (len(w) >= 2 or w.isascii() and w) and w not in _RECIPIENT_GENERIC
                )
            )
    return ()


def recipient_problem(forms: Sequence[str], context: str) -> str | None:
    """An amount asked for one purpose is answered where that purpose is named (the sentence, its
    heading, the sentence before): the programme's total (五年投资7亿欧元) is not 6G's share."""
    if not forms or not AMOUNT_RECIPIENT:
        return None
    folded = to_simplified(context).lower()
    if any(f.lower() in folded for f in forms):
        return None
    return f"the passages do not give the amount for {forms[0]}"


AMOUNT_RECIPIENT = True  # what an amount question asks the money for must be named where it is given


# A body's name as the corpus writes it (能源部, 国家科学基金会, 贸易代表办公室).
_BODY_FORM = re.compile(r"(?:部|局|署|委员会|委|基金会|办公室|理事会)$")


def body_forms(entities: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The entities an English question names that are bodies in the corpus's Chinese (Department of
    Energy → 能源部): each with its written forms."""
    return [
        forms
        for forms in entities
        if any(_BODY_FORM.search(f) for f in forms if re.search(r"[\u4e00-\u9fff]", f))
    ]


def body_near_problem(bodies: Sequence[tuple[str, ...]], context: str) -> str | None:
    """A figure asked of a body is given where the body is named (the sentence, its heading, its
    lead-in, the sentence before): a table row of another report in a passage that names the body
    elsewhere gives another body's figure."""
    if not BODY_NEAR_FIGURE:
        return None
    folded = to_simplified(context).lower()
    for forms in bodies:
        if not any(f.lower() in folded for f in forms):
            return f"the passages give no figure next to {forms[0]}"
    return None


BODY_NEAR_FIGURE = True  # an English question's body must be named where its figure is given
