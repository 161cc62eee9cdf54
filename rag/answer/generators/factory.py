"""Generators chosen by name (``RAG_GENERATOR``): the valid names, the factory that builds and keeps them."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.answer.citations import PassageCache
from rag.answer.generators.base import Generator
from rag.answer.generators.extractive import (
    ExtractiveGenerator,
    ExtractiveParams,
    LeadSource,
    LexiconSource,
    Translate,
)
from rag.answer.generators.llm import LlamaCppGenerator, OpenAIGenerator, evidence_sentences
from rag.embeddings import Embedder
from rag.errors import UnknownComponent

if TYPE_CHECKING:
    from rag.config import Settings


GENERATORS = ("extractive", "openai", "llamacpp")


@dataclass
class GeneratorFactory:
    """Builds generators by name and keeps them (an LLM client or a loaded model is reused)."""

    settings: Settings
    embedder: Embedder
    passages: PassageCache = field(default_factory=PassageCache)
    params: ExtractiveParams | None = None
    translate: Translate | None = None
    lexicon: LexiconSource | None = None
    leads: LeadSource | None = None
    _built: dict[str, Generator] = field(default_factory=dict)

    def get(self, name: str) -> Generator:
        if name not in self._built:
            self._built[name] = get_generator(
                name,
                settings=self.settings,
                embedder=self.embedder,
                passages=self.passages,
                params=self.params,
                translate=self.translate,
                lexicon=self.lexicon,
                leads=self.leads,
            )
        return self._built[name]


def get_generator(
    name: str,
    *,
    settings: Settings,
    embedder: Embedder,
    passages: PassageCache | None = None,
    params: ExtractiveParams | None = None,
    translate: Translate | None = None,
    lexicon: LexiconSource | None = None,
    leads: LeadSource | None = None,
) -> Generator:
    """The generator a settings name asks for; an unknown name lists the valid ones."""
    key = name.strip().lower()
    extractive = ExtractiveGenerator(embedder, passages, params, translate, lexicon, leads)
    if key == "extractive":
        return extractive
    evidence = functools.partial(evidence_sentences, extractive)
    if key == "openai":
        return OpenAIGenerator(settings, evidence)
    if key in ("llamacpp", "llama-cpp", "llama_cpp"):
        return LlamaCppGenerator(settings, evidence)
    raise UnknownComponent(f"unknown generator {name!r}; valid generators: {', '.join(GENERATORS)}")
