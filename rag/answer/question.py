"""What a question asks for: the slot it wants filled and the constraints the answer must keep.

A sentence that shares many words with a question need not answer it: "参议院以68票通过" shares
the bill and the vote with a question about the House vote, "澳大利亚发布人工智能行动计划" shares
the plan with "which city hosts its AI centre". So the question is analysed first, without a
model: the **slot** (an amount, a count, a percentage, a date, a place, an organisation, a
person, a list, a reason, a definition, yes/no, a comparison, or a plain fact) and the
**constraints** (years, 《titles》, chambers and other bodies, places, a count of items asked
for). ``rag.answer.answerability`` then tests retrieved sentences against them.

Also here: splitting a multi-part question into its parts, and rewriting a follow-up into a
standalone question that carries the previous turn's topic (used when no LLM condenses it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.answer.citations.figures import arabic_numerals, asked_years, span_years
from rag.text import detect_language, has_cjk, keyword_tokens, place_names, to_simplified

# Slots whose type an answering sentence must state (a figure for an amount, a place for "where" …).
TYPED_SLOTS = (
    "amount",
    "count",
    "percentage",
    "date",
    "place",
    "organisation",
    "person",
    "rank",
)
SLOTS = (
    *TYPED_SLOTS,
    "duration",
    "list",
    "reason",
    "definition",
    "yes-no",
    "comparison",
    "fact",
)

_RANK_ZH = re.compile(
    r"(?:排|位列|位居|居|列)(?:名|在)?(?:全[国球]|世界|全世界|国内|全国城市)?(?:的)?第[几幾]"
    r"|第[几幾](?:位|名)|名次|排名(?:是|为)?(?:多少|如何|怎样|怎么样)"
)
# "Where does Foshan rank", "how did that rank globally", "what position": not "which city ranked first".
_RANK_EN = re.compile(
    r"\b(?:where|how)\b[^?]{0,120}?\brank(?:s|ed)?\b|\bwhat (?:rank|ranking|position)\b", re.I
)

# Order matters: the first matching slot wins ("多少个城市" is a count, not an amount). A question
# word for a date beats a noun that names a measure: "份额在哪一年超过八成" asks for a year; a kind
# of organisation beats a bare "where": "在哪个机构设立" asks for an organisation.
# How a Chinese question asks for a date (also where ``answerability.dated_event`` looks for the event).
DATE_ASK_ZH = re.compile(r"何时|什么时候|哪一年|哪年|何年|几月|哪天|哪一天|日期|什么时间|哪个时间|截至何时")
_ZH_SLOTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reason", re.compile(r"为什么|为何|原因|何以|出于什么|目的是什么|什么目的")),
    # A position in a ranking ("排第几", "第几位", "名次"): 位 here is not a counter of people, and 第几次会议
    # (which meeting) is not a rank.
    ("rank", _RANK_ZH),
    ("date", DATE_ASK_ZH),
    (
        "percentage",
        re.compile(
            r"百分之几|百分比|比例|比重|占比|份额|增长率|增速|增幅|多少%|渗透率|自给率|几成"
            # "减速机占本体成本多少": a part's share of a whole (not 占地多少亩, 占多少家)
            r"|(?<![抢独霸])占(?![地用领据有])[^，,。；;？?]{1,12}?(?:的)?(?:多少|多大)(?![\u4e00-\u9fff])"
        ),
    ),
    # A length of time (多长, 多久, 为期多…): 5年期 and 每三年 answer it, which the
    # amount slot would refuse for being small; a length in kilometres stays an amount.
    ("duration", re.compile(r"多久|(?<!全)多长(?![^？?]*(?:公里|千米|米|距离))|为期多")),
    (
        "count",
        re.compile(
            # "那几项KPI" points at items already named (a demonstrative), it does not ask how many
            r"(?:多少|(?<![哪那这])几)(?:个|项|家|名|人|所|条|种|类|款|批|位|座|次|部|件|篇|国|城|方面|大|支|份)"
            # a length of time counted in years ("要再过多少年"), not 多少年轻人 or a year named
            r"|多少年(?![轻代份龄度])"
        ),
    ),
    (
        "organisation",
        re.compile(
            r"哪个部门|哪些部门|哪家|哪个机构|哪些机构|什么机构|哪所|哪个单位|哪些单位|哪个组织|由谁|哪些企业|哪个企业|哪间|哪些公司|哪个公司|哪些大学|哪所大学|谁发布|谁牵头|谁负责"
        ),
    ),
    (
        "place",
        re.compile(
            r"哪个城市|哪座城市|哪些城市|哪里|哪儿|何地|何处|什么地方|哪个省|哪个地区|哪个国家|哪国|在哪(?![个些][\u4e00-\u9fff])"
            r"|哪些地区|哪些国家|哪些省|哪个[市县区镇]|哪座[城市镇]|什么城市|哪个地方"
        ),
    ),
    ("person", re.compile(r"谁|何人|哪位")),
    ("amount", re.compile(r"多少|多大|多高|几何|金额|规模|总额")),
    ("comparison", re.compile(r"哪个更|更高|更多|更大|更快|相比|相较|比较|差距|高于|低于|超过")),
    (
        "list",
        re.compile(
            r"哪些|哪几|哪[一二两三四五六七八九十\d]+(?:个|项|类|种|大|方面)|包括什么|包含什么|有什么"
        ),
    ),
    ("yes-no", re.compile(r"是否|有没有|有无|能否|可否|吗\s*[？?]?\s*$")),
    ("definition", re.compile(r"什么是|是指什么|指的是什么|是什么意思|如何定义|定义是|含义")),
)
_EN_SLOTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reason", re.compile(r"\bwhy\b|\breasons?\b|\bwhat (?:motivat|drove|drives|caused)", re.I)),
    ("rank", _RANK_EN),
    # A question word for a date beats a measure noun ("in which year did its share pass 80%?").
    ("date", re.compile(r"\b(?:what|which) (?:year|date|month)\b|\bby what date\b", re.I)),
    (
        "percentage",
        re.compile(
            r"\bwhat (?:share|percentage|proportion|fraction|rate)\b|\bpercent"
            r"|\bwhat (?:[\w-]+ ){1,3}(?:share|percentage|proportion|rate)\b|\b(?:share|proportion|percentage) of\b",
            re.I,
        ),
    ),
    # "How many years did it take": a length of time (46年), not a count of things.
    ("duration", re.compile(r"\bhow many (?:more )?(?:years|months|weeks|days)\b", re.I)),
    ("count", re.compile(r"\bhow many\b|\bwhat (?:is|was) the number of\b|\bnumber of\b", re.I)),
    (
        "date",
        re.compile(
            r"\bwhen\b|\bwhat (?:year|date|month)\b|\bwhich (?:year|date|month)\b|\bby what date\b", re.I
        ),
    ),
    (
        "place",
        re.compile(
            r"\bwhere\b|\b(?:which|what) (?:towns?|city|cities|countr(?:y|ies)|provinces?|regions?|states?|"
            r"districts?|locations?|sites?)\b",
            re.I,
        ),
    ),
    (
        "organisation",
        re.compile(
            r"\bwhich (?:department|agency|agencies|organi[sz]ation|organi[sz]ations|universit(?:y|ies)|"
            r"compan(?:y|ies)|institution|institutions|ministry|ministries|body|bodies|office|firm|firms|"
            r"body|bureau|authority)\b|\bwho (?:issued|released|published|leads?|led|runs?|hosts?)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"\bwho\b|\bwhom\b", re.I)),
    # "How long did it take": a length of time (3个月), which the amount slot would refuse for being
    # small; a length in kilometres stays an amount.
    (
        "duration",
        re.compile(
            r"\bhow long\b(?![^?]*\b(?:km|kilomet\w*|miles?|metres?|meters?|distance)\b)|\bfor how long\b"
            r"|\bover what (?:period|time ?frame)\b",
            re.I,
        ),
    ),
    (
        "amount",
        re.compile(
            r"\bhow (?:much|large|big|high|fast|long)\b|\bwhat (?:amount|total|size|scale|value|budget|sum)\b"
            r"|\bwhat (?:was|is|were|are|will|would) [^?]*\b(?:output|budget|spending|revenue|sales|investment|funding)s?\b"
            r"|\bwhat (?:was|is|were|are|will|would) [^?]*\bworth\b|\bvalued at\b",
            re.I,
        ),
    ),
    (
        "comparison",
        re.compile(r"\bcompared?\b|\bhigher\b|\blower\b|\bmore than\b|\bless than\b|\bversus\b|\bvs\b", re.I),
    ),
    ("list", re.compile(r"\bwhich\b|\bwhat are\b|\bwhat were\b|\blist\b|\bname the\b", re.I)),
    (
        "yes-no",
        re.compile(r"^(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b", re.I),
    ),
    ("definition", re.compile(r"\bwhat (?:is|are|does) (?:meant by|the definition)|\bdefin", re.I)),
)

# Bodies that a question can name to mean one of a pair: the Senate's vote does not answer a
# question about the House's. Each group lists one body in several spellings (t2s-folded).
BODY_GROUPS: tuple[tuple[str, ...], ...] = (
    ("众议院", "house of representatives", "the house", "house vote", "house passed"),
    ("参议院", "senate"),
    ("上议院", "house of lords"),
    ("下议院", "house of commons"),
    ("国务院", "state council"),
    ("全国人大", "人大", "npc", "national people's congress"),
    ("政协", "cppcc"),
    ("欧盟委员会", "european commission"),
    ("欧洲议会", "european parliament"),
)

_TITLE = re.compile(r"《([^》]+)》")
# A name the question quotes (「青年發展藍圖」, “华转网”): the passage must name it as written.
_QUOTED_ZH = re.compile(r"「([^」]{2,24})」|“([^”]{2,24})”|『([^』]{2,24})』")
# A clause of a law: 第三十条 / Article 30 / Section 5 must be the one the passage gives.
# 项 is a law's item after its clause (第三条第二项) or standing alone; before a noun it counts a
# list (第六项策略).
_CLAUSE_ZH = re.compile(
    r"第([一二两三四五六七八九十百零〇\d]+)([条款章节]|项(?![\u4e00-\u9fff])"
    r"|(?<=[条款]第[一二三四五六七八九十\d])项|(?<=[条款]第[一二三四五六七八九十\d]{2})项)"
)
_CLAUSE_EN = re.compile(r"\b(article|section|clause|chapter)\s+(\d+)\b", re.I)
_CLAUSE_EN_ZH = {"article": "条", "section": "条", "clause": "款", "chapter": "章"}
# A year asked as the start or end of a range ("post-2008", "2015年以来") is not a year the
# answer must be about.
_RANGE_YEAR = re.compile(
    r"(?:\b(?:post|pre|after|since|before|from)[-\s]+(?:the\s+)?((?:19|20)\d{2})\b)"
    r"|((?:19|20)\d{2})\s*年?\s*(?:以来|以後|以后|之后|之後|以前|之前|后|後|前"
    # … or the year's event before the bound: 2008年金融海嘯之後, "after the 2008 financial crisis"
    r"|[\u4e00-\u9fff]{2,6}?(?:以来|以來|以後|以后|之后|之後|以前|之前))",
    re.I,
)
# A year asked at its end ("截至2020年底", "by the end of 2020"): a mid-year figure does not answer.
_YEAR_END = re.compile(
    r"((?:19|20)\d{2})\s*年\s*(?:底|末|年底|年末|全年)|\bend of\s+((?:19|20)\d{2})\b", re.I
)
_QUOTED_EN = re.compile(
    r"\b((?:[A-Z][\w&'-]*\s+)(?:(?:and|of|for|the|on|in|to)\s+|[A-Z0-9][\w&'-]*\s+)*"
    r"(?:Act|Plan|Strategy|Programme|Program|Blueprint|Law|Initiative|Report|Roadmap|White Paper))\b"
)
_COUNT_ASKED = re.compile(r"哪([一二两三四五六七八九十\d]+)(?:个|项|类|种|大|方面|座|家|所)")
# "哪四个发展方向" / "哪些措施": the noun naming the items asked (its last two characters, the head)
_LIST_NOUN = re.compile(
    r"哪(?:[一二两三四五六七八九十\d]+|几|些)(?:个|项|类|种|大|方面|座|家|所|条|点)?"
    r"([\u4e00-\u9fff]{2,8}?)(?=[？?，,。；;、]|$|是|呢|有|分别|包括|要)"
)
# "发展方向有哪些" / "重点任务包括哪几项": the noun before the asking word
_LIST_NOUN_BEFORE = re.compile(
    r"([\u4e00-\u9fff]{2,8}?)(?:有|是|包括|包含)哪(?:些|几|[一二两三四五六七八九十\d]+)"
)
_EN_COUNT_ASKED = re.compile(
    r"\b(?:which|what)(?: are| were)?(?: the)?\s+(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+[a-z]",
    re.I,
)
_EN_NUMBERS = dict(zip("two three four five six seven eight nine ten".split(), range(2, 11), strict=True))


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    slot: str
    years: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()  # 《》 contents or English titles (… Act, … Plan)
    bodies: tuple[str, ...] = ()  # canonical (first) spelling of each body group named
    places: frozenset[str] = field(default_factory=frozenset)  # zh place names (t2s)
    items: int = 0  # "哪四个方向" → 4: a list of that many items is asked for
    list_noun: str = ""  # "哪四个发展方向" → 方向: what the listed items are (zh, t2s-folded head noun)
    units: tuple[str, ...] = ()  # what the figure must measure: money, distance, people
    # Names the passage must mention (t2s-folded, lower case), each with its alternatives: an
    # English place name maps through CC-CEDICT (Singapore → 新加坡).
    entities: tuple[tuple[str, ...], ...] = ()
    names: tuple[str, ...] = ()  # quoted names (「」/“”), t2s-folded: the passage must name them
    clauses: tuple[str, ...] = ()  # "第30条": the clause of a law asked about
    year_end: tuple[str, ...] = ()  # years asked at their end (截至2020年底)
    # The noun naming what is asked ("京张高铁全长多少公里" → 全长, "基金的出资人是谁" → 出资人),
    # t2s-folded, then its CC-CEDICT synonyms (水准 → 水平): a passage naming none of them does
    # not give that attribute (zh questions only).
    attribute: tuple[str, ...] = ()

    @property
    def wants_figure(self) -> bool:
        return self.slot in ("amount", "count", "percentage")


_UNIT_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "money",
        re.compile(
            r"资金|经费|预算|投资|投入|拨款|金额|资助|多少钱|融资|补贴|奖励|销售收入|销售额|营收|产值|市值|"
            r"造价|耗资|成本|花费|估值|"
            r"\b(?:budget|funding|fund|funds|capital|invest\w*|allocat\w*|spend\w*|money|cost|revenue|sales|grant\w*|"
            r"worth|valuation|valued|"
            r"authori[sz]\w*|financ\w*)\b",
            re.I,
        ),
    ),
    ("distance", re.compile(r"公里|千米|里程|全长|\bkilomet\w*|\bkm\b", re.I)),
    (
        "people",
        re.compile(
            r"多少(?:名|位|人)|(?<!第)几(?:名|位)|\bhow many (?:people|researchers|experts|staff|members|students|persons)\b",
            re.I,
        ),
    ),
)
# Acronyms too common to tell documents apart (the passages spell them out in Chinese).
# Acronyms too common to tell documents apart (the passages spell them out in Chinese).
COMMON_ACRONYMS = frozenset(
    "AI US USA EU UK GDP R&D RD IT ICT 5G 6G HK HKSAR PRC CPC S&T ST STEM IP IOT IoT CEO PhD".lower().split()
)


def asked_units(question: str) -> tuple[str, ...]:
    text = to_simplified(question)
    return tuple(name for name, pat in _UNIT_ASKED if pat.search(text))


def named_entities(question: str, language: str) -> tuple[tuple[str, ...], ...]:
    """Names a passage must mention to be about what is asked: in an English question, the
    capitalised words that CC-CEDICT translates to a place name (Singapore → 新加坡, India → 印度)."""
    from rag.answer.names import identifiers

    # A bill or order number (S.1260, 14017) is written the same in every language and names one
    # document: a passage about S.1260 does not answer a question about S.1261.
    own = [(i.lower(),) for i in identifiers(question)]
    if language != "en":
        # Chinese names are not required verbatim: organisations and people are abbreviated in
        # running text (广东省科技厅 / 广东省科学技术厅, 广东省 / 全省), which refused good answers on
        # both gold sets; places are handled by the other-place rule instead.
        return tuple(own)
    out = own
    # A capitalised word alone, not inside a multi-word or hyphenated name: "Xi Jinping" is a
    # person, not 锦屏; "Guangdong-Hong Kong-Macao" is written 粤港澳. Acronyms (CPPCC, SASAC,
    # ITIF) are not required: the passages often spell them differently (measured worse on dev/test).
    for word in _standalone_capitalised(question):
        places = english_place(word.removesuffix("'s").lower())
        if places:
            out.append(places)
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1024)
def places_named_en(question: str) -> frozenset[str]:
    """The Chinese forms of every place an English question names, acronyms included (the UK →
    英国): a place the question already names does not answer "where" ("In which city will the
    UK's new centre be based?" is not answered by a sentence naming only 英国)."""
    words = {w.removesuffix("'s") for w in re.findall(r"[A-Za-z][\w'.&]*", question.replace("’", "'"))}
    out: set[str] = set()
    for word in words:
        if not word[0].isupper():
            continue  # a name is capitalised: "build" is no place, "city" names none
        low = word.lower().rstrip(".")
        out.update(english_place(low))
        if low in COMMON_ACRONYMS and word.isupper():
            out.update(zh for e in _glossary().lookup([low], word) for zh in e.chinese if place_names(zh))
    return frozenset(out)


# A dash joining the words of one compound name: "Guangdong-Hong Kong-Macao", "Beijing–Tianjin–Hebei"
# (an en or em dash, as edited English writes a compound of names, is a hyphen here).
_NAME_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})


def _standalone_capitalised(text: str) -> list[str]:
    text = text.translate(_NAME_DASHES)  # same length: the offsets below stay valid
    tokens = list(re.finditer(r"[A-Za-z][\w']*", text))
    out = []
    for i, m in enumerate(tokens):
        word = m.group(0)
        if i == 0 or not (word[0].isupper() and word[1:2].islower()):
            continue
        prev, nxt = tokens[i - 1], tokens[i + 1] if i + 1 < len(tokens) else None
        joined_prev = prev.group(0)[0].isupper() and text[prev.end() : m.start()] in (" ", "-")
        joined_next = (
            nxt is not None
            and not word.endswith("'s")
            and (
                text[m.end() : nxt.start()] == "-"
                or (nxt.group(0)[0].isupper() and text[m.end() : nxt.start()] == " ")
            )
        )
        if i - 1 == 0 or text[prev.end() : m.start()] == "-":
            # The first word is capitalised anyway; "post-Moore" names an era, not a place.
            joined_prev = text[prev.end() : m.start()] == "-"
        if not joined_prev and not joined_next:
            out.append(word)
    return out


@lru_cache(maxsize=1)
def _dictionary() -> dict:
    from rag.retrieve.crosslingual import load_inverted

    return load_inverted()


@lru_cache(maxsize=4096)
def _best_translations(key: str) -> tuple[str, ...]:
    """CC-CEDICT's best translations of an English word or acronym (the exact glosses only: the
    inverted dictionary also lists every entry whose gloss merely contains the word)."""
    entries = _dictionary().get(key) or {}
    if not entries:
        return ()
    top = max(entries.values())
    return tuple(zh for zh, score in entries.items() if score >= 0.99 * top)


@lru_cache(maxsize=4096)
def english_place(word: str) -> tuple[str, ...]:
    """The Chinese place names CC-CEDICT gives for an English word ("lanzhou" → 兰州), or ()."""
    # The whole translation must be a place: "Moore" → 摩尔定律 is a law, not 摩尔 the place.
    names = [zh for zh in _best_translations(word) if len(zh) >= 2 and zh in place_names(zh)]
    # 上海市 is also written 上海: the bare name is the alternative the passages use most.
    bare = [zh[:-1] for zh in names if len(zh) >= 3 and zh[-1] in "市省县州"]
    # "America" in a question about policy is the United States more often than the continent.
    usa = ["美国"] if word == "america" else []
    # The reviewed glossary's forms of the same word are alternatives, never a new constraint:
    # "Pentagon" is 五角大楼 to CC-CEDICT, but the passages say 国防部.
    aliases = [zh for e in _glossary().lookup([word]) for zh in e.chinese] if names else []
    return tuple(dict.fromkeys(usa + names + bare + aliases))


@lru_cache(maxsize=1)
def _glossary():
    from rag.retrieve.glossary import load_glossary

    return load_glossary()


_GENERIC = frozenset(
    {
        "中国",
        "我国",
        "全国",
        "国内",
        "内地",
        "外国",
        "国外",
        "城市",
        "全球",
        "世界",
        "国家",
        "东西",
        "南北",
        "中外",
    }
)


def detect_slot(question: str, language: str | None = None) -> str:
    lang = language or detect_language(question)
    patterns = _ZH_SLOTS if lang == "zh" else _EN_SLOTS
    text = to_simplified(question) if lang == "zh" else _without_conjunction_when(question)
    if lang == "zh" and asks_identifier(text):
        return "fact"  # "文号是多少": an identifier (国科发区〔2020〕187 号), not a quantity
    for slot, pat in patterns:
        if pat.search(text):
            if slot == "percentage" and lang == "zh" and _asks_which_not_measure(text):
                continue  # "中国在哪个产业的全球份额仍然很低": the share describes the industry asked for
            if slot == "place" and lang == "zh" and _where_of_abstract(text):
                return "reason"  # "症结在哪里", "卡在哪里": the slot is a cause, not a location
            if slot == "place" and lang == "en" and _WHERE_FIGURATIVE_EN.search(text):
                return "fact"  # "Where does the plan place NEVs among its priorities?": a standing
            if slot == "count" and lang == "zh" and _SINCE_START.search(text):
                return "duration"  # "中关村发展到现在有多少年了": a length of time (经过32年的发展)
            return slot
    return "fact"


# "哪个产业", "哪些国家": an ask for something of a kind (not 哪一年, a date); a question asking that
# way names a measure (份额, 比重) to say which one it means, not to ask for the measure.
_WHICH_KIND = re.compile(r"哪[个些一几家所座位类种]?(?<![年天月])(?![年天月里儿])[\u4e00-\u9fff]")
_MEASURE_ASKED = re.compile(r"多少|多大|多高|多低|几成|百分之几|几何|怎样|如何|怎么样|是什么水平")


def _asks_which_not_measure(folded: str) -> bool:
    return _WHICH_KIND.search(folded) is not None and _MEASURE_ASKED.search(folded) is None


_WHEN = re.compile(r"\bwhen\b", re.I)
_CLAUSE_START_EN = re.compile(r"[,;]|\band\b", re.I)
_WH_START_EN = re.compile(r"\s*(?:what|which|how|who|whom|whose|where|why)\b", re.I)


# A document's number asked with 多少 (文号是多少, 编号是什么).
_IDENTIFIER_ASKED_ZH = re.compile(r"(?:文号|字号|编号)\s*(?:是|为)?\s*(?:多少|几号|什么)")


def asks_identifier(question: str) -> bool:
    """The question asks a document's number (文号是多少), which 多少 does not make a quantity."""
    return bool(_IDENTIFIER_ASKED_ZH.search(to_simplified(question)))


# "Where does X place / put / stand / fit …": a standing among others, not a location.
_WHERE_FIGURATIVE_EN = re.compile(
    r"\bwhere (?:do|does|did|will|would|should)\b[^?]{0,80}?\b(?:place[sd]?|put|puts|stand|stands|fit|fits)\b",
    re.I,
)


def _without_conjunction_when(question: str) -> str:
    """The question with a "when" that joins a clause to another question word's clause taken out:
    "What talent philosophy does Guangdong follow when it recruits…" asks what, not when; "…, and
    when did Washington launch…" still asks a date."""
    out = question
    for m in reversed(list(_WHEN.finditer(question))):
        clause = _CLAUSE_START_EN.split(question[: m.start()])[-1]
        if _WH_START_EN.match(clause):
            out = out[: m.start()] + "as" + out[m.end() :]
    return out


# "X在哪里？" closing a clause, X a common noun (not a name, a place word or a pronoun): 症结/差距/难点
# 在哪里 asks what the crux is. A verb after the ask ("在哪里举办") or fused with 在 (jieba's 设在,
# 位于) asks a location; so does a noun for a site (总部, 基地, 园区).
_WHERE_CLOSES = re.compile(r"在(?:哪里|哪儿|哪裡|哪兒|哪)(?:呢)?\s*(?:[？?，,。；;！!]|$)")
_ABSTRACT_FLAGS = frozenset({"n", "d", "an", "vn", "a"})
_SITE_END = frozenset("部地址厂园区所馆站港城市省县镇村处楼院校室场中心")


def _where_of_abstract(folded: str) -> bool:
    import jieba.posseg as pseg

    for m in _WHERE_CLOSES.finditer(folded):
        clause = re.split(r"[，,。；;：:？?！!“”\"]", folded[: m.start()])[-1]
        words = [w for w in pseg.cut(clause) if w.word.strip()]
        if not words:
            continue
        word, flag = words[-1].word, words[-1].flag
        if flag in _ABSTRACT_FLAGS and word[-1] not in _SITE_END:
            return True
    return False


# A length of time since a start ("发展到现在有多少年了", "成立至今多少年"): 经过32年的发展 answers it,
# a duration (not a count of things, which 多少年 reads as otherwise).
_SINCE_START = re.compile(
    r"多少年了|(?:到现在|到如今|到今天|至今|迄今|如今)[^，,。；;？?]{0,6}多少年(?![轻代份龄度])"
    r"|成立(?:了)?多少年"
)


def named_bodies(text: str) -> tuple[str, ...]:
    folded = to_simplified(text).lower()
    out = []
    for group in BODY_GROUPS:
        if any(name in folded for name in group):
            out.append(group[0])
    # "the House" inside "House of Representatives" is the same body; Senate vs House stay apart.
    return tuple(out)


def analyse(question: str) -> Question:
    language = detect_language(question)
    folded = to_simplified(question)
    titles = tuple(dict.fromkeys(m.group(1).strip() for m in _TITLE.finditer(folded)))
    if language == "en":
        titles += tuple(dict.fromkeys(m.group(1).strip() for m in _QUOTED_EN.finditer(question)))
    items = 0
    m = _COUNT_ASKED.search(folded)
    if m:
        digits = arabic_numerals(m.group(1) + "个")[:-1]  # 四 → 4 (a measure word makes it a figure)
        items = int(digits) if digits.isdigit() else 0
    m = _EN_COUNT_ASKED.search(question) if language == "en" else None
    if m:
        word = m.group(1).lower()
        items = int(word) if word.isdigit() else _EN_NUMBERS[word]
    m = (_LIST_NOUN.search(folded) or _LIST_NOUN_BEFORE.search(folded)) if language == "zh" else None
    list_noun = m.group(1)[-2:] if m else ""
    return Question(
        text=question,
        language=language,
        slot=detect_slot(question, language),
        years=asked_point_years(question),
        titles=titles,
        bodies=named_bodies(question),
        places=place_names(question) if language == "zh" else frozenset(),
        items=items,
        list_noun=list_noun,
        units=asked_units(question),
        entities=named_entities(question, language),
        names=quoted_names(folded) if language == "zh" else (),
        clauses=asked_clauses(question),
        year_end=tuple(dict.fromkeys(a or b for a, b in _YEAR_END.findall(folded))),
        attribute=with_synonyms(asked_attribute(folded)) if language == "zh" else (),
    )


# Words between the attribute and the word that asks ("出资人分别是谁", "全长大约有多少").
_BEFORE_ASK = re.compile(
    r"(?:是|为|有|的|了|分别|大约|大概|约|一共|总共|共|达|达到|到底|究竟|具体|都|各|又|还|将|要|会|能)+$"
)
_COPULA_END = re.compile(r"(?:是|为|有|包括|包含)(?:分别|都|各|又|还)?$")
# Nouns too general to say which attribute is asked (a passage says 措施 and 情况 in other words).
_VAGUE_ATTRIBUTE = frozenset(
    "情况 内容 方面 问题 东西 事情 时候 时间 地方 部分 方式 方法 作用 意义 特点 目标 措施 举措 政策 要求 重点 "
    "领域 方向 原因 理由 结果 数量 数字 数据 水平 程度 规模 影响 效果 文章 文件 报告 白皮书 计划 规划 项目 城市 国家 地区"
    # kinds of organisation and of person, which running text abbreviates (日企, 央企) or names by
    # title (局长 for 官员)
    " 企业 公司 机构 单位 部门 高校 大学 院校 厂商 组织 官员 专家 学者 人士 人员 人物 领导 代表".split()
)


def asked_attribute(folded: str) -> str:
    """The noun just before a Chinese question starts asking, when it names what is asked: 全长 in
    "京张高铁全长多少公里", 出资人 in "基金的管理人和出资人分别是谁". Verbs (登记了多少) and vague
    nouns (情况, 措施) are not attributes; neither is a figure or a name jieba tags as a place/person."""
    import jieba
    import jieba.posseg as pseg

    m = _ASK_START_ZH.search(folded)
    if not m:
        return ""
    # "有多大比例打算五年内买房": the ask starts at 多大, so the noun after it (买房) is not an attribute
    measure = _ASK_MEASURE.search(folded)
    if measure and measure.start() < m.start():
        m = measure
    raw = folded[: m.start()].rstrip()
    if _WHICH_KIND.match(folded, m.start()) and not _COPULA_END.search(raw):
        # "报告主张哪些国家…": the ask names its own noun (国家), so the word before it is what the
        # subject does (a verb of saying or planning), not an attribute; "出资人是哪些机构" keeps one.
        return ""
    head = _BEFORE_ASK.sub("", raw)
    words = list(pseg.cut(head))
    if not words:
        return ""
    word, flag = words[-1]
    if flag != "n" or len(word) < 2 or word in _VAGUE_ATTRIBUTE or word in _GENERIC:
        return ""
    if not jieba.dt.FREQ.get(word):
        return ""  # not a dictionary word: a name cut wrongly (亿欧用 → 亿 + 欧用)
    if any(
        pat.search(word)
        for slot, pat in _ZH_SLOTS
        if slot in ("percentage", "amount", "duration", "comparison")
    ):
        return ""  # the noun names the slot (比重, 总额, 差距): the slot's own test judges it
    return word


SYNONYM_GLOSS = 0.9  # a gloss this specific (CC-CEDICT score, best 1.0) on both words makes them synonyms


@lru_cache(maxsize=1)
def _glosses() -> dict[str, dict[str, float]]:
    """Chinese word → its English glosses with their scores (the inverted dictionary, turned)."""
    out: dict[str, dict[str, float]] = {}
    for key, entries in _dictionary().items():
        for zh, score in entries.items():
            if score >= SYNONYM_GLOSS:
                out.setdefault(zh, {})[key] = score
    return out


@lru_cache(maxsize=1024)
def with_synonyms(word: str) -> tuple[str, ...]:
    """The word, then the words CC-CEDICT glosses the same way (企业 "firm; company" → 厂商,
    公司): blind questions name an attribute in their own words. () for no word."""
    if not word:
        return ()
    # 进口量 is "the quantity of 进口": a passage giving imports with a figure gives it.
    stem = (word[:-1],) if len(word) >= 3 and word[-1] in "量额数值" else ()
    inv = _dictionary()
    same = [
        zh
        for key in _glosses().get(word, {})
        for zh, score in (inv.get(key) or {}).items()
        if score >= SYNONYM_GLOSS and len(zh) >= 2 and zh != word
    ]
    return (word, *stem, *(zh for zh in dict.fromkeys(same) if _is_noun(zh)))


def _is_noun(word: str) -> bool:
    """jieba reads the word as one common noun ("firm" also glosses 坚定, firm as an adjective)."""
    import jieba.posseg as pseg

    cut = list(pseg.cut(word))
    return len(cut) == 1 and cut[0].flag == "n"


def asked_point_years(question: str) -> tuple[str, ...]:
    """The years a question asks about, without those that only bound a range (post-2008)."""
    # "From 2020 to 2021" asks a change between two years: its first year is no open bound.
    span = set(span_years(question) or ())
    ranged = {a or b for a, b in _RANGE_YEAR.findall(to_simplified(question))} - span
    return tuple(y for y in asked_years(question) if y not in ranged)


# The documents' text is stored with fullwidth ％/－ as %/- (``ingest.cleaning.normalize_chars``): a
# quoted name is looked for in that form ("「陳－扎克伯格倡議」" is stored as “陈-扎克伯格倡议”).
_STORED_FORM = str.maketrans({"％": "%", "－": "-"})


def quoted_names(folded: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            "".join(g).strip().translate(_STORED_FORM)
            for g in _QUOTED_ZH.findall(folded)
            if "".join(g).strip()
        )
    )


def asked_clauses(question: str) -> tuple[str, ...]:
    """第三十条 → "第30条"; Article 30 → "第30条" (the passages are Chinese)."""
    out = []
    for num, kind in _CLAUSE_ZH.findall(to_simplified(question)):
        out.append(f"第{clause_number(num)}{kind}")
    for kind, num in _CLAUSE_EN.findall(question):
        out.append(f"第{num}{_CLAUSE_EN_ZH[kind.lower()]}")
    return tuple(dict.fromkeys(out))


def clause_number(num: str) -> str:
    if num.isdigit():
        return str(int(num))
    digits = arabic_numerals(num + "个")[:-1]  # a measure word makes a Chinese numeral a figure
    return digits if digits.isdigit() else num


# --- multi-part questions ----------------------------------------------------------------

_ZH_PART_END = re.compile(r"(?<=[？?；;])\s*")
_EN_AND = re.compile(
    r",?\s+(?:and|as well as|and also|plus)\s+(?=(?:(?:in|on|for|at|by|from|to|with|under)\s+)?"
    r"(?:[a-z]+ly\s+)?(?:what|which|how|who|when|where|why|is|are|was|were|did|does|do)\b)",
    re.I,
)
# "Who leads it, when was it launched, and how much …?": before a final ", and <wh>", a comma
# followed by a question word starts a part too (alone, ", which …" is a relative clause).
_EN_COMMA_WH = re.compile(r",\s+(?=(?:what|which|how|who|when|where|why)\s+\w+\s+\w+)", re.I)
_EN_FINAL_AND = re.compile(r",\s+and\s+(?:[a-z]+ly\s+)?(?:what|which|how|who|when|where|why)\b", re.I)
_ZH_JOIN = re.compile(
    r"(?:[、，,]|以及|并且|並且|而且|同时|同時)"
    r"(?=[^、，,]*(?:多少|哪|几|幾|什么|什麼|甚麼|如何|怎样|怎樣|是否|为何|為何|为什么|為什麼|谁|誰|多[大高长長久快远遠]))"
)
_MIN_PART_UNITS = 3


def split_parts(question: str) -> list[str]:
    """The parts of a multi-part question, in order ([question] when it has one part).

    Chinese: a question mark or semicolon ends a part, and "、" joins two questions when each side
    asks something ("哪个城市得分最高、分数多少？"). English: a question mark ends a part and
    "…, and what/which/how …" starts one. A piece too short to be a question joins its neighbour."""
    q = question.strip()
    if detect_language(q) == "en":
        # A question mark ends a part ("…? What share …?"), then "…, and what …" starts one.
        pieces = [
            p.strip()
            for s in re.split(r"(?<=\?)\s+", q)
            for a in _EN_AND.split(s)
            for p in (_comma_parts(a) if _EN_FINAL_AND.search(s) else [a])
            if p.strip()
        ]
        pieces = _shared_predicate_en(pieces)
        pieces = [p if p.endswith("?") else p + "?" for p in pieces] if len(pieces) > 1 else [q]
    else:
        pieces = [p.strip() for p in _ZH_PART_END.split(q) if p.strip()]
        out: list[str] = []
        for p in pieces:
            if each := _each_place(p) or _each_item(p):
                out.extend(each)
                continue
            sub = _lead_into_next([s for s in _ZH_JOIN.split(p) if s])
            asks = [s for s in sub if _asks(s)]
            out.extend(sub if len(sub) > 1 and len(asks) == len(sub) else [p])
        pieces = out
    merged: list[str] = []
    for p in pieces:
        if merged and (len(keyword_tokens(p)) < _MIN_PART_UNITS - 1 and not _asks(p)):
            merged[-1] = merged[-1] + p
        elif merged and _bare(merged[-1]):  # "When and where did …?": one question about two things
            merged[-1] = merged[-1].rstrip("?？") + " and " + p
        else:
            merged.append(p)
    return merged if len(merged) > 1 else [q]


_ZH_PAIR = "和与與及、跟"
_ZH_EACH = re.compile(r"分别|分別|各自|各(?=[是为為有要定占佔得获獲排投拨撥达達])")
_ZH_YEAR = re.compile(r"(?:19|20)\d{2}年?")
_NAME_FLAGS = frozenset({"ns", "nt", "nr", "nz"})


_EN_BARE_ASK = re.compile(r"^\s*(?:how\s+(?:many|much)|what|which)(?:\s+[\w&'-]+){1,4}\s*\??\s*$", re.I)
_EN_AUX = re.compile(r"\b(?:do|does|did|is|are|was|were|has|have|had|will|would|can|could)\b", re.I)


def _shared_predicate_en(pieces: list[str]) -> list[str]:
    """ "How many incubators and how many maker spaces does Guangzhou have in total?": a part that
    is only a question word and its noun asks with the next part's predicate (does Guangzhou have
    in total), which is where the subject and the scope of both parts are said."""
    out = list(pieces)
    for i in range(len(out) - 1):
        if _EN_BARE_ASK.match(out[i]) and not _EN_AUX.search(out[i]):
            m = _EN_AUX.search(out[i + 1])
            if m is not None and m.start() > 0:
                out[i] = out[i].rstrip(" ?") + " " + out[i + 1][m.start() :].rstrip()
    return out


def _each_place(piece: str) -> list[str]:
    """ "法国和德国的目标各是多少？", "苏州和东莞分别排第几？": one question per place (the documents state
    each place's figure in its own sentence, and each is answered, or named missing, on its own).
    The two are names of one kind: places, organisations or people in the dictionary (jieba ``ns``
    ``nt`` ``nr`` ``nz``: 北京大学和清华大学各得多少分) or years (2021年和2023年分别拨款多少), joined
    by 和/与/及/、 and asked 各/分别."""
    if not _ZH_EACH.search(piece):
        return []
    folded = to_simplified(piece)
    if len(folded) != len(piece):
        return []
    places = sorted(_pair_names(folded), key=len, reverse=True)
    for a in places:
        for b in places:
            if a == b:
                continue
            m = re.search(f"{re.escape(a)}[{_ZH_PAIR}]{re.escape(b)}", folded)
            if m is None or not _ZH_EACH.search(piece, m.end()):
                continue
            start, end, cut = m.start(), m.end(), m.start() + len(a) + 1
            rest = _ZH_EACH.sub("", piece[end:])
            return [
                piece[:start] + piece[start : start + len(a)] + rest,
                piece[:start] + piece[cut:end] + rest,
            ]
    return []


_ITEM_JOIN = frozenset("和与及、跟")
# A figure, a rank or a date asked: each listed thing has its own, stated in its own clause.
_ASKS_FIGURE_ZH = re.compile(r"多少|第几|几[个项家倍年位名成]|多[大高长久快远重]|哪一?年|何时|什么时候")
_MAX_ITEM = 12  # characters of one listed item (科技人才队伍总量)


def _each_item(piece: str) -> list[str]:
    """ "科技人才队伍总量、国际科技论文总数和论文引用总数分别排在世界第几？": two or three things listed
    right before 分别/各自, each asked what follows (each is stated in its own clause, and each is
    answered or named missing on its own). The clause before the list stays with the first item."""
    import jieba.posseg as pseg

    m = re.search(r"分别|分別|各自", piece)
    if m is None or not _ASKS_FIGURE_ZH.search(to_simplified(piece[m.end() :])):
        return []  # "分别怎么做": one passage usually says it for all of them
    head, rest = piece[: m.start()], piece[m.end() :]
    lead_at = max(head.rfind("，"), head.rfind(","), head.rfind("：")) + 1
    lead, listed = head[:lead_at], head[lead_at:]
    items: list[str] = [""]
    for word, flag in pseg.cut(listed):
        if word in _ITEM_JOIN and flag in ("c", "x", "p", "zg"):
            items.append("")
        else:
            items[-1] += word
    if not 2 <= len(items) <= 3 or not all(2 <= len(it) <= _MAX_ITEM and has_cjk(it) for it in items):
        return []
    # "基金的管理人和出资人": what the first item belongs to (基金的) is the others' too; "全球市场和
    # 中国市场的渗透率": what the last item is asked of (的渗透率) is the others' too.
    owner = items[0][: items[0].rfind("的") + 1]
    items[1:] = [it if "的" in it else owner + it for it in items[1:]]
    if "的" in items[-1] and not any("的" in it for it in items[:-1]):
        attribute = items[-1][items[-1].rfind("的") :]
        items[:-1] = [it + attribute for it in items[:-1]]
    return [lead + it + rest for it in items]


def _pair_names(folded: str) -> frozenset[str]:
    """The names one "各/分别" question may ask about one by one: places, organisations and people
    (jieba proper-name tags) and years."""
    import jieba.posseg as pseg

    names = {w for w, flag in pseg.cut(folded) if flag in _NAME_FLAGS and len(w) >= 2}
    return frozenset(names | set(_ZH_YEAR.findall(folded))) | place_names(folded)


def _lead_into_next(pieces: list[str]) -> list[str]:
    """A leading Chinese piece that asks nothing ("数字时代，" before "个人电脑普及用了多少年、互联网
    又用了多少年") sets the scene for the part after it, and stays with it."""
    out: list[str] = []
    lead = ""
    for piece in pieces:
        if not out and not _asks(piece):
            lead += piece + "，"
            continue
        out.append(lead + piece)
        lead = ""
    return out or [lead.rstrip("，")]


def _comma_parts(text: str) -> list[str]:
    """ "Who leads it, when was it launched" → two parts; a piece that asks nothing ("According to
    the list cited in the report", "Under the 2020 opinions") leads into the piece after it."""
    out: list[str] = []
    lead = ""
    for piece in _EN_COMMA_WH.split(text):
        if not _asks(piece):
            lead += piece + ", "
            continue
        out.append(lead + piece)
        lead = ""
    if lead and out:
        out[-1] += ", " + lead.rstrip(", ")
    elif lead:
        out.append(lead.rstrip(", "))
    return out


def _bare(piece: str) -> bool:
    """Only a question word ("When?"): it asks about what the next part names."""
    return re.fullmatch(r"\s*[A-Za-z]+\s*\??\s*", piece) is not None


_ASKS = re.compile(
    r"多少|哪|几|什么|甚么|甚麼|如何|怎样|怎么|是否|为何|为什么|谁|吗|有没有|何|多[大高长久快远重]"
    r"|\b(?:what|which|how|who|whom|whose|when|where|why)\b"
    r"|还是[\u4e00-\u9fff]{1,4}\s*[？?]?\s*$"  # "是升还是跌？": an alternative asked
    r"|呢\s*[？?]\s*$",  # "拉萨呢？": the question before, about another subject
    re.I,
)


def _asks(piece: str) -> bool:
    return bool(_ASKS.search(to_simplified(piece)))


def is_question(text: str) -> bool:
    """It asks something (a question word or mark): a greeting ("你好") has no topic to carry."""
    return _asks(text) or text.rstrip().endswith(("?", "？"))


def bare_ask(question: str) -> bool:
    """Only words that ask ("是多少？", "How much?"): it asks about exactly what came before."""
    return not [t for t in keyword_tokens(question) if not _asks(t) and t not in _EN_STOP]


# --- follow-ups --------------------------------------------------------------------------

# Words that lean on what was said before: pronouns and deictics (它/其/这些/当时/他), "又" (also,
# again), an ellipsis (那…呢). Matched on t2s-folded text.
_FOLLOWUP_ZH = re.compile(
    r"^(?:那|那么|还有|另外|以及|和|与)|[它其该这那此他她]|当时|同期|上述|前者|后者|里面|当中|呢\s*[？?]?\s*$"
)
_FOLLOWUP_EN = re.compile(
    r"^\s*(?:and|also)\b|\b(?:it|its|they|them|their|this|that|these|those|what about|how about|same|he|she|his|her)\b",
    re.I,
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_NAME_FLAGS = frozenset({"ns", "nr", "nt", "nz", "nrt", "nrfg"})


def names_own_topic(question: str) -> bool:
    """The question names what it is about: a 《title》, a year, a place, an organisation or another
    proper name (jieba's tags for Chinese; a capitalised word or an uncommon acronym otherwise).
    "由哪个部门负责选拔资助对象？" names nothing: asked in a conversation, it is about the last topic."""
    if _TITLE.search(question) or asked_years(question):
        return True
    latin = [w for w in re.findall(r"[A-Za-z][A-Za-z&'-]+", question) if w.lower() not in COMMON_ACRONYMS]
    if detect_language(question) == "en":
        return any(w[0].isupper() for w in _standalone_capitalised(question) + latin[1:] if w != "I")
    if latin:
        return True
    import jieba.posseg as pseg

    return any(
        flag in _NAME_FLAGS and len(w) >= 2 and w not in _GENERIC
        for w, flag in pseg.cut(to_simplified(question))
    )


def is_follow_up(question: str) -> bool:
    """Asked in a conversation, whether the question leans on it: short, a pronoun or deictic
    (它/其/这些/当时, it/they/that), an ellipsis (那…呢, "what about…"), or it names nothing of its
    own (see ``names_own_topic``)."""
    q = question.strip()
    if detect_language(q) == "zh":
        lean = len(_CJK.findall(q)) <= 8 or bool(_FOLLOWUP_ZH.search(to_simplified(q)))
    else:
        lean = len(q.split()) <= 5 or bool(_FOLLOWUP_EN.search(q))
    return lean or not names_own_topic(q)


_ASK_SPAN_ZH = re.compile(
    r"(?:是|有|为|為|的)?(?:多少|哪些|哪几|哪幾|哪[一二两兩三四五六七八九十\d]+[个個项項类類种種大座家所]|哪个|哪個|哪一|"
    r"什么|什麼|如何|怎样|怎樣|是否|为何|為何|为什么|為什麼|谁|誰|几[个個项項]?|幾[个個项項]?)"
    r"|[吗嗎呢？?。！!]"
)
# Where a Chinese question starts asking: its topic is what comes before ("中芯国际是谁创办的" →
# 中芯国际; "日本的战略是哪个部门发布的" → 日本的战略).
_ASK_START_ZH = re.compile(
    r"多少|多久|多长|多長|哪|几|幾|什么|什麼|甚么|甚麼|如何|怎样|怎樣|怎么|怎麼|是否|为何|為何|为什么|為什麼|谁|誰|何时|何時|何地"
    r"|吗|嗎|[？?]"
)
_ASK_WORD = re.compile(r"(?:哪|几|幾|什么|甚么|多少|多久|多长|如何|怎样|怎么|为何|为什么|谁)")
# "多大比重", "有多高", "多长": a measure asked by 多 + an adjective, which jieba cuts into 多 and 大
# (two one-character "keywords" no answering sentence holds in that sense); not 许多大学, 多大型.
_ASK_MEASURE = re.compile(
    r"(?<![许很众诸较更最好])多(?:久|长|大|高|远|快|重)(?=[？?，,。；;！!]|$|的|比重|比例|规模|程度|份额|面积|作用|影响|差距)"
)


def without_ask_measure(question: str) -> str:
    """The question with its 多大/多高/多长 ask taken out, for keyword scoring."""
    return _ASK_MEASURE.sub(" ", to_simplified(question))


_LEAD_CLAUSE = re.compile(r"^([^，,：:；;。？?！!]{1,12})[，,：:]")


def without_preamble(question: str) -> str:
    """The question without a leading clause that names nothing ("我想了解一下，", "请问，"): every
    jieba word of it frames the ask (a pronoun, a verb of wanting or asking, a particle), so a
    sentence that answers holds none of it and should not be scored on it."""
    import jieba.posseg as pseg

    m = _LEAD_CLAUSE.match(question)
    if not m:
        return question
    words = [(w, f) for w, f in pseg.cut(to_simplified(m.group(1))) if w.strip()]
    framing = all(f in _FRAME_TAGS or (f == "m" and not re.search(r"\d", w)) for w, f in words)
    return question[m.end() :] if words and framing and any(f.startswith("r") for _, f in words) else question


def is_ask_word(token: str) -> bool:
    """A jieba token that asks (哪些方面, 哪几, 甚么 folded from 甚麼, 几个) or points back (这次,
    这个): no passage holds it in that sense, so a sentence should not be scored on it."""
    folded = to_simplified(token)
    return _ASK_WORD.match(folded) is not None or _POINTER_WORD.fullmatch(folded) is not None


# jieba's tags of words that say how something is asked or said (认为, 打算, 比较, 这), not what it
# is about: verbs, adverbs, pronouns, prepositions, conjunctions, particles, localisers, classifiers.
_FRAME_TAGS = frozenset("v vd vg vi d dg r rr rz p c u uj ul uz ug ud uv f q y e o".split())


@lru_cache(maxsize=4096)
def frames_question(token: str) -> bool:
    """A question word that asks (由谁来, 哪些) or frames the ask (a verb of saying or planning,
    an adverb, a pronoun: 认为, 打算, 比较) rather than names what is asked about, read from
    jieba's part of speech: a passage that answers need not contain it."""
    import jieba.posseg as pseg

    folded = to_simplified(token)
    if _ASK_WORD.search(folded) or _POINTER_WORD.fullmatch(folded):
        return True
    cut = list(pseg.cut(folded))
    return len(cut) == 1 and cut[0].flag in _FRAME_TAGS


_POINTER_WORD = re.compile(r"[这那该此本][次个些项份部位家场篇台支笔条批款种类座所组期届轮]?")


_ASK_KIND = re.compile(
    r"(?:哪|多少|几|幾)[一二两兩三四五六七八九十几幾\d]*(?:个|個|项|項|类|類|种|種|座|家|所|位|名|条|條|部|些|大)?"
)
_KIND_NOUN = re.compile(  # not a time (哪一年开始的, 哪天): that asks when, not which of a kind
    r"(?![年月日天号號时時])[^\s，,、。？?！!；;：:的在由是被对對给給于於为為和与與及哪多几幾什甚如怎谁誰何]{2,8}"
)
_EN_STOP = frozenset(
    """a an the of to in on for by at from with under about into as and or but not no
    what which who whom whose when where why how much many long large big high far quickly roughly
    is are was were be been being do does did has have had can could will would should may might must
    it its they them their this that these those there here he she his her we our you your i
    according say says said per""".split()
)
_TRAILING_VERB = re.compile(
    r"(?:达到|達到|为|為|是|有|约|約|大约|大約|大概|将|將|会|會|在|由|被|对|對|给|給|向|从|從|于|於|把|的|、|，|,|\s)+$"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年)?(?!\d)")


def topic(question: str) -> str:
    """What a question is about, to carry into a follow-up, in the asker's own script: its
    《titles》; else (Chinese) the words before it starts asking (多少, 哪个, 是谁…), or without the
    words that ask when nothing comes before; (English) its named titles (… Act, … Plan), else its
    content words. The previous slot is not carried: the follow-up asks its own."""
    titles = [m.group(0) for m in _TITLE.finditer(question)]
    if titles:
        return "".join(titles)
    if detect_language(question) == "en":
        named = [m.group(1) for m in _QUOTED_EN.finditer(question)]
        if named:
            return " ".join(dict.fromkeys(named))
        words = re.findall(r"[A-Za-z0-9][\w&'.-]*[\w]|[A-Za-z0-9]", question)
        return " ".join(w for w in words if w.lower() not in _EN_STOP)
    m = _ASK_START_ZH.search(question)
    head = _TRAILING_VERB.sub("", question[: m.start()] if m else question).strip()
    if m:
        # "有哪四个发展方向" asks which of a kind: the kind (发展方向) is part of the topic.
        kind = _ASK_KIND.match(question, m.start())
        tail = _KIND_NOUN.match(question, kind.end()) if kind and kind.end() > m.start() + 1 else None
        if tail:
            head += tail.group(0)
    if len(_CJK.findall(head)) >= 2:
        return head
    return _TRAILING_VERB.sub("", _ASK_SPAN_ZH.sub("", question).strip())


_WH_EN = re.compile(
    r"\b(?:how\s+(?:many|much|long|large|big|far|high|old|fast|quickly|often|soon)|what|which|whose|who|whom"
    r"|when|where|why|how)\b",
    re.I,
)
_AUX_EN = frozenset(
    "is are was were do does did has have had can could will would should may might must".split()
)
_DETERMINER_EN = frozenset("the a an its their his her this that these those".split())


def subject_en(question: str, *, keep_picked: bool = False) -> str:
    """What an English question is about, without what it asks of it: the slot sits in the
    wh-phrase ("What share of global battery-cell manufacturing capacity does …", "Which processor
    did …"), so the phrase up to its auxiliary (or, with none, the wh-word and the noun after it)
    is dropped, its capitalised names kept ("Which Japanese ministry" keeps Japanese); the rest's
    content words are the subject. Quoted titles (… Act, … Plan) are the subject when named; the
    whole question's content words when nothing is left. ``keep_picked``: a "Which X" question
    picks an X, and a follow-up's pronoun may point at it ("Where does Hong Kong rank on it?" after
    "Which mainland index…"), so X is kept."""
    named = [m.group(1) for m in _QUOTED_EN.finditer(question)]
    if named:
        return " ".join(dict.fromkeys(named))
    m = _WH_EN.search(question)
    if not m:
        return topic(question)
    tokens = list(re.finditer(r"[A-Za-z0-9][\w&'.-]*[\w]|[A-Za-z0-9]", question))
    first = next((i for i, t in enumerate(tokens) if t.start() >= m.end()), len(tokens))
    end = next(
        (i + 1 for i in range(first, min(first + 9, len(tokens))) if tokens[i].group(0).lower() in _AUX_EN),
        None,
    )
    if first < len(tokens) and tokens[first].group(0).lower() == "of":
        end = first + 1  # "Which of the blueprint's eight strategies …": what follows 'of' is the subject
    elif end is None:  # a subject question ("Which ministries issued …"): the wh-word and its noun
        end = (
            first + 1
            if first < len(tokens) and tokens[first].group(0).lower() not in _DETERMINER_EN
            else first
        )
    asked = tokens[first:end]
    picked = keep_picked and m.group(0).lower() == "which"
    kept = [t.group(0) for t in asked if picked or t.group(0)[0].isupper() or asked_years(t.group(0))]
    kept += [t.group(0) for i, t in enumerate(tokens) if (i < first and t.start() < m.start()) or i >= end]
    words = [w for w in kept if w.lower() not in _EN_STOP and w.lower() not in _AUX_EN]
    return " ".join(words) if words else topic(question)


_HOW_MANY_EN = re.compile(r"\bhow\s+many\s+", re.I)


def own_words_en(part: str) -> list[str]:
    """The content words an English part asks with ("how many jobs is it expected to create?" →
    jobs, expected, create): no pronouns, question words or auxiliaries. Empty for Chinese."""
    if detect_language(part) != "en":
        return []
    words = re.findall(r"[A-Za-z][\w'-]*[A-Za-z]", part)
    return [w.removesuffix("'s") for w in words if w.lower() not in _EN_STOP and w.lower() not in _AUX_EN]


def counted_phrase_en(part: str) -> str:
    """What a "how many" question counts: the words before its verb or auxiliary, at most three
    ("how many manufacturing innovation institutes does…" → all three), or ""."""
    m = _HOW_MANY_EN.search(part)
    if not m:
        return ""
    words: list[str] = []
    for w in re.findall(r"[A-Za-z][\w'&-]*", part[m.end() :]):
        if w.lower() in _AUX_EN or w.lower() in _EN_STOP or len(words) >= 3:
            break
        words.append(w)
    return " ".join(words)


def counted_forms_en(question: str) -> tuple[str, ...]:
    """The corpus's forms of what an English "how many" question counts, from the reviewed glossary
    only (its whole phrase, else its head noun: "manufacturing innovation institutes" → 研究所…):
    CC-CEDICT's senses of one word are too loose to require ("areas" → 区域 where 领域 is meant)."""
    phrase = counted_phrase_en(question)
    words = phrase.split()
    for size in range(len(words), 0, -1):
        forms = glossary_forms(" ".join(words[-size:]))
        if forms:
            # An English document names it in English: the head word (start-ups, start-up) counts too.
            head = words[-1].lower()
            single = head.removesuffix("s")
            return tuple(dict.fromkeys([*forms, head, *([single] if len(single) >= 4 else [])]))
    return ()


def without_replaced_places(about: str, question: str) -> str:
    """The follow-up's own place replaces the carried one: "What was Germany's rate?" after a
    question about China's exports asks about Germany, so China is not carried (a passage about
    China would answer it). English topics; Chinese ones are swapped by ``swap_subject``."""
    if detect_language(about) != "en":
        return about
    own = [w for w in re.findall(r"[A-Z][\w.-]*(?:'s)?", question) if _en_kind(w) == "place"]
    if not own:
        return about
    own_bare = {w.removesuffix("'s").lower() for w in own}
    kept = [w for w in about.split() if w.removesuffix("'s").lower() in own_bare or _en_kind(w) != "place"]
    return " ".join(kept)


def _retime(about: str, question: str) -> str:
    """A follow-up naming its own year ("那2022年呢？", "and in 2023?") asks about that year: the
    topic's years are replaced by it (one each) or dropped, so they do not constrain the answer."""
    new = asked_years(question)
    old = [y for y in asked_years(about) if y not in new]
    if not new or not old:
        return about
    if len(new) == 1 and len(old) == 1:
        return _YEAR.sub(lambda m: m.group(0).replace(m.group(1), new[0]), about)
    return _YEAR.sub(" ", about).strip()


# 咁/噉 open a Cantonese follow-up as 那 does ("咁第三個呢？"); 咁多/咁快 say "so much/fast".
_ELLIPSIS = re.compile(
    r"^(?:那么|那麼|那|咁(?![多快大細细少耐])|噉|还有|還有|and|what about|how about)\s*|[呢吗嗎？?。.!！\s]+$",
    re.I,
)
_YES_NO_EN = re.compile(
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must)\s+\w", re.I
)
_EXPLETIVE_IT = re.compile(r"\bit\s+(?:take|takes|took|is|was)\s+(?:to|for)\b|\bdid it take\b", re.I)


_TIME_WORD = re.compile(r"段时间|时期|期间|时候|(?:时间|年代|阶段)$")


def is_time_span(word: str) -> bool:
    """A word for a span of time (段时间 of 那段时间, 时期, 期间), which jieba may tag as a name: it
    points at a time the conversation set, and names nothing a passage must say."""
    return _TIME_WORD.search(word) is not None


def ellipsis_subject(question: str) -> str | None:
    """The new subject of an elliptical follow-up that asks nothing itself ("那原料药呢？" →
    原料药, "And in 2023?" → in 2023), else None."""
    subject = _ELLIPSIS.sub("", question.strip()).strip()
    if _YES_NO_EN.match(subject):
        return None  # "Does this programme cover 6G?" asks; it names no new subject
    return subject if subject and not _asks(subject) else None


def rewrite_follow_up(question: str, history: Sequence[tuple[str, str]], *, about: str | None = None) -> str:
    """A follow-up as a standalone question carrying the previous question's topic: a leading
    pronoun (它/其/这些/it) is replaced by it, otherwise it is added; an ellipsis ("那原料药呢？",
    "And in 2023?") is asked as the previous question about the new subject (or year). The
    previous answer is not used: the follow-up asks something new about the same topic.
    ``about``: the topic when the caller knows it better (another language than the question's)."""
    previous = next((t for r, t in reversed(history) if r == "user"), "")
    if not previous or not is_question(previous):
        return question  # a greeting ("你好") has no topic to carry
    about = _retime(about if about is not None else topic(previous), question)
    if not about:
        return question
    subject = ellipsis_subject(question)
    if subject and detect_language(previous) == detect_language(question):
        # Ellipsis: the previous question asked about the new subject (its year replaced by the new
        # one): the name of the same kind is swapped out ("那韩国呢？", "And the Gates Foundation's?"),
        # else the subject leads the previous question.
        retimed = _retime(previous, question)
        swapped = swap_subject(retimed, subject)
        return swapped if swapped is not None else f"{subject} {retimed}".strip()
    about = without_asked_kind(about, question)
    folded_q = to_simplified(question)
    if all(part in folded_q for part in to_simplified(about).split()):
        return question  # already names the topic
    if detect_language(question) == "zh":
        m = _PRONOUN_ZH.search(question)
        if m:
            end = m.end()
            for n in range(4, 0, -1):  # 這些方向 after a topic ending in 方向: the noun is the topic's
                if question[end : end + n] and about.endswith(question[end : end + n]):
                    end += n
                    break
            return question[: m.start()] + about + question[end:]
        return f"{about} {question}"
    m = _PRONOUN_EN.search(question)
    titled = any(_QUOTED_EN.finditer(previous)) or _TITLE.search(previous)
    if titled and m and m.group(0).lower() in ("it", "its") and not _EXPLETIVE_IT.search(question):
        sub = f"{about}'s" if m.group(0).lower() == "its" else about
        return question[: m.start()] + sub + question[m.end() :]
    return f"{question} ({about})"


_PRONOUN_ZH = re.compile(
    r"^(?:那么|那麼|那|还有|還有|另外)?\s*(?:它们|它們|它|其|该法案|該法案|该计划|該計劃|该|該|这些|這些|这个|這個|这次|這次|本次|此)"
)
_PRONOUN_EN = re.compile(r"\b(?:it|its|they|their|them|this|that|these|those)\b", re.I)


# --- ellipsis: swapping the subject --------------------------------------------------------

# A run of capitalised words (with "of"/"and"/"for" inside, an optional leading "the" and a
# trailing possessive): "the Wellcome Trust's", "House of Representatives", "South Korea".
_EN_NAME = re.compile(r"(?:\b[Tt]he\s+)?\b[A-Z][\w&.-]*(?:\s+(?:(?:of|and|for|on)\s+)?[A-Z][\w&.-]*)*(?:'s)?")


def _en_kind(name: str) -> str:
    """place | body | year | name: what kind of thing an English name is, so that a new subject
    replaces a name of its own kind."""
    bare = re.sub(r"^(?:the|The)\s+|'s$", "", name.strip())
    if asked_years(bare):
        return "year"
    if named_bodies(name) or named_bodies(bare):
        return "body"
    if _en_place(bare.lower()) or all(_en_place(w.lower()) for w in bare.split()):
        return "place"
    return "name"


_COUNTRY_ACRONYMS = frozenset({"us", "usa", "u.s.", "uk", "eu", "prc", "hk", "hksar", "america"})


@lru_cache(maxsize=4096)
def _en_place(word: str) -> bool:
    """A country or place, generic ones included (China → 中国: not a specific place for the
    answer checks, but still a place that a new place replaces)."""
    if english_place(word) or word in _COUNTRY_ACRONYMS:
        return True
    import jieba.posseg as pseg

    return any(len(zh) >= 2 and [f for _, f in pseg.cut(zh)] == ["ns"] for zh in _best_translations(word)[:3])


def _zh_kind(name: str) -> str:
    folded = to_simplified(name)
    if asked_years(folded):
        return "year"
    if named_bodies(folded):
        return "body"
    if place_names(folded):
        return "place"
    import jieba.posseg as pseg

    flags = {f for w, f in pseg.cut(folded) if len(w) >= 2}
    return "name" if flags & _NAME_FLAGS else "other"


def _zh_names(question: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the places, bodies and other names jieba tags in a Chinese question
    outside its 《titles》 (OpenCC t2s keeps character positions)."""
    import jieba.posseg as pseg

    folded = to_simplified(question)
    titled = {i for m in _TITLE.finditer(folded) for i in range(m.start(), m.end())}
    out, at = [], 0
    for w, flag in pseg.cut(folded):
        start, at = at, at + len(w)
        if start in titled or len(w) < 2 or w in _GENERIC:
            continue
        if named_bodies(w):
            out.append((start, at, "body"))
        elif flag == "ns" or place_names(w):
            out.append((start, at, "place"))
        elif flag in _NAME_FLAGS:
            out.append((start, at, "name"))
    return out


def swap_subject(previous: str, subject: str) -> str | None:
    """The previous question with its name of the subject's kind (a place for a place, a chamber
    for a chamber, another name for a name) replaced by the subject: "那韩国呢？" after
    "日本的半导体投资是多少？" asks "韩国的半导体投资是多少？"; "And the Gates Foundation's?" after
    "How large were the Wellcome Trust's assets in 2021?" asks about the Gates Foundation's. None
    when the previous question names nothing of that kind (the caller then lets the subject lead).
    An ordinal replaces an ordinal ("第二个呢？" after "…的第一个发展方向是什么？"), and an English
    phrase sharing its head word replaces the previous one ("those in second-tier cities" for
    "graduates in first-tier cities")."""
    ordinal = swap_ordinal(previous, subject)
    if ordinal is not None:
        return ordinal
    if detect_language(previous) == "en" and detect_language(subject) == "en":
        headed = _swap_same_head(previous, subject)
        if headed is not None:
            return headed
    if detect_language(previous) == "en":
        # "And for scientific R&D services?", "And in Japan?": the preposition is the previous
        # question's, the words after it are the new subject.
        subject = _LEAD_PREP_EN.sub("", subject)
        kind = _en_kind(subject)
        asked = _WHICH_KIND_EN.match(previous)
        if asked and kind in ("place", "name", "body") and not _common_phrase_en(subject):
            # "Which region had the biggest share…?" → "What about the Pearl River Delta?": the
            # subject is one of the things asked for; its own figure is asked.
            return f"{subject} {previous[asked.end() :].strip()}"
        if kind == "name" and _common_phrase_en(subject):
            # A common noun phrase (solar, scientific R&D services) replaces the thing the previous
            # question asked about ("… of aerospace manufacturing?"), not a proper name in it.
            m = _THING_EN.search(previous) if _COPULAR_EN.search(previous) else None
            if m:
                return previous[: m.start(2)] + subject + previous[m.end(2) :]
            # Else the name the previous question ends on, what it asked about ("… give the Office
            # of Nuclear Energy?"), not one naming its setting ("SASAC's July 2022 workshop").
            last = [n for n in _EN_NAME.finditer(previous) if n.start() > 0][-1:]
            if not last or previous[last[0].end() :].strip(" ?？.") or last[0].group(0).endswith("'s"):
                return None
            return previous[: last[0].start()] + subject + previous[last[0].end() :]
        if kind == "year":
            return previous if asked_years(previous) else None  # already re-timed by the caller
        names = [m for m in _EN_NAME.finditer(previous) if m.start() > 0 and _en_kind(m.group(0)) == kind]
        if not names:
            return None
        possessive = subject.endswith("'s")
        m = next((m for m in names if m.group(0).endswith("'s") == possessive), names[0])
        new = subject
        if m.group(0).endswith("'s") and not possessive:
            new += "'s"
        if re.match(r"(?:the|The)\s", m.group(0)) is None and re.match(r"(?:the|The)\s", subject):
            new = new[4:] if previous[: m.start()].rstrip().endswith(("the", "The")) else new
        return previous[: m.start()] + new + previous[m.end() :]
    new = re.sub(r"[的之]$", "", subject.strip())
    kind = _zh_kind(new)
    if kind == "year" and re.fullmatch(r"\s*(?:(?:19|20)\d{2})\s*年?(?:的)?\s*", new):
        return previous if asked_years(previous) else None  # already re-timed by the caller
    if kind in ("year", "other"):
        return _swap_same_head_zh(previous, new) if kind == "other" else None
    spans = [(a, b) for a, b, k in _zh_names(previous) if k == kind]
    if not spans:
        return _swap_same_head_zh(previous, new)
    a, b = spans[0]
    return previous[:a] + new + previous[b:]


_MIN_HEAD_ZH = 2  # characters a Chinese subject shares with the end of the term it replaces


# Where a Chinese term starts: after a particle, preposition or mark (的/里/在/对…).
_TERM_BOUND_ZH = re.compile(r"[的里在中对由和与及是为把从，,、：:；;《》“”「」（）()\s]")


def _swap_same_head_zh(previous: str, subject: str) -> str | None:
    """A Chinese subject replaces the previous question's term of its kind, the one ending in the
    same head ("那二线城市呢？" after "…在一线城市就业…" → 二线城市 for 一线城市; 成熟节点芯片 for
    逻辑芯片; 信息基础设施 for 创新基础设施), not added beside it. The longest shared head of at least
    two characters wins; None when no term shares one (the subject then leads the question)."""
    import jieba

    folded, new = to_simplified(previous), to_simplified(subject)
    best: tuple[int, int] | None = None  # (shared head length, end of the term)
    at = 0
    for word in jieba.cut(folded):
        at += len(word)
        shared = 0
        while shared < min(at, len(new)) and folded[at - 1 - shared] == new[-1 - shared]:
            shared += 1
        if shared >= _MIN_HEAD_ZH and shared < len(new) and (best is None or shared > best[0]):
            best = (shared, at)
    if best is None:
        return None
    end = best[1]
    bound = max((m.end() for m in _TERM_BOUND_ZH.finditer(folded, 0, end)), default=0)
    start = max(bound, end - len(new))
    if folded[start:end] == new:
        return None
    return previous[:start] + subject + previous[end:]


_ORDINAL_ZH = re.compile(r"第([一二两兩三四五六七八九十\d]+)")
_ORDINAL_EN = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b", re.I)


def is_ordinal(text: str) -> bool:
    """The text is only an ordinal (第二个, the second one): which item, not a name to look up."""
    bare = re.sub(r"(?i)\b(?:the|one|ones|item)\b|[个個项項条條章节節部分大点點]", "", text)
    return bool(_ORDINAL_ZH.fullmatch(bare.strip()) or _ORDINAL_EN.fullmatch(bare.strip()))


def swap_ordinal(previous: str, subject: str) -> str | None:
    """The previous question with its ordinal replaced by the subject's (第一个 → 第二个, first →
    second), or None when either names none."""
    for pattern in (_ORDINAL_ZH, _ORDINAL_EN):
        new, old = pattern.search(subject), pattern.search(previous)
        if new and old:
            return previous[: old.start(1)] + new.group(1) + previous[old.end(1) :]
    return None


_WHICH_KIND_EN = re.compile(
    r"^\s*(?:which|what)\s+(region|country|city|province|state|economy|area|company|firm|university|body)\b",
    re.I,
)
_LEAD_PREP_EN = re.compile(r"^(?:for|in|at|on|of|about|regarding|among|from)\s+(?=\S)", re.I)
# The thing a question asks about: the last lowercase noun phrase after of/for/on (up to the end
# of the clause, or a trailing year/source phrase).
_THING_EN = re.compile(
    r"\b(of|for|on)\s+((?:[a-z][\w&-]*\s+){0,3}[a-z][\w&-]*)(?=\s*(?:[?,.;]|$|\s+(?:in|by|under|according|as)\b))"
)


# "What is the R&D intensity of …?": the of-phrase names what is asked about (not so in "What did
# the workshop ask firms to do to speed up the conversion of …?").
_COPULAR_EN = re.compile(
    r"\b(?:what|which|how\s+(?:much|many|large|big))\b[^?]*?\b(?:is|are|was|were)\b", re.I
)


def _common_phrase_en(subject: str) -> bool:
    """No proper name in it: its capitalised words are only common acronyms (R&D, AI)."""
    words = re.findall(r"[A-Za-z][\w&'-]*", re.sub(r"^(?:the|The)\s+", "", subject))
    return bool(words) and all(not w[0].isupper() or w.lower() in COMMON_ACRONYMS for w in words)


def _swap_same_head(previous: str, subject: str) -> str | None:
    """An English subject whose last word is in the previous question replaces the phrase of its
    length ending there when one word of it differs ("those working in second-tier cities" after
    "graduates working in first-tier cities"). None otherwise, and for a year."""
    words = [w for w in re.findall(r"[\w'-]+", subject) if w.lower() not in ("those", "the", "a", "an")]
    if len(words) < 2:
        return None
    head = words[-1].lower()
    spans = [m for m in re.finditer(r"[\w'-]+", previous)]
    ends = [i for i, m in enumerate(spans) if m.group(0).lower() == head]
    if len(ends) != 1 or ends[0] + 1 < len(words):
        return None
    window = spans[ends[0] + 1 - len(words) : ends[0] + 1]
    same = sum(m.group(0).lower() == w.lower() for m, w in zip(window, words, strict=True))
    if asked_years(subject) or same == len(words) or same < max(2, len(words) - 1):
        return None  # a year is re-timed elsewhere; more than one word differing is another phrase
    return previous[: window[0].start()] + " ".join(words) + previous[window[-1].end() :]


_ASKS_COUNTRIES = re.compile(
    r"\b(?:which|what|other) (?:countries|country|nations?|economies)\b|哪些国家|哪个国家|哪几个国家|哪国|其他国家|别的国家",
    re.I,
)


def without_asked_kind(about: str, question: str) -> str:
    """A follow-up that asks which countries ("Which countries spend the most?", "哪些国家…") asks
    beyond the country of the previous topic: the topic's places are not carried (they would pull
    back the previous country's passage and constrain the answer to it). A question about cities
    keeps its country (they are inside it)."""
    if not _ASKS_COUNTRIES.search(to_simplified(question)):
        return about
    if detect_language(about) == "en":
        return " ".join(w for w in about.split() if _en_kind(w) != "place")
    import jieba.posseg as pseg

    kept = [w for w, f in pseg.cut(about) if f != "ns" and to_simplified(w) not in ("我国", "本国")]
    return re.sub(r"^[的之\s]+", "", "".join(kept)).strip()


_PERSON_OR_PLACE = frozenset({"nr", "ns", "nrt", "nrfg"})


def subject_names(subject: str) -> tuple[tuple[str, ...], ...]:
    """The names an English ellipsis's new subject ("And the Gates Foundation's?") must be found
    under in the Chinese passages: each capitalised word that CC-CEDICT translates to a place or
    a proper name (Gates → 盖茨, Korea → 韩国), with its alternatives. Words with no such
    translation, chambers (handled as bodies) and years are not required."""
    import jieba.posseg as pseg

    out = []
    for phrase, forms in glossary_names(subject):
        out.append((phrase.lower(), *forms))
        subject = subject.replace(phrase, " ")
    for word in re.findall(r"[A-Z][\w&.-]*", subject):
        bare = word.removesuffix("'s")
        if named_bodies(bare) or named_bodies(f"the {bare}") or asked_years(bare):
            continue
        key = bare.lower()
        names = list(english_place(key))
        names += [
            zh
            for zh in _best_translations(key)
            if len(zh) >= 2 and any(f in _PERSON_OR_PLACE for _, f in pseg.cut(zh))
        ]
        if names:
            out.append(tuple(dict.fromkeys([key, *(to_simplified(n) for n in names)])))
    return tuple(out)


def glossary_forms(word: str) -> list[str]:
    """The reviewed glossary's Chinese forms of an English word or phrase (Simplified), or []."""
    from rag.retrieve.glossary import key_words

    return [to_simplified(c) for e in _glossary().lookup(key_words(word), word) for c in e.chinese]


@lru_cache(maxsize=1)
def _aliases_zh() -> dict[str, frozenset[str]]:
    """Chinese form (three characters or more) → the other ways the reviewed glossary writes the
    same thing: its other Chinese forms and its acronyms (国家科学基金会 → NSF), lower-cased."""
    out: dict[str, set[str]] = {}
    for key, entries in _glossary().entries.items():
        for e in entries:
            acronyms = {key} if e.case_sensitive and len(key) >= 2 else set()
            for z in e.chinese:
                if len(z) >= 3:
                    out.setdefault(z, set()).update(
                        {c for c in e.chinese if c != z and len(c) >= 2} | acronyms
                    )
    return {z: frozenset(a.lower() for a in forms) for z, forms in out.items() if forms}


def glossary_aliases(text: str) -> list[tuple[str, frozenset[str]]]:
    """The glossary's Chinese forms written in the text, each with its other forms (acronyms
    included): a sentence writing NSF says 美国国家科学基金会's 国家科学基金会."""
    folded = to_simplified(text)
    return [(z, a) for z, a in _aliases_zh().items() if z in folded]


def glossary_names(subject: str) -> list[tuple[str, tuple[str, ...]]]:
    """Runs of capitalised words the glossary knows as one name ("the Yangtze River Delta" →
    长三角/长江三角洲), the longest first, each with its Chinese forms: word by word they would ask
    for 长江 and 三角洲."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for run in re.findall(r"[A-Z][\w&.'-]*(?:[\s–-]+[A-Z][\w&.'-]*)+", subject):
        words = run.split()
        for size in range(len(words), 1, -1):
            for at in range(len(words) - size + 1):
                phrase = " ".join(words[at : at + size]).removesuffix("'s")
                zh = glossary_forms(phrase) if phrase in run else []
                if zh:
                    out.append((phrase, tuple(dict.fromkeys(zh))))
                    run = run.replace(phrase, " ")
    return out


# "多长 / how long" alone asks a length of time or of a thing (铁路网要多长, how long was the rail
# network); these words say it is time that is measured.
_TIME_MEASURED = re.compile(
    r"多久|时间|时长|期限|年限|为期|多少(?:年|个月|月|天|周)|几(?:年|个月|天|周)|持续|历时|花了|用了|耗时"
    r"|\b(?:take|takes|took|taken|last|lasts|lasted|period|term|ago|time|years?|months?|weeks?|days?|"
    r"hours?|duration|remain|remained|valid|run|runs|ran)\b|\bfor how long\b|\bover what\b",
    re.I,
)
_BARE_LENGTH_ASK = re.compile(r"多长|多長|\bhow long\b", re.I)


def asks_length(question: str) -> bool:
    """A duration question whose "多长 / how long" names no time word: what is measured may be a
    length (全国铁路网要多长 → 20万公里), so a sentence stating a length in kilometres or metres
    answers it as well as a length of time would."""
    text = to_simplified(question)
    return bool(_BARE_LENGTH_ASK.search(text)) and not _TIME_MEASURED.search(text)


# "How much higher would X be", "高出多少": a difference, which a percentage or a multiple states
# whatever X is measured in (专利将增长 75%).
_CHANGE_ASKED = re.compile(
    r"\bhow much (?:higher|lower|more|less|larger|bigger|greater|smaller|faster|slower|cheaper|dearer)\b"
    r"|\bhow (?:fast|quickly|rapidly)\b[^?]{0,80}?\b(?:grow|grew|grown|growing|rise|rose|risen|rising|"
    r"increas\w*|expand\w*|fall|fell|fallen|declin\w*|drop\w*)\b|\bat what (?:rate|pace|speed)\b"
    r"|\bby (?:roughly |about |approximately |around )?how much\b"
    r"|\bhow much (?:did|does|do|has|have|had|will|would)\b[^?]{0,80}?\b(?:grow|rise|increase|fall|decline|"
    r"drop|shrink|expand)\b"
    r"|(?:高出|多出|增加了?|增长了?|提高了?|减少了?|下降了?)多少|增速|增长率|增幅|涨幅|降幅|(?:增长|上升|下降)(?:得)?(?:有)?多快",
    re.I,
)


def asks_change(question: str) -> bool:
    """The question asks by how much something differs or changed, not its amount."""
    return bool(_CHANGE_ASKED.search(to_simplified(question)))
