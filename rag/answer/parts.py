"""Which part of a multi-part question a quoted sentence answers.

Each part is retrieved and answered on its own, but the parts of one question usually share a
passage: "What share does the US have, and what share does China have?" retrieves the same table
for both, and the first part's selection may quote the China sentence. A sentence answers the part
whose OWN words it says: the words a part has and the other parts do not (美国 for the first part,
中国 for the second; 汇率操纵 for "汇率操纵呢？"), in the documents' language (an English part's
words through the dictionary). A quote that says none of its part's own words but another part's
belongs to that other part: it is taken from the first, and given to the other when nothing was
quoted for it. Parts that share all their words (no own words) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.citations.figures import quantities
from rag.answer.dialogue import place_aliases
from rag.answer.question import ellipsis_subject, is_ask_word, own_words_en
from rag.text import detect_language, has_cjk, keyword_tokens, place_names, to_simplified

Translate = Callable[[str], list[str]]


@dataclass
class PartResult:
    """One part's answer while the parts are assigned: its quotes with the hits they index."""

    part: str
    query: str
    picks: list[tuple[Any, Any]]  # (pick, hit)
    why: str | None


def own_groups(parts: Sequence[str], translate: Translate) -> list[list[tuple[str, ...]]]:
    """Per part, its own words as groups of the documents' terms (a Chinese word is its own group;
    an English word is the group of its dictionary translations). A word another part also has
    is nobody's own."""
    words = [_words(p) for p in parts]
    folded = [{w.lower() for w in ws} for ws in words]
    out: list[list[tuple[str, ...]]] = []
    for i, ws in enumerate(words):
        others = set().union(*(f for j, f in enumerate(folded) if j != i)) if len(parts) > 1 else set()
        groups: list[tuple[str, ...]] = []
        for w in dict.fromkeys(ws):
            if w.lower() in others:
                continue
            if has_cjk(w):
                groups.append((w,))
            else:
                terms = tuple(t for t in translate(w) if has_cjk(t) and len(t) >= 2)
                if terms:
                    groups.append(terms)
        out.append(groups)
    # A term another part's groups hold too is shared, not own (countries → 国家, and 国家 in another).
    count: dict[str, int] = {}
    for groups in out:
        for t in {t for g in groups for t in g}:
            count[t] = count.get(t, 0) + 1
    return [[g2 for g in groups if (g2 := tuple(t for t in g if count[t] == 1))] for groups in out]


def _words(part: str) -> list[str]:
    if detect_language(part) == "en":
        return own_words_en(part)
    return [t for t in keyword_tokens(to_simplified(part)) if has_cjk(t) and not is_ask_word(t)]


def says(groups: Sequence[tuple[str, ...]], text: str) -> bool:
    """The text says one of the groups' terms."""
    return any(any(t in text for t in g) for g in groups)


def pick_text(pick: Any) -> str:
    """The quoted sentence with its passage's title and section: the words it is about."""
    chunk = pick.info.chunk
    return to_simplified(f"{chunk.title}\n{chunk.section}\n{pick.info.sentence(pick.j)}")


def assign(
    results: list[PartResult],
    own: Sequence[Sequence[tuple[str, ...]]],
    *,
    strict: Sequence[bool],
    wants_figure: Sequence[bool],
    slots: Sequence[str] = (),
) -> list[PartResult]:
    """Move each quote to the part whose own words it says (see the module docstring).

    A part left with no quote keeps the ones it had (one sentence may answer two parts: "8月12日，
    何健浩带领督办组" says when and who) unless it is ``strict``: its own words are the documents'
    own (a Chinese part whose words are all in the corpus), so a sentence saying none of them is
    about another thing. An English part's words come through the dictionary, which misses many
    ("apply" is not 申请), so their absence proves nothing. A part asking a figure is given only
    a quote stating one, and keeps one it found that names another part's subject (the cities
    the first part asks for, the scores this part asks): the quote serves both parts. A later
    part nothing answered is given only a sentence saying all its own words, so it is either
    answered about its own subject or still named missing."""
    _about_own_places(results)
    moved: list[list[tuple[Any, Any]]] = [[] for _ in results]
    # A later part was retrieved with the part before's subject in its query: when even so nothing
    # answered it, a quote found for another part must say everything it adds ("拉萨呢？": 拉萨).
    missing = [not r.picks for r in results]
    for i, r in enumerate(results):
        if not own[i]:
            continue
        kept = []
        for pick, hit in r.picks:
            text = pick_text(pick)
            others = [j for j in range(len(results)) if j != i and own[j] and says(own[j], text)]
            # A sentence naming another part's subject and stating the figure this part asks
            # ("上海、深圳为第二梯队，指数分别为50.48、42.92" for "哪些城市…？分别多少？") meets both
            # parts, unless those parts ask a figure too (then it is their figure: the China share).
            both = (
                wants_figure[i]
                and bool(quantities(pick.info.sentence(pick.j)))
                and not any(wants_figure[j] for j in others)
            )
            if says(own[i], text) or not others or both:
                kept.append((pick, hit))
                if not both:
                    continue
            for j in others:  # moved there (or, meeting both, shared with it)
                moved[j].append((pick, hit))
        if len(kept) < len(r.picks) and (kept or strict[i]):
            r.picks = kept
            if not kept:
                r.why = "the quoted sentences answer another part"
    for j, r in enumerate(results):
        given = [
            (p, h)
            for p, h in moved[j]
            if (not wants_figure[j] or quantities(p.info.sentence(p.j)))
            and (not (j and missing[j]) or _says_all(own[j], p))
        ]
        if not r.picks and given:
            r.picks = list({(h.chunk.chunk_id, p.j): (p, h) for p, h in given}.values())
            r.why = None
    if slots:
        _share_of_the_figure_before(results, slots)
    _share_saying_all(results, own, wants_figure)
    return results


def _figure_and_share(sentence: str) -> bool:
    """The sentence states a figure and a share (of it): "新能源发电0.9万亿千瓦时，约占…的13%"."""
    figures = quantities(sentence)
    return any(f.percent for f in figures) and any(not f.percent for f in figures)


def _share_of_the_figure_before(results: list[PartResult], slots: Sequence[str]) -> None:
    """A later part that leans on the part before and asks the share of what that part asked ("How
    much electricity did China generate from new energy in 2018, and what share of total power
    generation was that?") is answered where the documents state that figure: the part before's
    quoted sentences that state a figure and its share ("新能源发电0.9万亿千瓦时，约占全社会发电量的
    13%"), not a share of another thing its own retrieval found (wind power's share). A share
    alone ("超过 80%的毕业生") is no statement of the figure before. When none is quoted, the part
    keeps what it found (or stays missing)."""
    for i in range(1, len(results)):
        r, before = results[i], results[i - 1]
        if r.query == r.part or slots[i] != "percentage" or slots[i - 1] == "percentage":
            continue
        stated = [(p, h) for p, h in before.picks if _figure_and_share(p.info.sentence(p.j))]
        if stated:
            r.picks = stated
            r.why = None


def _share_saying_all(
    results: list[PartResult], own: Sequence[Sequence[tuple[str, ...]]], wants_figure: Sequence[bool]
) -> None:
    """A part still missing shares a sentence quoted for another part when that sentence itself says
    every one of the part's own words (and states a figure when the part asks one): "第二波浪潮将在
    2020年-2022年，主要应用在…领域" answers both "第二波浪潮在哪几年" and "主要落在哪些领域", and "全国40%的
    风险投资活跃在中关村，活跃程度仅次于美国硅谷" both the count of firms and "风险投资活跃程度仅次于哪里".
    A part asking about something the sentence does not name (中国大陆 beside 北美's share) stays
    missing: its own words are not all there. A one-character word (它, 家, 新) names nothing."""
    before = [list(r.picks) for r in results]  # what each part quoted before any sharing
    for j, r in enumerate(results):
        words = [g for g in own[j] if any(len(t) >= 2 for t in g)]
        if not words:
            continue
        shared = [
            (p, h)
            for i, other in enumerate(before)
            if i != j
            for p, h in other
            if _says_all(words, p) and (not wants_figure[j] or quantities(p.info.sentence(p.j)))
        ]
        if shared:
            # A part answered by its own quotes also cites the other part's sentence saying all its
            # words ("中央级科研院所185所和中央级高校38所" answers the universities too).
            r.picks = list({(h.chunk.chunk_id, p.j): (p, h) for p, h in shared + r.picks}.values())
            r.why = None


def _about_own_places(results: list[PartResult]) -> None:
    """A later Chinese part naming a place no other part names ("波兰又定了多少？" after "法国和德国…各是
    多少？") asks about that place: its query carries the part before's subject, so its retrieval
    finds the other places' sentences, and only a quote naming its place (in the sentence or its
    heading) answers it. Otherwise the part is named missing, not answered with France's target.
    A later part that is an ellipsis ("中国呢？") is answered only by a sentence itself naming its
    subject (the document's title names 中国 for every sentence)."""
    places = [
        place_names(to_simplified(r.part)) if detect_language(r.part) == "zh" else frozenset()
        for r in results
    ]
    for i, r in enumerate(results):
        subject = ellipsis_subject(r.part) if i and detect_language(r.part) == "zh" else None
        if subject and r.picks:  # "中国呢？": the sentence itself names 中国, not only its title
            words = [t for t in keyword_tokens(to_simplified(subject)) if has_cjk(t)]
            r.picks = [
                (p, h) for p, h in r.picks if all(t in to_simplified(p.info.sentence(p.j)) for t in words)
            ]
            if not r.picks:
                r.why = f"no retrieved sentence is about {subject}"
            continue
        own = places[i] - frozenset().union(*(places[j] for j in range(len(results)) if j != i))
        if not i or r.query == r.part or not own or not r.picks:  # asked on its own words: as retrieved
            continue
        names = [a for place in own for a in place_aliases(place)]
        kept = [(p, h) for p, h in r.picks if any(n in pick_text(p) for n in names)]
        if not kept:
            r.why = f"no retrieved sentence is about {'、'.join(sorted(own))}"
        r.picks = kept


def _says_all(groups: Sequence[tuple[str, ...]], pick: Any) -> bool:
    """The quoted sentence itself (not its passage's title) says every one of the groups: what a
    part nothing answered on its own asks about ("拉萨呢？" is not answered by a sentence about 深圳
    in a document titled 中国…)."""
    sentence = to_simplified(pick.info.sentence(pick.j))
    return all(any(t in sentence for t in g) for g in groups)


_WH_HEAD_EN = re.compile(
    r"^\s*(?:(?:and|also)\s+)?(how\s+(?:many|much)|what|which)(?:\s+([a-z][\w-]*))?", re.I
)
_WH_ANY_EN = re.compile(r"\b(how\s+(?:many|much)|what|which)(?:\s+([a-z][\w-]*))?", re.I)
_AUX_HEAD_EN = frozenset("is are was were do does did has have had can could will would should".split())


def parallel_topic(part: str, previous: str) -> str | None:
    """A later English part asking the same thing as the part before about another name ("What
    share of global battery capacity does the US have, and what share does China have?", "which
    did the US focus on?") is about what that part asked, for its own name: the part before's
    words (and years), without the names this part replaces. None when the part is not built so."""
    if detect_language(part) != "en" or detect_language(previous) != "en":
        return None
    a, b = _WH_HEAD_EN.match(part), _WH_ANY_EN.search(previous)
    if not a or not b or a.group(1).lower() != b.group(1).lower():
        return None
    noun = (a.group(2) or "").lower()
    if noun not in _AUX_HEAD_EN and noun != (b.group(2) or "").lower():
        return None  # another question word's noun: another question
    names = set(re.findall(r"\b[A-Z][\w&'-]*", part[a.end() :]))
    before = set(re.findall(r"\b[A-Z][\w&'-]*", previous[b.end() :]))
    if not names or names <= before:
        return None  # no name of its own: an ordinary follow-up
    replaced = before - names
    words = re.findall(r"[A-Za-z][\w'-]*[A-Za-z]|\d{4}", previous)
    kept = [w for w in own_words_en(previous) if w not in replaced]
    years = [w for w in words if w.isdigit()]
    return " ".join(dict.fromkeys(years + kept)) or None
