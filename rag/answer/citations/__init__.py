"""Citations: markers in answers, figures, lexical units, passage sentences, per-sentence support
and verbatim quotes located in the original file — one module per concept, re-exported here so
callers import ``rag.answer.citations`` as before.

Why this exists: an LLM (or our own extractive composer) can cite a passage that does not say
what the sentence claims, invent a figure, or cite ``[7]`` when only six passages were given.
Every answer therefore goes through :func:`verify` (see :mod:`rag.answer.citations.support`).
"""

from rag.answer.citations.figures import (
    Figure,
    arabic_numerals,
    asked_years,
    asks_for_quantity,
    figure_supported,
    figures,
    mentions_year,
    missing_figures,
    normalise_numbers,
    quantities,
    years_in,
)
from rag.answer.citations.lexical import containment, fold, is_connective, is_cross_lingual, units
from rag.answer.citations.locate import OriginalLocator
from rag.answer.citations.markers import (
    MARKER_RE,
    add_marker,
    answer_sentence_spans,
    clean_markers,
    marker_numbers,
    markers_in,
    strip_markers,
)
from rag.answer.citations.passages import (
    PassageCache,
    PassageInfo,
    display_quote,
    passage_sentence_spans,
    passage_structure,
)
from rag.answer.citations.support import Thresholds, Verification, closest_citations, make_citation, verify

__all__ = [
    "MARKER_RE",
    "Figure",
    "OriginalLocator",
    "PassageCache",
    "PassageInfo",
    "Thresholds",
    "Verification",
    "add_marker",
    "arabic_numerals",
    "answer_sentence_spans",
    "asked_years",
    "asks_for_quantity",
    "clean_markers",
    "closest_citations",
    "containment",
    "display_quote",
    "figure_supported",
    "figures",
    "fold",
    "is_connective",
    "is_cross_lingual",
    "make_citation",
    "marker_numbers",
    "markers_in",
    "mentions_year",
    "missing_figures",
    "normalise_numbers",
    "passage_sentence_spans",
    "passage_structure",
    "quantities",
    "strip_markers",
    "units",
    "verify",
    "years_in",
]
