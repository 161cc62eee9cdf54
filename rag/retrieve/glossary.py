"""A bilingual (English ↔ Chinese) glossary: reviewed policy vocabulary plus pairs mined from the corpus.

CC-CEDICT knows words, not policy: it maps "Act" to 举措/动作, "White House" to 蛋白 + 房子 and
has nothing for 揭榜挂帅 or "self-sufficiency rate". Two sources fill that gap:

- a reviewed data file (``rag/retrieve/data/glossary.tsv``) of the policy vocabulary the seeds
  use (卡脖子, 揭榜挂帅, 硬科技, 专精特新, 新型举国体制, 产学研, institutions, acts, technologies),
  extendable with a user file of the same format (``RAG_GLOSSARY_FILE``);
- pairs the corpus states itself: an English name, acronym or code in parentheses beside its
  Chinese form (美国国家科学基金会（NSF）, 《2021年美国创新与竞争法案》（S.1260）, 「晶片與科學法」
  (CHIPS and Science Act)), mined from the index's chunk texts when the index loads.

English keys are normalised word sequences (lowercase, hyphens as spaces); an all-capitals key
(NSF, CHIPS) matches only a capitalised word in the question, so "act" the word does not hit ACT
the acronym. Chinese forms are kept in Simplified (the index folds Traditional to Simplified).

A reviewed form may mark with "…" where English puts modifiers inside a term that Chinese writes
whole: "installed … capacity" (装机容量) also matches "installed solar PV capacity", the modifiers
being translated on their own (光伏). Only the reviewer's marked forms take a gap: "open market
competition" is no 揭榜挂帅.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rag.errors import RagError
from rag.text import to_simplified

DATA_FILE = Path(__file__).resolve().parent / "data" / "glossary.tsv"

MAX_KEY_WORDS = 8
MAX_GAP = 3  # modifier words a gapped form ("installed … capacity") lets stand inside it
GAP = re.compile(r"\s*(?:…|\.\.\.)\s*")

_WORD = re.compile(r"[a-z0-9]+(?:[&'.][a-z0-9]+)*%?")
# A Chinese term (CJK run, optionally in 《》「」“”) followed by a parenthesised Latin-script name.
_ZH_THEN_EN = re.compile(
    r"([\u3400-\u9fff0-9]{2,24})[》」』”\"]?\s*[（(]\s*([A-Za-z][A-Za-z0-9 .,&/'’\-]{0,60}?)\s*[)）]"
)
# A Latin-script name followed by its Chinese form in parentheses: Horizon Europe（地平线欧洲）.
_EN_THEN_ZH = re.compile(
    r"([A-Z][A-Za-z0-9&.\-]*(?: [A-Za-z0-9&.\-]+){0,6})\s*[（(]([\u3400-\u9fff]{2,16})[)）]"
)
# Verbs and prepositions that often open the CJK run before a name (用于先进科学计算研究（ASCR）):
# dropped from the start only, since 与/和/的 also occur inside names (创新与竞争法案).
_LEAD = re.compile(
    r"^(?:(?:万亿|亿|万)?(?:美元|欧元|日元|澳元|英镑|韩元|港元|元)|财年|年)?(?:用于|利用|通过|提出在|提出|包括|根据|建立|成立|设立|要求|促进|完成|授权|还需要发展|"
    r"为首家|以及|并|以|在|由|对|将|为|于|向|是)*"
)


def key_words(text: str) -> list[str]:
    """Lowercased words of an English phrase; hyphens/dashes are spaces, possessives dropped."""
    text = text.lower().replace("’", "'").replace("'s ", " ")
    text = re.sub(r"[-–—/]", " ", text)
    text = re.sub(r"'s$", "", text)
    return [w.rstrip("'.") for w in _WORD.findall(text)]


def _is_acronym(form: str) -> bool:
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and len(form.split()) == 1 and sum(c.isupper() for c in letters) >= 2


@dataclass(frozen=True)
class Entry:
    english: str  # the display form (first English form of a reviewed entry, or the corpus's)
    chinese: tuple[str, ...]  # Simplified forms, usual first
    source: str  # "reviewed" | "user" | "corpus"
    case_sensitive: bool = False  # an acronym: matches only when capitalised in the question


@dataclass
class Glossary:
    """English key (space-joined words) → entries; plus Chinese form → English display name."""

    entries: dict[str, list[Entry]] = field(default_factory=dict)
    english_of: dict[str, str] = field(default_factory=dict)
    # First word of a gapped form → (words before the gap, words after it, entry).
    gapped: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Entry]]] = field(default_factory=dict)

    def add(self, english: str, chinese: Iterable[str], source: str, display: str | None = None) -> None:
        zh = tuple(dict.fromkeys(to_simplified(c).strip() for c in chinese if c.strip()))
        display = GAP.sub(" ", display or english).strip()
        parts = GAP.split(english.strip())
        if len(parts) == 2 and all(key_words(p) for p in parts):
            before, after = (tuple(key_words(p)) for p in parts)
            if zh and len(before) + len(after) <= MAX_KEY_WORDS:
                entry = Entry(display, zh, source, False)
                self.gapped.setdefault(before[0], []).append((before, after, entry))
            english = " ".join(parts)  # the form without modifiers is an ordinary key too
        words = key_words(english)
        if not zh or not words or len(words) > MAX_KEY_WORDS:
            return
        entry = Entry(display, zh, source, _is_acronym(english.strip()))
        bucket = self.entries.setdefault(" ".join(words), [])
        if any(e.chinese == entry.chinese and e.case_sensitive == entry.case_sensitive for e in bucket):
            return
        bucket.append(entry)
        for z in zh:
            self.english_of.setdefault(z, entry.english)

    def lookup(self, words: list[str], raw: str | None = None) -> list[Entry]:
        """Entries for a word sequence; ``raw`` (the question's own spelling) decides acronyms."""
        found = self.entries.get(" ".join(words), [])
        if not found:
            return []
        upper = raw is not None and sum(c.isupper() for c in raw) >= 2
        return [e for e in found if not e.case_sensitive or upper or raw is None]

    def lookup_gapped(
        self,
        words: list[str],
        start: int,
        modifier: Callable[[str], bool],
        variants: Callable[[str], list[str]],
    ) -> tuple[list[Entry], int, range] | None:
        """A gapped form whose words stand at ``start`` in ``words`` with one to ``MAX_GAP`` words
        between its two parts ("installed solar PV capacity"), each of them a ``modifier`` (a content
        word; "and"/"or" only between two of them). Returns the entries, the number of words before
        the gap and the positions of the words after it (the modifiers between are the caller's to
        translate), the narrowest gap first; None when no gapped form fits. ``variants`` gives the
        lemmas tried for the question's last word ("capacities" → "capacity")."""
        for before, after, _entry in self.gapped.get(words[start], []):
            end_before = start + len(before)
            if tuple(words[start:end_before]) != before:
                continue
            for gap in range(1, MAX_GAP + 1):
                at = end_before + gap
                if at + len(after) > len(words):
                    break
                inner = words[end_before:at]
                if not all(modifier(w) or w in ("and", "or") for w in inner):
                    break
                if inner[0] in ("and", "or") or inner[-1] in ("and", "or"):
                    continue
                tail = words[at : at + len(after)]
                if tail[:-1] != list(after[:-1]) or after[-1] not in variants(tail[-1]):
                    continue
                found = [e for b, a, e in self.gapped[words[start]] if b == before and a == after]
                return found, len(before), range(at, at + len(after))
        return None

    def __len__(self) -> int:
        return len(self.entries)

    def merged(self, other: Glossary) -> Glossary:
        """A new glossary with ``other``'s entries after this one's (this one wins ties)."""
        out = Glossary(
            {k: list(v) for k, v in self.entries.items()},
            dict(self.english_of),
            {k: list(v) for k, v in self.gapped.items()},
        )
        for first, forms in other.gapped.items():
            out.gapped.setdefault(first, []).extend(f for f in forms if f not in out.gapped.get(first, []))
        for key, entries in other.entries.items():
            bucket = out.entries.setdefault(key, [])
            for e in entries:
                if not any(b.chinese == e.chinese for b in bucket):
                    bucket.append(e)
        for z, en in other.english_of.items():
            out.english_of.setdefault(z, en)
        return out


class GlossaryFileError(RagError):
    """A glossary file is missing or a line is malformed; the message names file and line."""

    status_code = 500
    kind = "configuration_error"


def parse_glossary(text: str, source: str, name: str = "glossary") -> Glossary:
    """Parse the TSV format: ``english|english2 <TAB> 中文|中文2``, ``#`` comments."""
    g = Glossary()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise GlossaryFileError(f"{name}:{lineno}: expected 'english forms<TAB>chinese forms'")
        en_forms = [f.strip() for f in parts[0].split("|") if f.strip()]
        zh_forms = [f.strip() for f in parts[1].split("|") if f.strip()]
        for en in en_forms:
            g.add(en, zh_forms, source, display=en_forms[0])
    return g


@lru_cache(maxsize=4)
def _load_file(path: str, mtime_ns: int, source: str) -> Glossary:
    p = Path(path)
    return parse_glossary(p.read_text(encoding="utf-8"), source, p.name)


def load_glossary(user_file: Path | None = None) -> Glossary:
    """The reviewed glossary, with a user file's entries first when one is given."""
    base = _load_file(str(DATA_FILE), DATA_FILE.stat().st_mtime_ns, "reviewed")
    if user_file is None:
        return base
    user_file = Path(user_file)
    if not user_file.is_file():
        raise GlossaryFileError(f"glossary file {user_file} does not exist (RAG_GLOSSARY_FILE)")
    user = _load_file(str(user_file), user_file.stat().st_mtime_ns, "user")
    return user.merged(base)


# Words that end a clause before a name wherever they stand in the run (重点通过对知识与创新共同体,
# 主要包括免疫检查点抑制剂, 即电子设计自动化): no name writes them.
_CLAUSE_END = re.compile(r".*(?:通过对|通过|针对|主要包括|包括|要求|可分为|即)")


def _trim_term(run: str) -> str:
    """The name at the end of a CJK run: drop a leading clause up to its last function word."""
    run = re.sub(r"^[0-9.]+", "", run)
    m = _CLAUSE_END.match(run)
    if m and len(run) - m.end() >= 3:
        run = run[m.end() :]
    trimmed = _LEAD.sub("", run, count=1)
    return trimmed if len(trimmed) >= 2 else run


def mine_pairs(texts: Iterable[str]) -> list[tuple[str, str]]:
    """(English, Chinese) pairs a text states itself: 中文（English） and English（中文）."""
    pairs: list[tuple[str, str]] = []
    for text in texts:
        for m in _ZH_THEN_EN.finditer(text):
            zh, en = _trim_term(m.group(1)), m.group(2).strip(" .,")
            if len(zh) >= 2 and re.search(r"[\u3400-\u9fff]", zh) and len(en) >= 2:
                pairs.append((en, zh))
        for m in _EN_THEN_ZH.finditer(text):
            pairs.append((m.group(1).strip(), m.group(2)))
    return pairs


MAX_MINED_CHARS = 12


def mine_glossary(
    texts: Iterable[str], known: Glossary | None = None, skip: Callable[[str], bool] | None = None
) -> Glossary:
    """The corpus's own bilingual pairs as a glossary (source "corpus"); see ``glossary_from_pairs``."""
    return glossary_from_pairs(mine_pairs(texts), known, skip)


def glossary_from_pairs(
    pairs: Iterable[tuple[str, str]],
    known: Glossary | None = None,
    skip: Callable[[str], bool] | None = None,
) -> Glossary:
    """Mined (English, Chinese) pairs as a glossary (source "corpus"). Pairs are mined per document
    (and cached by content) so a large index does not re-read every chunk when it reloads.

    A name the ``known`` glossary already has (R&D, GDP, AI) is left to it: the corpus writes such
    common acronyms after whole clauses (会基础研究经费投入占研发（R&D）), which would make a noisy
    entry; so is a key ``skip`` rejects (one a dictionary knows). An English name mined with
    different Chinese forms keeps their common ending."""
    found: dict[str, list[str]] = {}
    for en, zh in pairs:
        words = key_words(en)
        key = " ".join(words)
        if not words or (known is not None and key in known.entries) or (skip is not None and skip(key)):
            continue
        found.setdefault(en, []).append(zh[-MAX_MINED_CHARS:])
    g = Glossary()
    for en, forms in found.items():
        common = forms[0]
        for f in forms[1:]:
            n = 0
            while n < min(len(common), len(f)) and common[-1 - n] == f[-1 - n]:
                n += 1
            common = common[len(common) - n :] if n >= 2 else common
        g.add(en, [common], "corpus")
    return g


__all__ = [
    "DATA_FILE",
    "Entry",
    "Glossary",
    "GlossaryFileError",
    "glossary_from_pairs",
    "key_words",
    "load_glossary",
    "mine_glossary",
    "mine_pairs",
    "parse_glossary",
]
