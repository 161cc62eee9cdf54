"""Names an English question asks about, and whether the corpus knows them.

A question that names an organisation, programme or agency the documents never name ("NASA",
"Gates Foundation", "Advanced Research and Invention Agency") cannot be answered from a passage
about something related. Each WHOLE name is read (an acronym, or a run of capitalised words such
as "National Natural Science Foundation of China") and mapped to the corpus's Chinese through the
bilingual glossary (reviewed + mined from the documents), a CC-CEDICT phrase entry, or its pinyin
spelling. A mapped name becomes a constraint (the answering passage must hold one of its forms or
the name itself); a name nothing maps and whose Latin form the corpus never writes is reported as
not mentioned. Single capitalised words are not names here (a sentence's first word, "Action",
"Market"): only acronyms and runs of two or more capitalised words count.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Protocol

from rag.answer import question
from rag.answer.dialogue import about_places, place_aliases
from rag.retrieve.glossary import Glossary, key_words
from rag.text import keyword_tokens, to_simplified

# The question module's common acronyms, and a few more that name no body a passage could lack.
COMMON_ACRONYMS = question.COMMON_ACRONYMS | frozenset({"i&t", "sar", "cn"})
_CONNECT = r"(?:of|and|for|the|on|in|to|&)"
_CAP = r"[A-Z][A-Za-z&'’.-]*(?![\w])"
_RUN = re.compile(rf"\b{_CAP}(?:\s+(?:{_CONNECT}\s+)*{_CAP})+")
# Letters only: a code with digits (FY2022, S.1260) is not a name.
_ACRONYM = re.compile(r"(?<![\w&.])([A-Z][A-Z&]{1,7})(?![\w&])")
# Words that start a question or a clause and are capitalised only for that reason.
_LEADING = frozenset(
    "what which who whom whose when where why how is are was were do does did has have had will would "
    "can could should in on at for by from to of and or the a an according under since after before "
    "during as with per besides except excluding apart beyond unlike like including other than among between "
    "if whether unless although while because".split()
)
# A run ending in one of these names a document (handled as a title) rather than a body.
_TITLE_END = re.compile(
    r"\b(?:Act|Plan|Strategy|Programme|Program|Blueprint|Law|Initiative|Report|Roadmap|Paper|Bill)$"
)


@dataclass(frozen=True)
class Name:
    text: str  # as written in the question ("Gates Foundation", "NASA")
    acronym: bool


def question_names(question: str) -> list[Name]:
    """Acronyms and runs of two or more capitalised words (whole names), without the question's
    leading word, possessive 's, or document titles (… Act, … Plan)."""
    # A possessive ends a name: "the UK's Advanced Research and Invention Agency" is two names.
    text = re.sub(r"(?<=[A-Za-z])'s?(?=\s|$)", " ,", question.replace("’", "'"))
    out: dict[str, Name] = {}
    for m in _RUN.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in _LEADING:
            words = words[1:]
        while words and re.fullmatch(_CONNECT, words[-1]):
            words = words[:-1]
        run = " ".join(words)
        run = re.sub(r"'s\b", "", run).rstrip(".,'")
        caps = [w for w in run.split() if w[:1].isupper()]
        if len(caps) < 2 or _TITLE_END.search(run):
            continue
        if all(_ACRONYM.fullmatch(w) for w in caps):
            continue  # "UN and NASA": acronyms, read one by one below
        out.setdefault(run, Name(run, False))
    inside = " ".join(out)
    for m in _ACRONYM.finditer(text):
        a = m.group(1)
        if sum(c.isupper() for c in a) < 2 or a.lower() in COMMON_ACRONYMS or a in inside:
            continue
        out.setdefault(a, Name(a, True))
    return list(out.values())


class Lexicon(Protocol):
    """What the corpus knows (rag.retrieve.crosslingual.QueryExpander has all of it)."""

    vocab: Collection[str]
    glossary: Glossary

    def translate(self, key: str) -> list[str]: ...

    def senses(self, key: str) -> list[str]: ...

    def pinyin_name(self, raw_words: list[str]) -> list[str]: ...


# The kind of body a name ends in: such a name the corpus never writes is an organisation the
# documents do not cover ("Gates Foundation"), unlike a descriptive phrase ("Global ... Hub").
_ORG_KIND = re.compile(
    r"\b(?:Foundation|Fund|Agency|Centre|Center|Mission|Institute|University|Council|Commission|Ministry|"
    r"Bureau|Administration|Corporation|Company|Laboratory|Lab|Society|Association|Authority|Office)$"
)


_BODY_WORD = re.compile(_ORG_KIND.pattern.removesuffix("$") + r"\b")


def names_body(name: Name) -> bool:
    """An acronym of three letters or more, or a name holding a body's kind anywhere ("National
    Natural Science Foundation of China"): the name of an organisation, not of a place or a topic."""
    return len(name.text) >= 3 if name.acronym else bool(_BODY_WORD.search(name.text))


@dataclass(frozen=True)
class Resolved:
    name: Name
    forms: tuple[str, ...]  # Chinese forms the corpus uses, then the Latin form (lower case)
    known: bool  # a form or the Latin name occurs in the corpus

    @property
    def absent(self) -> bool:
        """The corpus never names it, and it is a name of a body (an acronym, or a name ending in
        Foundation/Agency/Fund…), so a passage about something else cannot answer about it."""
        if self.known:
            return False
        if self.name.acronym:  # two letters (UN, EC) are too ambiguous to call absent
            return len(self.name.text) >= 3
        return bool(_ORG_KIND.search(self.name.text))


def literal_words(name: Name) -> list[str]:
    """The words of a body's name before its kind ("Digital" in "Digital Agency"): the corpus
    may write such a name as their literal translation (数字厅), which no dictionary lists whole."""
    words = [w for w in key_words(name.text) if w not in ("of", "and", "for", "the", "on", "in", "to")]
    return words[:-1] if _ORG_KIND.search(name.text) else words


def _in_corpus(zh: str, vocab: Collection[str]) -> bool:
    toks = [t for t in keyword_tokens(zh) if len(t) > 1 or t.isdigit()]
    return bool(toks) and all(t in vocab for t in toks)


def resolve(name: Name, lexicon: Lexicon) -> Resolved:
    """The name's Chinese forms in the corpus (glossary, CC-CEDICT phrase, pinyin) and whether
    the corpus names it at all (a form, or the Latin spelling itself for an acronym or a name
    whose every word the index holds)."""
    words = key_words(name.text)
    forms: list[str] = []
    for entry in lexicon.glossary.lookup(words, name.text):
        forms += [zh for zh in entry.chinese if _in_corpus(zh, lexicon.vocab)]
    if name.acronym:  # CC-CEDICT knows some (UN → 联合国); kept only when the corpus uses them
        forms += [t for t in lexicon.translate(name.text.lower()) if len(t) >= 2]
    elif len(words) > 1:
        # A CC-CEDICT entry for the whole phrase (never word by word: "Gates Foundation" is not 门 + 基金会).
        forms += lexicon.senses(" ".join(words))
        raw = [w for w in name.text.split() if w[:1].isupper()]
        forms += lexicon.pinyin_name(raw)
    latin = name.text.lower()
    latin_known = all(w in lexicon.vocab for w in keyword_tokens(latin)) if name.acronym else False
    forms = [f for f in dict.fromkeys(forms) if f]
    return Resolved(
        name, tuple(forms) + ((latin,) if forms or latin_known else ()), bool(forms) or latin_known
    )


# A document's own identifier: a bill or order number written the same in every language (S.1260,
# H.R.4346, Executive Order 14017). Years (2021, FY2022) and counted words (top-10, phase-2) are not.
_IDENTIFIER = re.compile(r"(?<![\w.])(?:[A-Z](?:\.[A-Z])*\.\s?\d{2,6}|\d{5,})(?![\w.]*\d)")


def identifiers(text: str) -> list[str]:
    """The identifiers (S.1260, 14017) a text writes, spaces removed."""
    return list(dict.fromkeys(re.sub(r"\s", "", m) for m in _IDENTIFIER.findall(text)))


def shares_identifier(question_text: str, passage_text: str) -> bool:
    """The passage writes an identifier the question names: the question and the passage are about
    the same bill or order, whatever the embedder makes of the English wording."""
    compact = re.sub(r"\s", "", passage_text)
    return any(i in compact for i in identifiers(question_text))


# jieba's tags of a person's or an organisation's name (华为 nr, 三星 nz, 拜登 nrt); places (ns) are
# the question module's English place names.
_NAME_FLAGS = frozenset({"nr", "nrt", "nrfg", "nz", "nt"})


def single_names(question_text: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """One capitalised word inside a sentence that the dictionary translates only to names the
    corpus writes ("Samsung" → 三星, "Ericsson" → 爱立信): a company or person the passage must name,
    with the Latin spelling as another form. Words translating to common words ("Chinese" → 中资,
    "Digital") are not names."""
    import jieba.posseg as pseg

    out = []
    for word in question._standalone_capitalised(question_text):
        word = re.sub(r"'s?$", "", word)
        forms = lexicon.translate(word.lower()) if len(word) >= 3 else []
        tags = [[f for _, f in pseg.cut(zh)] for zh in forms]
        if forms and all(len(t) == 1 and t[0] in _NAME_FLAGS for t in tags):
            out.append((*forms, word.lower()))
    return list(dict.fromkeys(out))


# jieba's tags of a one-word place, body or its abbreviation (英国 ns, 欧盟 j, 国务院 nt).
_PLACE_FLAGS = frozenset({"ns", "nt", "j"})


def common_acronym_places(question_text: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """A common acronym that names a country, region or body (UK → 英国, EU → 欧盟, US → 美国): too
    common to tell documents apart, and so not read as a name above, but the place the question
    asks about all the same: its Chinese forms (the reviewed glossary's, each one jieba word tagged
    as a place, body or abbreviation) are a constraint the passage must keep. The Latin form is not
    one: "us" and "eu" occur inside English words. A currency's prefix (US$1.1 billion, HK$, NT$) names
    the currency a figure is counted in, not a place the question is about."""
    import jieba.posseg as pseg

    text = re.sub(r"(?<=[A-Za-z])'s?(?=\s|$)", " ", question_text.replace("’", "'"))
    out = []
    for a in dict.fromkeys(m.group(1) for m in _ACRONYM.finditer(text) if not text.startswith("$", m.end())):
        if a.lower() not in COMMON_ACRONYMS:
            continue
        forms = [zh for e in lexicon.glossary.lookup([a.lower()], a) for zh in e.chinese]
        tags = [[f for _, f in pseg.cut(zh)] for zh in forms]
        if forms and all(len(t) == 1 and t[0] in _PLACE_FLAGS for t in tags):
            out.append(tuple(forms))
    return list(dict.fromkeys(out))


# Places, people and bodies; not ``nz`` (other proper nouns), which jieba gives common compounds (基建投资).
_PERSON_PLACE_BODY = frozenset({"ns", "nr", "nrt", "nrfg", "nt"})
_GOVERNMENT_END = re.compile(r"(?:省|市|区|县)?(?:人民)?政府$")
# A resultative or directional complement ends a verb phrase (卡住, 拉进来, 引过来), never a person's name,
# though jieba's dictionary tags some such phrases ``nr``.
_VERB_COMPLEMENT = re.compile(r"(?:住|[进出过起下上回](?:来|去))$")
# Tagged words that name no one in particular (报告 is tagged a name in some contexts).
_NOT_NAMES_ZH = frozenset(
    "白皮书 报告 文章 文件 蓝图 方案 意见 规划 计划 中国 我国 全国 国内 全球 世界 国家 城市 地方 政府 东西 南北 中外 内地 两国 双方 各国 本国 他国 多国 两岸".split()
)


def _names_zh(folded: str) -> Iterator[tuple[str, str, int, int]]:
    """The places, people and bodies jieba tags in a (t2s-folded) Chinese question, two characters
    or more and not generic (中国, 报告): (word, name without 政府, start, end)."""
    import jieba.posseg as pseg

    at = 0
    for word, flag in pseg.cut(folded):
        start, at = at, at + len(word)
        if flag not in _PERSON_PLACE_BODY or len(word) < 2 or word in _NOT_NAMES_ZH:
            continue
        if flag.startswith("nr") and _VERB_COMPLEMENT.search(word):
            continue  # jieba tags 卡住 and 拉进来 as names: a verb with its complement names no one
        if question.is_time_span(word):
            continue  # jieba tags 段时间 (那段时间, "that period") a name: a span of time names no one
        name = _GOVERNMENT_END.sub("", word) or word  # 广东省政府: the corpus writes 广东省 or 广东
        if len(name) >= 2:
            yield word, name, start, at


def unknown_names_zh(question_text: str, lexicon: Lexicon, shown: str) -> list[str]:
    """The places, people and bodies a Chinese question names (jieba ``ns``/``nr``/``nt``/``nz``, two
    characters or more, outside its 《titles》) that the corpus never writes: no retrieved passage
    (``shown``, t2s, lower case) holds the word and some search-mode piece of it occurs in no
    document (呼和浩特 in a ranking of 38 other cities). A passage about other names cannot answer."""
    folded = re.sub(r"《[^》]*》", "，", to_simplified(question_text))
    out = []
    for _, word, _, _ in _names_zh(folded):
        # 澳洲 is written 澳大利亚, 浙大 浙江大学: any of its names, or the name written out in full.
        if about_places(frozenset({word}), shown) or any(
            _in_corpus(a, lexicon.vocab) for a in place_aliases(word)
        ):
            continue
        out.append(word)
    return list(dict.fromkeys(out))


def named_in_question_zh(question_text: str) -> list[str]:
    """The places, people and bodies a Chinese question names (jieba ``ns``/``nr``/``nt``, two
    characters or more, outside its 《titles》, not the generic 中国/全球/政府): the passage that
    answers must be about them, not about a related thing the retrieval found beside them."""
    folded = re.sub(r"《[^》]*》|“[^”]*”|「[^」]*」", "，", to_simplified(question_text))
    out = []
    for word, name, start, end in _names_zh(folded):
        if word in _KINDS_ZH:
            continue
        if _SAYS_ZH.match(folded, end) or _SOURCE_BEFORE_ZH.search(folded, 0, start):
            continue  # who says it (王贻芳说, 在廖兵看来, 据红旗文稿), not what it is about
        out.append(name)
    return list(dict.fromkeys(out))


def names_in_passage(names: Collection[str], passage: str) -> bool:
    """The passage names each name, under one of its names; a body named with its country (美国国防部)
    is named by the body alone too (its passages say 国防部 under a title about the US)."""
    for name in names:
        bare = _COUNTRY_LEAD.sub("", name)
        if not about_places(frozenset({name}), passage) and not (
            bare != name and len(bare) >= 2 and bare in to_simplified(passage)
        ):
            return False
    return True


# Kinds of place or body rather than one of them (jieba tags some as names).
_KINDS_ZH = frozenset(
    "外国 国外 海外 境外 发达国家 发展中国家 各国 各地 地区 国际 高新区 开发区 自贸区 科学城".split()
)
_SAYS_ZH = re.compile(r"[\u4e00-\u9fff]{0,3}?(?:认为|说|指出|看来|表示|称|强调|介绍|提到|估计|预计|预测)")
_SOURCE_BEFORE_ZH = re.compile(r"(?:据|根据|按照|按|在)$")
_COUNTRY_LEAD = re.compile(r"^(?:美国|英国|德国|法国|日本|韩国|俄罗斯|中国|欧盟|澳大利亚|加拿大|印度|意大利)")
