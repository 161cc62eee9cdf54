"""What a sentence answering each kind of question looks like, beyond its words.

A list question ("which fields…", "有哪些") is answered by a sentence that enumerates, a "why" by
one that states a cause or purpose, a "what is" by one that defines. Among sentences on the same
topic the one with the answer's shape is the one to quote (the extractive generator adds
``shape_weight ×`` this to a sentence's ordering, never to the refusal floor).
"""

from __future__ import annotations

import re

from rag.answer.answerability import enumeration_size
from rag.text import to_simplified

_CAUSE = re.compile(
    r"因为|由于|源于|原因|导致|因此|所以|从而|以致|致使|使得|造成|得益于|取决于|归因|为了|旨在|以便|以免|"
    r"\bbecause\b|\bdue to\b|\bowing to\b|\bas a result\b|\bso that\b|\bin order to\b",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"是指|指的是|即|所谓|定义为|称为|是一种|是一类|\bis defined as\b|\brefers to\b|\bmeans\b"
)
LIST_ITEMS = 3  # an enumeration: at least this many items


def slot_shape(slot: str, sentence: str) -> float:
    """1.0 when the sentence has the shape of the slot's answer, else 0.0 (also for slots whose
    answer has no particular shape: their type is checked by ``answerability.fills_slot``)."""
    if slot == "list":
        return 1.0 if enumeration_size(sentence) >= LIST_ITEMS else 0.0
    if slot == "reason":
        return 1.0 if _CAUSE.search(to_simplified(sentence)) else 0.0
    if slot == "definition":
        return 1.0 if _DEFINITION.search(to_simplified(sentence)) else 0.0
    return 0.0


__all__ = ["LIST_ITEMS", "slot_shape"]
