"""Lexical matching units: Chinese character bigrams (t2s-folded) plus English content words and
numbers, and the containment score the verifier and the extractive generator share."""

from __future__ import annotations

import re
import unicodedata

from rag.answer.citations.figures import normalise_numbers
from rag.answer.citations.markers import strip_markers
from rag.text import detect_language, to_simplified

# --- lexical similarity ------------------------------------------------------------------

_EN_STOP = set(
    "a an the of to in on for and or is are was were be been by with as at from that this these those "
    "which what how why who when where does do did it its their there than then also into about over "
    "according said says per has have had not no but can could will would should may more most such".split()
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


def fold(text: str) -> str:
    """Matching form: Traditional→Simplified, NFKC, lower case."""
    return unicodedata.normalize("NFKC", to_simplified(text)).lower()


def units(text: str) -> set[str]:
    """Lexical units: bigrams of each Chinese run (a lone character counts alone) plus English
    content words and numbers, all folded. Punctuation and whitespace never count."""
    t = normalise_numbers(fold(strip_markers(text)))
    out: set[str] = set()
    for m in _CJK_RUN.finditer(t):
        run = m.group(0)
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w for w in _WORD.findall(t) if w not in _EN_STOP and len(w) > 1 or w.isdigit())
    return out


def containment(sentence_units: set[str], passage_units: set[str]) -> float:
    """Share of the sentence's units found in the passage (0 when the sentence has none)."""
    if not sentence_units:
        return 0.0
    return len(sentence_units & passage_units) / len(sentence_units)


def is_connective(sentence: str) -> bool:
    """No claim to check: no digits and a lead-in ending with a colon, or ≤ 2 content units."""
    s = strip_markers(sentence).strip()
    if any(ch.isdigit() for ch in unicodedata.normalize("NFKC", s)):
        return False
    return s.endswith((":", "：")) or len(units(s)) <= 2


def is_cross_lingual(sentence: str) -> bool:
    """An English sentence (few Chinese characters): lexical overlap with Chinese text means nothing."""
    return detect_language(strip_markers(sentence)) == "en"
