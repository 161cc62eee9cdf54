"""The generator protocol and what every backend shares: the request, and a sentence the
extractive scorer picked (the LLM backends' English evidence is made of picks too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rag.answer.citations import PassageInfo
from rag.types import Hit


@dataclass
class GenerationRequest:
    question: str  # standalone (already condensed) question
    hits: list[Hit]  # the numbered context, [1] = hits[0]
    language: str  # "zh" | "en": the language to answer in
    script: str  # "simplified" | "traditional" | "english"
    asked: str | None = None  # the user's own words when ``question`` is a rewritten follow-up
    # What a follow-up adds to the carried subject (``dialogue.follow_up_terms``): groups of forms,
    # one of each the answering sentence or its heading must hold.
    required: tuple[tuple[str, ...], ...] = ()
    # Of those, the ones a figure is asked for: a clause naming one must state a figure.
    counted: tuple[tuple[str, ...], ...] = ()


@runtime_checkable
class Generator(Protocol):
    name: str
    generative: bool  # True for LLMs: they can also rewrite follow-up questions

    def stream(self, request: GenerationRequest) -> Iterator[str]: ...


@dataclass
class Pick:
    n: int  # passage number (1-based)
    info: PassageInfo
    j: int  # sentence index inside the passage
    score: float
    cosine: float = 0.0
    keyword: float = 0.0
    # What the score owes to the question's Chinese translations: it ranks sentences but is left
    # out of the refusal floor, which was calibrated without it (an unanswerable English
    # question shares policy words with many sentences).
    translated: float = 0.0
    # What the score owes to question words only the passage's document title writes (a ranking
    # signal, left out of the refusal floor like ``translated``).
    titled: float = 0.0
    # What the refusal floor adds for the question's reporting words (作者, 认为, 觉得) the sentence need
    # not say: counted as neither said nor missing (the floor only; ranking is unchanged).
    unframed: float = 0.0
    # Further passages (numbers) that state the same sentence: cited alongside ``n`` ("[1][3]").
    also: tuple[int, ...] = ()
