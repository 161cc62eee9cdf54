"""The parts of a multi-part question as a small dialogue: a later part that names no subject
of its own ("计划发射多少颗低轨卫星？", "集成电路方面又要重点突破什么？") is about the subject the
part before named, so it is asked with that subject; a part naming its own (a 《title》, a year,
a place, an organisation) is asked as it is. Without an LLM; the conversation-level rewrite of a
follow-up lives in ``rag.answer.question``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.answer.citations.figures import asked_years, quantities, years_in
from rag.answer.prompts import is_refusal
from rag.answer.question import (
    _ASK_SPAN_ZH,
    _EN_NAME,
    _EN_STOP,
    _GENERIC,
    _TITLE,
    _VAGUE_ATTRIBUTE,
    COMMON_ACRONYMS,
    _best_translations,
    _glosses,
    clause_number,
    detect_slot,
    ellipsis_subject,
    english_place,
    glossary_forms,
    glossary_names,
    is_ask_word,
    is_follow_up,
    is_question,
    is_time_span,
    rewrite_follow_up,
    subject_en,
    swap_subject,
    topic,
    without_replaced_places,
)
from rag.text import detect_language, keyword_tokens, place_names, to_simplified
from rag.types import Hit

# Where the subject of a Chinese question ends and what is said about it begins: a predicate
# word (要/打算/针对/认为…) or a clause break (的/里 stay: "城市硬科技指数里第三梯队" is one subject).
_PREDICATE_ZH = re.compile(
    r"[，,、：:]|除了|要|想|打算|计划|将|会|对|针对|在|把|为|為|向|给|給|是|认为|認為|提出|建议|建議|要求|强调|強調"
    r"|有|定了|如何|怎样|怎樣|希望|想要|把|由|被|(?<![应應使采採利运運作])用|(?<![依])靠|通过|通過"
)
# A leading source clause ("根据某数据，", "按文章分析，") says where, not what about.
_SOURCE_ZH = re.compile(
    r"^(?:(?:根据|根據|按照|按|据|據|依照|依據|依据)[^，,]{0,30}"
    r"|[^，,]{2,20}?(?:说|說|认为|認為|指出|表示|称|稱|提到))[，,：:]\s*"
)
_DEICTIC_ZH = re.compile(r"[这這那][个個些项項份部套位家次场場篇]|该|該|此")
# "X的Y是多少/是什么": Y is what the question asked about X (its attribute), not its subject.
_ASKS_ATTRIBUTE_ZH = re.compile(
    r"^(?:是|为|為|有|大约是|大約是|分别是|分別是)?(?:多少|什么|什麼|甚么|甚麼|哪些|哪[一几幾]?[个個项項类類种種]?|几[个個]?|幾[个個]?|谁|誰)"
    r"[\u3400-\u9fff]{0,3}[？?。]?\s*$"
)
_OF_ATTRIBUTE_ZH = re.compile(r"的([\u3400-\u9fff]{2,6})$")
_MIN_SUBJECT = 4  # CJK characters: shorter is a fragment, not a subject


def names_own_subject(part: str) -> bool:
    """The part names what it is about: a 《title》, a year, a specific place, an organisation
    (jieba ``nt``) or, in English, a capitalised name or uncommon acronym. Stricter than
    ``question.names_own_topic``: jieba tags many two-character words as person names (卫星)."""
    if _TITLE.search(part) or asked_years(part):
        return True
    latin = [w for w in re.findall(r"[A-Za-z][A-Za-z&'-]+", part) if w.lower() not in COMMON_ACRONYMS]
    if detect_language(part) == "en":
        return any(w[0].isupper() for w in latin[1:] if w != "I")
    if latin or place_names(part):
        return True
    import jieba.posseg as pseg

    return any(flag == "nt" and len(w) >= 2 for w, flag in pseg.cut(to_simplified(part)))


def shared_subject(question: str) -> str:
    """The subject a Chinese part names, to carry into the parts after it: its 《titles》, else
    the words before its predicate ("百日审查报告针对原料药建议…" → 百日审查报告; "日本战略除了…" →
    日本战略); the whole topic when no predicate follows a
    subject long enough. English parts carry their topic words."""
    about = topic(question)
    if detect_language(question) == "en" or _TITLE.search(about):
        return about
    about = _DEICTIC_ZH.sub("", about)  # "德國這個通訊研究計劃": 這個 points, it names nothing
    about = _SOURCE_ZH.sub("", about)
    # The topic first; the question itself when the topic lost its predicate ("報告認為哪些因素…":
    # the topic drops 為 and keeps the kind asked, 因素導致…).
    for text in (about, _SOURCE_ZH.sub("", _DEICTIC_ZH.sub("", question))):
        words = _word_bounds(text)
        quoted = _quoted_spans(text)
        for m in _PREDICATE_ZH.finditer(text):
            if m.start() not in words:  # inside a word: 行动计划 is a plan, 要求 no 要
                continue
            if any(a < m.start() < b for a, b in quoted):  # inside a name: 德国“主权、数字化、联网”研究计划
                continue
            head = text[: m.start()].strip()
            if len(re.findall(r"[\u3400-\u9fff]", head)) >= _MIN_SUBJECT:
                return without_attribute(head, text[m.start() :])
    return about


_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|《[^》]*》|『[^』]*』|‘[^’]*’|\"[^\"]*\"")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def without_attribute(head: str, rest: str) -> str:
    """The subject without the attribute the question asked of it: "澳洲人工智能行动计划的战略目标
    是什么" is about the plan (a later part asks its own attribute: 国防方面的措施), so 的战略目标 is
    not carried. Only when the predicate asks at once (是什么/是多少/有哪些) and a subject long
    enough remains ("深圳先行示范区的科技创新行动方案把…" keeps its plan; "…的条例是哪个部门发布的"
    asks about the 条例)."""
    m = _OF_ATTRIBUTE_ZH.search(head)
    if not m or not _ASKS_ATTRIBUTE_ZH.match(rest):
        return head
    kept = head[: m.start()].strip()
    return kept if len(re.findall(r"[\u3400-\u9fff]", kept)) >= _MIN_SUBJECT else head


def carried_topic(previous: str, question: str = "") -> str:
    """What a follow-up (or a later part) that names no subject of its own is about: the subject
    of the Chinese question before it, without what that question asked about it (its predicate,
    its slot's words: "希望大湾区到2025年达到什么地位" is not carried into "它对高新区有什么安排？"):
    the words before its predicate, or the whole question without its asking words when that
    subject is a fragment ("藍圖用甚麼新說法取代了「再工業化」" → 藍圖用新說法取代了「再工業化」).
    English: its content words without its wh-phrase, which holds what it asked
    (``question.subject_en``); its named noun phrases alone (… programme, … review) helped one
    blind dev dialogue and cost one on test, so they were dropped."""
    if detect_language(previous) == "en":
        # "Under Japan's Integrated Innovation Strategy 2021, how will…": the scope phrase is the
        # subject, its preposition is not ("Does it put…" must not read "Does Under Japan's…").
        return _LEAD_PREPOSITION_EN.sub(
            "", subject_en(previous, keep_picked=bool(_POINTS_BACK_EN.search(question)))
        )
    if question and detect_language(question) == "en" and detect_slot(previous) == "date":
        # "美國國防部是從哪一年開始對製造業創新研究所做…評估？" dates an event: the whole clause is
        # what "it" points at, not the agent before 是 (美國國防部). An English follow-up reaches the
        # Chinese passages through these words only.
        return content_of(previous) or previous
    pointed = deictic_subject(previous)
    if pointed:
        return pointed
    about = shared_subject(previous)
    # A "subject" still holding what was asked ("三星靠什么策略", cut before 在) is the question's
    # predicate, not its topic: the whole question without its ask words carries both.
    asks = _ASK_SPAN_ZH.search(about.rstrip("？?。！!"))
    if not asks and (_TITLE.search(about) or len(re.findall(r"[\u3400-\u9fff]", about)) >= _MIN_SUBJECT):
        return about
    whole = re.sub(r"^[，,\s]+|[，,。？?！!\s]+$", "", _ASK_SPAN_ZH.sub("", previous))
    return whole or about


_LEAD_PREPOSITION_EN = re.compile(r"^(?:under|according to|in|within|for|from)\s+(?=\S)", re.I)
_POINTS_BACK_EN = re.compile(r"\b(?:it|its|they|them|their)\b", re.I)
_POINTED_ZH = re.compile(r"[这這那][个個些项項份部套位家次场場篇台款座条條]")


def deictic_subject(previous: str) -> str:
    """A subject the question points at ("浙大和之江实验室造的那台类脑计算机装了多少颗芯片" →
    浙大和之江实验室造的类脑计算机): the words up to the nouns after 那台/这项, without the pointer;
    what follows is said about it. Empty when nothing is pointed at."""
    import jieba.posseg as pseg

    m = _POINTED_ZH.search(previous)
    if not m:
        return ""
    end = at = m.end()
    for word, flag in pseg.cut(to_simplified(previous[m.end() :])):
        if not (flag.startswith("n") or flag in ("vn", "j")):  # 通信(j)技术研究(vn)计划
            break
        at += len(word)
        if flag.startswith("n"):
            end = at
    if end == m.end():
        return ""
    subject = _SOURCE_ZH.sub("", previous[: m.start()] + previous[m.end() : end]).strip()
    return subject if len(re.findall(r"[\u3400-\u9fff]", subject)) >= _MIN_SUBJECT else ""


def condense_follow_up(question: str, history: list[tuple[str, str]], about: str | None = None) -> str:
    """Without an LLM, a follow-up as a standalone question: the previous user question's subject
    (``carried_topic``) is carried into it; standalone questions pass unchanged. A follow-up
    pointing at the previous answer itself (``answer_pointer``) is scoped by that answer instead."""
    if not (is_follow_up(question) or not names_own_subject(question)):
        return question
    # "And what about 2020?" is the ellipsis "What about 2020?": the previous question asked for 2020.
    question = _AND_WHAT_ABOUT_EN.sub("", question)
    previous = next((t for r, t in reversed(history) if r == "user"), "")
    if about is None:
        question = dated_by_answer(
            question, previous, next((t for r, t in reversed(history) if r == "assistant"), "")
        )
    if about is None and previous and is_question(previous):
        scoped = scoped_by_answer(
            question, previous, next((t for r, t in reversed(history) if r == "assistant"), "")
        )
        if scoped:
            return scoped
    resolved = _resolve_pointer(question, history, previous) if about is None else None
    if resolved:
        return resolved
    swapped = same_ask_of_name_en(question, previous) if about is None else None
    if swapped:
        return swapped
    if about is None and previous and is_question(previous):
        event = pointed_event_en(question, next((t for r, t in reversed(history) if r == "assistant"), ""))
        if event:
            return rewrite_follow_up(question, history, about=event)
    if about is None and previous and is_question(previous):
        about = without_replaced_places(carried_topic(previous, question), question)
        kind, many = asked_kind(previous)
        back = _POINTS_BACK_ZH.match(to_simplified(question))
        # 它们/这些 point at things counted (多少个机器人); 它/其 at the one picked (哪种处理器).
        if (
            kind
            and back
            and (back.group(1) in ("它们", "这些", "其中")) == many
            and kind not in to_simplified(about)
        ):
            about += kind  # "它们靠什么供电？" after "…造出了多少个微型机器人？": the robots
        if back and about and _BY_DEGREE_ZH.search(question) and ellipsis_subject(question) is not None:
            # A pronoun-led question asking by degree ("它把晶体管做到了多小？") asks; it is no
            # ellipsis naming a new subject: the pronoun is replaced by what it points at (the
            # one the previous question picked: "最早做出碳纳米管器件的是哪家公司" → …的公司).
            picked = _PICKED_ZH.search(to_simplified(previous))
            if about.endswith("的") and picked and picked.group(1) not in about:
                about += picked.group(1)
            return question[: back.start(1)] + about + question[back.end(1) :]
    return rewrite_follow_up(question, history, about=about)


def same_ask_of_name_en(question: str, previous: str) -> str | None:
    """An English follow-up asking the previous question's own attribute of a new name ("What was
    Germany's rate?" after "…at what compound annual rate did China's high-tech exports grow?"):
    every word of it but the name and its function words is the previous question's, so it is
    that question about the name (``swap_subject``), its slot (a percentage) included; None
    otherwise, or when the previous question names nothing of the name's kind."""
    if detect_language(question) != "en" or detect_language(previous) != "en":
        return None
    if set(years_in(question)) - set(years_in(previous)):
        return None  # a new year too: the ordinary rewrite re-times the question
    words = re.findall(r"[A-Za-z][\w'-]*", question)
    before = {w.lower().removesuffix("'s") for w in re.findall(r"[A-Za-z][\w'-]*", previous)}
    names = [
        m.group(0)
        for m in _EN_NAME.finditer(question)
        if m.start() > 0 and re.sub(r"^(?:the|The)\s+|'s$", "", m.group(0)).lower() not in before
    ]
    if len(names) != 1:
        return None
    name_words = {w.lower().removesuffix("'s") for w in re.findall(r"[A-Za-z][\w'-]*", names[0])}
    own = [w.lower().removesuffix("'s") for w in words[1:]]
    own = [w for w in own if w not in name_words and w not in _EN_STOP]
    if not own or any(w not in before for w in own):
        return None  # nothing asked, or something new asked: the ordinary rewrite
    return swap_subject(previous, names[0])


# "that year", "the same year", 那一年/当年/同年: a year the follow-up takes from the turn before.
_THAT_YEAR_EN = re.compile(r"\b(?:in\s+|during\s+|by\s+)?(?:that|the\s+same)\s+year\b", re.I)
_THAT_YEAR_ZH = re.compile(r"(?:在)?(?:那一年|那年|当年|同年|该年|这一年)")
_ASKS_YEAR = re.compile(r"哪一?年|何年|什么时候|何时|\b(?:which|what)\s+year\b|\bwhen\b", re.I)


def dated_by_answer(question: str, previous: str, answer: str) -> str:
    """A follow-up pointing at the year the previous ANSWER gave ("What was … that year?" after
    "Who proposed the plan, and in which year?" answered 2015年): the pointer becomes that year
    ("in 2015", "2015年"), so the year constrains the answer as if the user had typed it. The year
    a previous question named itself is carried by the ordinary rewrite; the question unchanged
    when the previous question asked no year or its answer gives none."""
    folded = to_simplified(question)
    en = detect_language(question) == "en"
    m = _THAT_YEAR_EN.search(question) if en else _THAT_YEAR_ZH.search(folded)
    if not m or asked_years(previous) or not _ASKS_YEAR.search(to_simplified(previous)):
        return question
    years = [y for s in answer_sentences(answer) for y in years_in(s)]
    if not years:
        return question
    said = f"in {years[0]}" if en else f"{years[0]}年"
    return f"{question[: m.start()]}{said}{question[m.end() :]}"


_PICKED_ZH = re.compile(r"是?哪[一]?[个家位所种条项台款][\u4e00-\u9fff]{0,2}?([\u4e00-\u9fff]{2})[？?]?$")
_BY_DEGREE_ZH = re.compile(r"多[小大远遠长長快高低重轻輕久深宽寬厚薄]")
_AND_WHAT_ABOUT_EN = re.compile(r"^\s*and\s+(?=(?:what|how)\s+about\b)", re.I)


def _resolve_pointer(question: str, history: list[tuple[str, str]], previous: str) -> str | None:
    """A Chinese follow-up pointing at a class or a body ("这类企业…", "该局…") asked about what it
    points at (``pointed_subject``), with the previous question's topic when the body came from
    the previous answer or the topic is not in the phrase."""
    if not previous or not is_question(previous) or detect_language(question) != "zh":
        return None
    if detect_language(previous) != "zh":
        return None
    answer = next((t for r, t in reversed(history) if r == "assistant"), "")
    pointed = pointed_subject(question, previous, answer)
    if not pointed:
        return None
    pointer, subject, from_answer = pointed
    resolved = question.replace(pointer, subject, 1)
    folded = to_simplified(resolved)
    if from_answer:  # the body answered "哪个部门…"; the rest of that question is the topic
        about = content_of(previous)
    else:  # the class is the previous question's; its titles and places still scope it
        about = " ".join(
            [m.group(0) for m in _TITLE.finditer(previous)]
            + [p for p in place_names(previous) if to_simplified(p) not in folded]
        )
    return resolved if not about or to_simplified(about) in folded else f"{about} {resolved}"


# "that conference", "the meeting": an English pointer at an event the previous ANSWER named (the
# question before asked when or what, and its answer's quote names the congress); its Chinese kinds.
_EVENT_POINTER_EN = re.compile(
    r"\b(?:that|this|the|those|these)\s+(conferences?|meetings?|congress(?:es)?|summits?|forums?|sessions?)\b",
    re.I,
)
_EVENT_KINDS_ZH = {
    "conference": ("大会", "会议"),
    "meeting": ("会议", "大会", "座谈会"),
    "congress": ("大会", "代表大会"),
    "summit": ("峰会",),
    "forum": ("论坛",),
    "session": ("会议", "全会"),
}


def pointed_event_en(question: str, answer: str) -> str:
    """The event an English follow-up points at ("Where was that conference held?") as the
    previous answer names it in the documents' Chinese ("中国科学院第二十次院士大会"): the names of
    that kind its quotes give, in order, joined by spaces; empty when it names none (the ordinary
    rewrite then carries the previous question's subject)."""
    m = _EVENT_POINTER_EN.search(question)
    if not m or detect_language(question) != "en" or not answer:
        return ""
    kind = m.group(1).lower().rstrip("s")
    kind = "congress" if kind.startswith("congres") else kind
    text = to_simplified(" ".join(answer_sentences(answer)) or answer)
    names: list[str] = []
    for zh in _EVENT_KINDS_ZH.get(kind, ()):
        for hit in re.finditer(re.escape(zh), text):
            head = text[max(0, hit.start() - 12) : hit.start()]
            cut = max((b.end() for b in _NAME_BOUND_ZH.finditer(head)), default=0)
            name = head[cut:] + zh
            whole = len(name) >= len(zh) + 2 and re.fullmatch(r"[\u4e00-\u9fff]+", name)
            if whole and not any(name in n or n in name for n in names):
                names.append(name)
    return " ".join(names)


_POINTS_BACK_ZH = re.compile(r"^(?:那么|那)?\s*(它们|其中|它|其|这些)")
_ASKS_KIND_ZH = re.compile(r"(?:多少|几|哪)[一二两三四五六七八九十几\d]*[个项种类家台颗座所位名些]")


def asked_kind(previous: str) -> tuple[str, bool]:
    """The kind of thing a Chinese question counted or picked ("多少个能行走的微型机器人" → 机器人,
    "哪种处理器" → 处理器), when it is concrete, and whether it asked for many (多少/几/哪些): a
    later pronoun may point at those things. Vague kinds (方面, 措施, 机构) are not carried."""
    import jieba.posseg as pseg

    folded = to_simplified(previous)
    m = _ASKS_KIND_ZH.search(folded)
    if not m:
        return "", False
    words = [(w, f) for w, f in pseg.cut(re.split(r"[，,。？?！!；;]", folded[m.end() :])[0])]
    nouns = [w for w, f in words if f.startswith("n") and len(w) >= 2]
    if not words or not nouns or words[-1][0] != nouns[-1]:
        return "", False  # the kind ends the question: 多少个机器人？, not 多少个部门发布了它
    kind = nouns[-1]
    many = not m.group(0).startswith("哪") or m.group(0).endswith("些")
    return ("", False) if kind in _VAGUE_ATTRIBUTE or kind in _GENERIC else (kind, many)


def _word_bounds(text: str) -> set[int]:
    """Where jieba's words start in the text (t2s keeps character positions)."""
    import jieba

    starts, at = set(), 0
    for w in jieba.cut(to_simplified(text)):
        starts.add(at)
        at += len(w)
    return starts


def condense_part(part: str, previous: str, about: str | None = None) -> str:
    """A later part of a multi-part question as a standalone question: one that leans on the part
    before (a pronoun, an ellipsis, no subject of its own) is asked about that part's subject."""
    if not (is_follow_up(part) or not names_own_subject(part)):
        return part
    if about is None and detect_language(previous) == detect_language(part):
        about = carried_topic(previous, part)
    return rewrite_follow_up(part, [("user", previous)], about=about)


def carried_places(standalone: str, asked: str) -> frozenset[str]:
    """The places a rewritten follow-up (or later part) carries from the question before it and
    does not name itself: "日本战略 计划发射多少颗低轨卫星？" asks about Japan's plan, so a passage
    about the United States' satellites does not answer it. Empty when nothing was carried."""
    if not asked or standalone == asked:
        return frozenset()
    if detect_language(standalone) == "en":
        return _carried_places_en(standalone, asked)
    own = place_names(asked)
    carried = place_names(standalone) - own
    # A follow-up naming a place of its own asks about it, not about the previous one.
    return frozenset() if own else carried


def _carried_places_en(standalone: str, asked: str) -> frozenset[str]:
    """The places (in the documents' Chinese) an English year swap carries from the question
    before it: "And in 2021?" after "…did the Pearl River Delta contribute in 2020?" is that
    question for 2021, the Pearl River Delta (珠江三角洲/珠三角) still its subject, so Shanghai's
    2021 figure does not answer it. Each place is one group of its forms joined by "/"
    (``place_aliases``). A name run (not the first word) the dictionary turns into a specific
    place (China and the like are none, ``english_place``). Other English follow-ups append the
    previous topic as context, where a place often only says which document is meant: none."""
    swapped = ellipsis_subject(asked)
    if not swapped or not asked_years(swapped) or detect_language(asked) != "en":
        return frozenset()
    out = set()
    for m in _EN_NAME.finditer(standalone):
        run = re.sub(r"^(?:the|The)\s+|'s$", "", m.group(0).strip())
        if m.start() == 0 or len(run) <= 2:  # the first word is capitalised anyway; "Xi" is no 息县
            continue
        forms = english_place(run.lower())
        if forms:
            out.add("/".join(forms))
    return frozenset(out)


def place_aliases(place: str) -> tuple[str, ...]:
    """The place and its other names: CC-CEDICT's names for the same English gloss (澳洲 and
    澳大利亚 are both "Australia"; 珠三角 and 珠江三角洲 "Pearl River Delta", a gloss that is a
    place), and the bare name (上海市 is also 上海)."""
    if "/" in place:  # an English place's forms (``_carried_places_en``)
        return tuple(f for name in place.split("/") for f in place_aliases(name))
    glossed = (
        (zh, bool(english_place(key.lower())))
        for key in _glosses().get(place, {})
        for zh in _best_translations(key)
    )
    same = [zh for zh, is_place in glossed if len(zh) >= 2 and (is_place or zh in place_names(zh))]
    bare = [place[:-1]] if len(place) >= 3 and place[-1] in "市省县州" else []
    return tuple(dict.fromkeys([place, *same, *bare]))


def about_places(places: frozenset[str], passage: str) -> bool:
    """The passage (title, section, text) names every place, under one of its names or written
    out in full (浙大 for 浙江大学: the two characters in order, one or two between them)."""
    folded = to_simplified(passage)
    return all(any(a in folded for a in place_aliases(p)) or _written_out(p, folded) for p in places)


def _written_out(short: str, text: str) -> bool:
    """A two-character abbreviation whose full form the text holds (浙大 → 浙江大学)."""
    if len(short) != 2:
        return False
    return re.search(re.escape(short[0]) + r"[\u4e00-\u9fff]{1,2}" + re.escape(short[1]), text) is not None


def preceding_text(hit, hits) -> str:
    """The text of the chunk just before the hit's in its document, when it was retrieved too: a
    passage continuing it ("《规划》部署的…") is about the subject that chunk names, so words a
    follow-up carries are read there as well."""
    source, _, index = hit.chunk.chunk_id.rpartition("#")
    if not index.isdigit():
        return ""
    before = f"{source}#{int(index) - 1}"
    return next((h.chunk.text for h in hits if h.chunk.chunk_id == before), "")


def content_of(question: str) -> str:
    """A Chinese question without the words that ask (它的多少/哪些/什么…): everything it says."""
    return re.sub(r"^[，,\s]+|[，,。？?！!\s]+$", "", _ASK_SPAN_ZH.sub("", question))


# A follow-up's own terms: what it adds to the carried subject. Rarer than this (BM25 IDF over the
# corpus's chunks) a noun names an attribute or sub-topic the answer must state itself; commoner
# nouns (资金, 核心, 比例) are said in other words. Fitted on blind dev (per batch; eval/ROUNDS.md).
FOLLOW_UP_MIN_IDF = 4.0
_FIGURE_KIND_ZH = re.compile(r"[数额率量值]$|比例$|比重$|份额$")
# Places and bodies: jieba tags many two-character words as person names (卫星 nr), so those are not
# read as names here.
_NAME_FLAGS_ZH = frozenset({"ns", "nt"})
_PLACE_FLAGS = frozenset({"ns", "nt", "nr", "nrt", "nrfg"})  # a dictionary translation that is a name
_NOUN_FLAGS_ZH = frozenset({"n", "nz", "nt", "ns", "nr", "nrt", "nrfg", "nl"})


def follow_up_terms(
    asked: str,
    previous: str,
    *,
    idf: Callable[[str], float],
    wants_figure: bool,
    translate: Callable[[str], Sequence[str]] | None = None,
    min_idf: float = FOLLOW_UP_MIN_IDF,
) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """What a follow-up names that the previous question did not, each a group of forms the
    answering sentence (or its heading) must hold one of: a new name (a place, a body, a person:
    "What was Germany's rate?" → 德国, "那台积电呢" → 台积电), read in English through the dictionary
    (a capitalised word the dictionary turns into a place, body or person's name); and for a figure asked, its own rare nouns ("其中有多少给台积电在
    美国建厂" → 建厂): the carried subject's other figure does not answer for them. The carried
    subject is the passage's business (checked elsewhere), not the sentence's. Returns every
    term and, of them, the nouns a figure is asked for (``unstated_figures``)."""
    import jieba.posseg as pseg

    before = to_simplified(previous).lower()
    groups: list[tuple[str, ...]] = []
    counted: list[tuple[str, ...]] = []
    if detect_language(asked) == "en":
        return tuple(g for g in _english_names(asked, translate) if not any(f in before for f in g)), ()
    # "佢總結咗四大發展方向之後，再細分成幾多個策略": the clause before 之后 sets the scene; what is
    # asked follows it, and only that must be said.
    folded = _AFTER_CLAUSE_ZH.sub("", to_simplified(asked), count=1)
    cut = [(w, f) for w, f in pseg.cut(folded)]
    flags = dict(cut)
    for word in dict.fromkeys([*flags, *_noun_phrases(cut)]):
        if len(word) < 2 or word in before or is_ask_word(word) or _DEICTIC_ZH.search(word):
            continue
        if word in _VAGUE_ATTRIBUTE or word in _GENERIC or is_time_span(word):
            continue
        pieces = [flags.get(word)] if word in flags else [f for _, f in pseg.cut(word)]
        named = word in flags and (flags[word] in _NAME_FLAGS_ZH or word in place_names(word))
        noun = any(f and f.startswith("n") for f in pieces)
        if not named and _FIGURE_KIND_ZH.search(word):
            continue  # 票数, 金额, 增长率: the kind of figure asked, which the slot check reads
        if named or (wants_figure and noun and idf(word) >= min_idf):
            groups.append((word,))
            if not named:
                counted.append((word,))
    if wants_figure:
        # "其中有几位是智库专家": a kind of person or body (专家) after its own noun is what is counted;
        # such a compound is not required of the sentence (text calls them otherwise), but where the
        # sentence names it, its figure must be its own (``unstated_figures``).
        counted += [(p,) for p in _noun_phrases(cut, vague_head=True) if p not in before]
    return tuple(dict.fromkeys(groups)), tuple(dict.fromkeys(counted))


def unstated_figures(groups: Sequence[tuple[str, ...]], sentence: str) -> list[str]:
    """The terms a figure was asked for that the sentence names in a clause stating no figure
    ("…云计算、区块链等领域多家高技术企业上榜": 区块链 is listed, its count is not given). A term
    only in the heading leaves the sentence's figure to it."""
    folded = to_simplified(sentence).lower()
    clauses = re.split(r"[，,；;。！!？?]", folded)
    out = []
    for g in groups:
        held = [c for c in clauses if any(f.lower() in c for f in g)]
        if held and not any(quantities(_without_list_total(c, g)) for c in held):
            out.append(g[0])
    return out


# "由A、B、智库专家及C等11名同志组成": the figure after 等 closing a list counts the whole list.
_ITEM_REACH = 8  # characters of an item written before the term (及市政府督查室|负责人)
_LIST_TOTAL_ZH = re.compile(r"等\s*[\d一二两三四五六七八九十百千万]+")


def _without_list_total(clause: str, forms: Sequence[str]) -> str:
    """The clause without the figure that totals a list the term is one item of ("智库专家及…等11名":
    11 counts the whole group, not the experts), so that figure does not answer for the term."""
    for form in forms:
        at = clause.find(form.lower())
        if at < 0:
            continue
        m = _LIST_TOTAL_ZH.search(clause, at + len(form))
        if (
            m
            and re.search(r"[、及和与]", clause[max(0, at - _ITEM_REACH) : m.start()])
            and not quantities(clause[at : m.start()])
        ):
            return clause[: m.start()] + clause[m.end() :]
    return clause


def _english_names(asked: str, translate: Callable[[str], Sequence[str]] | None) -> list[tuple[str, ...]]:
    """The capitalised words of an English question (not its first word: "What", "And") that the
    dictionary translates into a Chinese name (jieba tags it a place, body or person: Germany →
    德国, Diet → 国会), each with its forms; words with no such translation are not required."""
    import jieba.posseg as pseg

    if translate is None:
        return []
    # A name the glossary knows whole (the Pearl River Delta → 珠三角) is one group, not three words.
    out: list[tuple[str, ...]] = []
    for phrase, forms in glossary_names(asked):
        out.append((phrase.lower(), *forms))
        asked = asked.replace(phrase, " ")
    words = re.findall(r"[A-Za-z][\w&.-]*", asked)
    for word in words[1:]:
        bare = word.removesuffix("'s")
        if not bare[0].isupper() or bare.isupper() or "-" in bare or bare.lower() in _EN_STOP:
            continue
        forms = [
            to_simplified(t)
            for t in translate(bare)
            if len(t) >= 2 and any(f in _PLACE_FLAGS for _, f in pseg.cut(to_simplified(t)))
        ]
        if forms:
            # The reviewed glossary's forms are alternatives too (Mainland: 内地, as Hong Kong writes it).
            forms += glossary_forms(bare)
            out.append(tuple(dict.fromkeys([bare.lower(), *forms])))
    return out


def _noun_phrases(cut: Sequence[tuple[str, str]], *, vague_head: bool = False) -> list[str]:
    """A noun with the nouns and verbs written on after it, as one term (量子+计算, 区块+链, 卫星+导航):
    the compound names the sub-topic, its first piece alone is often common (量子). ``vague_head``:
    only the compounds whose last piece is a vague kind (智库+专家), else none holding one."""
    out, run = [], []
    padded = [*cut, ("", "x")]
    for i, (word, flag) in enumerate(padded):
        ends = padded[i + 1][1] in ("x", "uj") if i + 1 < len(padded) else True
        # A verb closes the compound only where the phrase ends (做量子计算？, not 深圳开展哪种).
        if run and (flag.startswith("n") or flag == "vn" or (flag == "v" and len(word) >= 2 and ends)):
            run.append(word)
            continue
        vague = [w in _VAGUE_ATTRIBUTE for w in run]
        if len(run) >= 2 and (vague[-1] and not any(vague[:-1]) if vague_head else not any(vague)):
            out.append("".join(run))
        run = [word] if flag.startswith("n") and len(word) >= 2 else []
    return out


_AFTER_CLAUSE_ZH = re.compile(r"^[^，,。？?]{2,30}?(?:之后|以后|之後|以後)[，,]")


def unmet_groups(groups: Sequence[tuple[str, ...]], context: str) -> list[str]:
    """The groups (by their first form) that the folded context does not hold."""
    folded = to_simplified(context).lower()
    return [g[0] for g in groups if not any(form.lower() in folded for form in g)]


# "这类企业", "此类机构", "这些企业", "该局", "該會": a pointer and the kind it points at.
# 这些 is read by ``question.rewrite_follow_up`` (这些方向 after a topic ending in 方向).
_POINTER_KIND_ZH = re.compile(r"(?:这类|此类|这种|该类|该|此)([\u4e00-\u9fff]{1,2})")
_BODY_KIND_ZH = frozenset("局院会委部所厅署办处署司组")
# Where a name written in running text starts: after a particle, verb of saying, figure or mark.
_NAME_BOUND_ZH = re.compile(r"[的了在由是为被将向对从把以据称和与，,。：:；;、“”\"「」『』《》（）()\s\d]")


def pointed_subject(question: str, previous: str, answer: str = "") -> tuple[str, str, bool] | None:
    """What "这类企业 / 该局 / 此类机构" in a Chinese follow-up points at: the previous question's
    noun phrase ending in that kind ("中国有多少家硬科技类独角兽企业" → 硬科技类独角兽企业), else,
    when the previous question asked which one (哪个部门 → 该局), the name of that kind the previous
    answer's quotes give (创新科技及工业局). Returns (the pointer as written, the subject, whether
    it came from the answer), or None."""
    folded = to_simplified(question)
    m = _POINTER_KIND_ZH.search(folded)
    if not m:
        return None
    kind = _kind_after(folded, m)
    if not kind:
        return None
    pointer = question[m.start() : m.start(1) + len(kind)]
    before = to_simplified(previous)
    own = _phrase_ending(before, kind)
    if own:
        return pointer, own, False
    named = _name_ending(to_simplified(answer), kind) if answer else ""
    return (pointer, named, True) if named else None


def _kind_after(folded: str, m: re.Match[str]) -> str:
    """The kind a pointer names: one body character after 该/此 (该局, 该院), else the noun after
    it (这类企业)."""
    import jieba.posseg as pseg

    start = m.start(1)
    if folded[start] in _BODY_KIND_ZH and m.group(0)[0] in "该此" and len(m.group(0).rstrip(m.group(1))) == 1:
        return folded[start]
    for word, flag in pseg.cut(folded[start:]):
        return word if flag.startswith("n") and len(word) >= 2 else ""
    return ""


def _phrase_ending(text: str, kind: str) -> str:
    """The noun phrase of the text that ends with the kind (adjectives and nouns before it)."""
    import jieba.posseg as pseg

    at = text.rfind(kind)
    if at < 0:
        return ""
    words = list(pseg.cut(text[: at + len(kind)]))
    kept: list[str] = []
    for word, flag in reversed(words):
        if not (flag[0] in "nabj" or flag in ("vn", "eng")) or (kept and is_ask_word(word)):
            break
        kept.insert(0, word)
    phrase = "".join(kept)
    return phrase if len(phrase) > len(kind) + 1 and phrase.endswith(kind) else ""


def _name_ending(text: str, kind: str) -> str:
    """The first name of that kind the text writes (创新科技及工业局, 美国参议院): the characters
    before the kind back to a particle, mark or figure, at least two of them."""
    for m in re.finditer(re.escape(kind), text):
        head = text[max(0, m.start() - 12) : m.start()]
        cut = max((b.end() for b in _NAME_BOUND_ZH.finditer(head)), default=0)
        name = head[cut:] + kind
        if len(name) >= len(kind) + 2 and re.fullmatch(r"[\u4e00-\u9fff]+", name):
            return name
    return ""


# --- follow-ups pointing at the previous answer ----------------------------------------------
# Most follow-ups ask something new about the previous topic, and are answered for their own slot
# (never re-ranked toward the previous answer). A few point at the previous ANSWER itself: its
# N-th listed item ("其中第三点指的是什么？"), the reason for the claim it quoted ("為甚麼這麼說？",
# "Why is that?"), the source of the passage it cited ("这篇分析出自哪里？"). Their scope IS that
# answer: they are asked about what it said.
_ITEM_ZH = re.compile(
    r"(?:其中|当中|里面|上述|以上|这些|那些)[^，,。？?]{0,4}?第([一二两三四五六七八九十\d]+)[点项条个]"
)
_ITEM_EN = re.compile(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth)\s+(?:one|point|item)\b", re.I
)
_REASON_ZH = re.compile(
    r"(?P<why>为什么|为何|为甚么|何以|凭什么)(?:会|要)?(?:这么|这样|如此)(?:说|讲|认为|判断|看)"
    r"|(?:这么|这样)(?:说|讲|认为|判断)(?P<of>的?(?:理由|原因|依据|根据))"
)
_REASON_EN = re.compile(
    r"^\s*(?:and\s+)?why\s+(?:is that|so|(?:do|does|did)\s+(?:it|they|he|she)\s+say\s+(?:so|that))", re.I
)
_CITED_FROM_ZH = re.compile(
    r"[这此该那](?:篇|段|份|则|句|番)[^，,。？?]{0,6}?(?:出自|来自|来源|出处|引自|作者|是谁写)"
)
_CITED_FROM_EN = re.compile(
    r"\bwhere\s+(?:is|does|did)\s+(?:this|that)\b[^?]{0,20}\b(?:come\s+)?from\b|\bsource of (?:this|that)\b",
    re.I,
)
_ORDINAL_WORDS_EN = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
}


def answer_pointer(question: str) -> tuple[str, int] | None:
    """("item", N) | ("reason", 0) | ("source", 0) when the follow-up points at the previous answer
    itself rather than at its topic; None otherwise."""
    folded = to_simplified(question)
    m = _ITEM_ZH.search(folded)
    if m:
        return "item", int(clause_number(m.group(1)))
    m = _ITEM_EN.search(question)
    if m:
        return "item", _ORDINAL_WORDS_EN[m.group(1).lower()]
    if _REASON_ZH.search(folded) or _REASON_EN.search(question):
        return "reason", 0
    if _CITED_FROM_ZH.search(folded) or _CITED_FROM_EN.search(question):
        return "source", 0
    return None


_MARKER = re.compile(r"\s*(?:\[\d+\])+")
_QUOTED = re.compile(r"“([^”]{6,})”")


def answer_sentences(answer: str) -> list[str]:
    """The sentences an answer stated (its quotes, without markers, lead line or missing-part
    notes); empty for a refusal."""
    if not answer or is_refusal(answer):
        return []
    quoted = _QUOTED.findall(answer)  # an English answer: the Chinese quotes after its framing
    lines = quoted or [ln for ln in answer.splitlines()[1:] if ln.strip()]
    out = []
    for line in lines:
        if re.match(r"^(?:文件未提及|文件未提到|The documents do not)", line.strip()):
            continue
        text = _MARKER.sub("", line)
        out += [t.strip() for t in re.findall(r"[^。！？!?]+[。！？!?]?", text) if len(t.strip()) >= 4]
    return out


# A listed item inside a sentence: 一是…，二是…；(一)…；方向一：…
_LISTED_ZH = re.compile(r"(?:^|[，,；;。：:])\s*([一二三四五六七八九十])是")


def answer_items(sentences: Sequence[str]) -> list[str]:
    """The items the answer listed, in order: sentences numbered 一是/二是 (or the clauses of one
    sentence so numbered), else the answer's sentences themselves when there are several."""
    numbered: dict[int, str] = {}
    for sentence in sentences:
        marks = list(_LISTED_ZH.finditer(to_simplified(sentence)))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(sentence)
            n = "零一二三四五六七八九十".find(m.group(1))
            numbered.setdefault(n, sentence[m.start(1) : end].strip("，,；;。 "))
    if numbered:
        return [numbered[n] for n in sorted(numbered)]
    return list(sentences) if len(sentences) > 1 else []


def scoped_by_answer(question: str, previous: str, answer: str) -> str | None:
    """A follow-up pointing at the previous answer (``answer_pointer``) as a standalone question
    about what that answer said: its N-th item, the claim it quoted (why / from where). When the
    previous answer gave nothing usable (a refusal, fewer items), the previous question's whole
    content is carried (what it asked included: the claim was its answer), not just its subject."""
    pointed = answer_pointer(question)
    if not pointed:
        return None
    kind, n = pointed
    sentences = answer_sentences(answer)
    zh = detect_language(question) == "zh"
    if detect_language(previous) == "zh":
        asked = re.sub(r"(?:是|为|為)?(?:甚么|甚麼)", "", content_of(previous))
    else:
        asked = subject_en(previous)
    if kind == "item":
        items = answer_items(sentences)
        if 0 < n <= len(items):
            item = items[n - 1]
            return f"{carried_topic(previous, question)}：{item}" if zh else f"{question} ({item})"
        return None  # the ordinal is asked of the previous topic: the ordinary rewrite does it
    claim = (sentences[0] if sentences else asked).rstrip("。！？!?")
    m = _REASON_ZH.search(to_simplified(question)) if kind == "reason" and zh else None
    if m:  # the pointer ("这么说") replaced by the claim, in the asker's words (t2s keeps positions)
        said = question[m.start("why") : m.end("why")] if m.group("why") else ""
        tail = question[m.start("of") : m.end("of")] if m.group("of") else ""
        return f"{question[: m.start()]}{said}{claim}{tail}{question[m.end() :]}"
    return f"{claim}：{question}" if zh else f"{question} ({claim})"


# A question that starts by pointing back (它/其中/该法案/这些方向, it/they) or says nothing but its
# slot ("多少钱？", "Why?", "那2022年呢？") has its subject in an earlier turn. With none, answering
# it would quote whatever sentence the pointer or the slot happens to match ("它呢？" → a sentence
# about 5G's 它), so the user is asked for the subject instead.
_LEADS_BACK_ZH = re.compile(
    r"^(?:那么|那|还有|另外|而)?\s*(?!其他|其它|其余|其实|此外|这样|那样|那么多)"
    r"(它们|它|其中|其|该|这些|这|那些|那|此|上述|前者|后者|他们|他|她)"
)
_PRONOUN_EN = re.compile(  # not the filler "it" of "is it true that…"
    r"\b(it|its|they|them|their|these|those|he|she|his|her)\b"
    r"(?!\s+(?:(?:is|was)\s+)?(?:true|possible|likely|necessary|important|said|known)\b)",
    re.I,
)
# "那条迎接中国挑战法案…": a pointer whose noun carries its own name (four or more characters before
# the kind of thing it is) says which one; "那条法案", "这个研发计划" do not.
_NAMED_KIND_ZH = re.compile(
    r"^[条个项份部本篇套家所]?[\u3400-\u9fff]{4,}"
    r"(?:法案|法|计划|规划|战略|报告|白皮书|纲要|蓝图|基金|项目|工程|政策|条例|方案|倡议|协定|中心|平台)"
)
# "那种小于0.1毫米的行走机器人": a demonstrative whose noun is described (four or more characters
# before its 的) says which one too; "这些城市的GDP", "那个问题的答案" do not, nor a pronoun's
# predicate (它占全社会研发经费的比例). 那/这 take a measure word (那种, 这项): 那 alone is "then".
_DESCRIBED_ZH = re.compile(
    r"(?P<measure>[种个条项份部本篇套家所位款类])?[^，,。；;？?的]{4,}的[\u3400-\u9fff]{2,}"
)
_MAX_BARE_ZH = 2  # CJK characters a slot-only question keeps once its ask words are gone (多少钱 → 钱)
_MAX_BARE_EN = 3  # content words beside a pronoun ("How much does it cost?" → cost)


def _described(lead: re.Match[str] | None, body: str) -> bool:
    """The pointer is a demonstrative whose noun the body describes (see ``_DESCRIBED_ZH``)."""
    m = _DESCRIBED_ZH.match(body)
    if lead is None or m is None:
        return False
    return lead.group(1) in ("那些", "这些") or (
        lead.group(1) in ("那", "这") and m.group("measure") is not None
    )


def dangling_reference(question: str) -> str | None:
    """With no earlier turn, the word by which a question leans on one (它, 该, "it", or its bare
    slot); None for a question that names what it is about."""
    q = to_simplified(question.strip())
    if detect_language(q) == "zh":
        lead = _LEADS_BACK_ZH.match(q)
        body = q[lead.end() :] if lead else q
        named = (
            names_own_subject(re.sub(r"\d{4}\s*年?", "", body))
            or _NAMED_KIND_ZH.match(body)
            or _described(lead, body)
        )
        if lead and not named:  # a year is no subject
            word = question.strip()[lead.start(1) : lead.end(1)]  # in the question's own script
            return question.strip() if word == "那" else word  # 那 alone is "then": quote the question
        bare = re.sub(r"\d{4}\s*年?|[的了又还呢吗么]", "", content_of(body))
        if len(re.findall(r"[\u3400-\u9fff]", bare)) <= _MAX_BARE_ZH and not re.search(r"[A-Za-z]", bare):
            return q
        return None
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z&'-]*", q) if w.lower() not in _EN_STOP]
    pronoun = _PRONOUN_EN.search(q)
    if not words or (pronoun and len(words) <= _MAX_BARE_EN and not names_own_subject(q)):
        return pronoun.group(1) if pronoun else q
    return None


# --- the carried topic scopes the passages ----------------------------------------------------
# A rewritten follow-up holds two kinds of words: CARRIED ones (the previous turn's topic: its
# entities, title, document) and its OWN (what it asks now). The carried words say which passage
# may answer, not which sentence: a passage naming too little of the topic (weighted by corpus IDF,
# so 3D打印 counts and 全球/市场 barely do) is about something else, even when its sentence fills
# the slot ("到2020年呢？" after the 3D-printing market in 2014 is not answered by graphene's 2020
# market). Fitted on blind dev per batch (README, eighth round: 0.4 and 0.5 measured equal, 0.6 lost one).
TOPIC_MIN_COVERAGE = 0.4


def carried_groups(
    standalone: str, asked: str, translate: Callable[[str], Sequence[str]] | None = None
) -> list[tuple[str, ...]]:
    """The words a rewritten follow-up carries from the turn before (the standalone's keyword
    tokens the user's own question does not hold, without ask words and years), each with its
    forms. Chinese words as written; of English ones only the names (a capitalised word, not the
    first, with the documents' Chinese for it from the dictionary): an English content word's
    dictionary senses (white → 蛋白, office → 公室) name no topic."""
    own = set(keyword_tokens(asked))
    groups: list[tuple[str, ...]] = []
    for token in dict.fromkeys(keyword_tokens(standalone)):
        if token in own or is_ask_word(token) or asked_years(token) or token.isdigit():
            continue
        if _CJK.search(token) and len(token) >= 2:  # one character (里) is a piece of many words
            groups.append((token,))
    if translate is not None and detect_language(standalone) == "en":
        own_words = {w.lower() for w in re.findall(r"[A-Za-z][\w&.-]*", asked)}
        for m in re.finditer(r"(?<![\w])([A-Z][\w&.-]*)", standalone):
            word = m.group(1).removesuffix("'s")
            if m.start() == 0 or word.lower() in own_words or word.lower() in _EN_STOP or word == "I":
                continue
            forms = [to_simplified(t) for t in translate(word) if _CJK.search(t) and len(t) >= 2]
            if forms:
                groups.append((word.lower(), *dict.fromkeys(forms)))
    return list(dict.fromkeys(groups))


_CJK = re.compile(r"[\u3400-\u9fff]")


def _is_name(forms: Sequence[str]) -> bool:
    """Some form is a place, body or person's name to jieba (俄罗斯 ns), not a common word."""
    import jieba.posseg as pseg

    return any(any(f in _PLACE_FLAGS for _, f in pseg.cut(form)) for form in forms)


def _folded(contexts: Sequence[str]) -> list[str]:
    """Passage contexts as ``topic_coverage`` reads them: t2s-folded, lowercased, no spaces."""
    return ["".join(to_simplified(c).lower().split()) for c in contexts]


def topic_coverage(
    groups: Sequence[tuple[str, ...]], contexts: Sequence[str], idf: Callable[[str], float]
) -> list[float]:
    """For each passage context, the IDF-weighted share of the carried groups it holds. Only the
    groups some retrieved passage holds count: a word no passage uses (a wh-phrase's noun, an
    English word the documents never write) says nothing about which passage is on topic."""
    folded = _folded(contexts)
    seen = [g for g in groups if any(f in c for f in g for c in folded)]
    # An English name weighs as its commonest Chinese form (a form the corpus never tokenises
    # would read as the rarest word).
    weights = {g: min(idf(f) for f in (g[1:] or g)) for g in seen}
    total = sum(weights.values())
    if not total:
        return [1.0] * len(contexts)
    return [sum(w for g, w in weights.items() if any(f in c for f in g)) / total for c in folded]


def on_topic(
    standalone: str,
    asked: str,
    hits: Sequence[Hit],
    *,
    idf: Callable[[str], float],
    translate: Callable[[str], Sequence[str]] | None = None,
    min_coverage: float = TOPIC_MIN_COVERAGE,
) -> list[Hit]:
    """The hits whose section (title, heading, the retrieved chunks under it) names enough of the
    topic a rewritten follow-up carries: its Chinese words by IDF-weighted share, and of its English
    names (read through the dictionary, a noisy channel: Senate → 参议/议院) at least one. Every hit
    when nothing was carried."""
    groups = carried_groups(standalone, asked, translate)
    if not groups:
        return list(hits)
    # A passage is read with the other retrieved chunks of its section: the section is about the
    # topic when any of them names it (a later chunk need not repeat it).
    sections: dict[tuple[str, str], list[str]] = {}
    for h in hits:
        sections.setdefault((h.chunk.source, h.chunk.section or ""), []).append(h.chunk.text)
    contexts = [
        f"{h.chunk.title}\n{h.chunk.section}\n" + "\n".join(sections[(h.chunk.source, h.chunk.section or "")])
        for h in hits
    ]
    zh = [g for g in groups if len(g) == 1]
    names = [g for g in groups if len(g) > 1]
    kept = list(zip(hits, topic_coverage(zh, contexts, idf), strict=True)) if zh else [(h, 1.0) for h in hits]
    if names:
        proper = [g for g in names if _is_name(g[1:])]
        if proper and not any(any(f in c for g in proper for f in g[1:]) for c in _folded(contexts)):
            # The names carried (Russia → 俄罗斯, in the corpus: the dictionary keeps only corpus
            # words) are in no retrieved passage: the search missed the topic, and a sentence
            # filling the slot elsewhere (another country's universities) is about something else.
            # Only names the dictionary reads as names: "Double First-Class" gives 加倍, 一级.
            return []
        held = topic_coverage(names, contexts, lambda _t: 1.0)  # any name held: a share above 0
        kept = [(h, c if held[i] > 0 else 0.0) for i, (h, c) in enumerate(kept)]
    return [h for h, c in kept if c >= min_coverage]
