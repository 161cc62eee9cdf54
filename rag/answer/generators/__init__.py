"""Generators: one small protocol, three backends chosen by name (``RAG_GENERATOR``), one module each.

- ``extractive`` (default, ``extractive.py``): no LLM, works offline and instantly; quotes the best sentences.
- ``openai`` (``llm.py``): any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp's server, hosted
  APIs) through langchain-openai, streaming.
- ``llamacpp`` (``llm.py``): a local GGUF through llama.cpp in-process (``xllamacpp``, optional ``llm`` extra).

``base.py`` holds the protocol and the request, ``factory.py`` builds a generator by name.
A backend failure raises ``BackendError``; the chain turns it into a fallback to ``extractive``
with a warning, so a dead server never breaks an answer.
"""

from rag.answer.generators.base import GenerationRequest, Generator, Pick
from rag.answer.generators.extractive import (
    ExtractiveGenerator,
    ExtractiveParams,
    section_context,
)
from rag.answer.generators.factory import GENERATORS, GeneratorFactory, get_generator
from rag.answer.generators.llm import (
    PROMPT_OVERHEAD_TOKENS,
    LlamaCppGenerator,
    OpenAIGenerator,
    evidence_rows,
    fit_context,
)

__all__ = [
    "GENERATORS",
    "PROMPT_OVERHEAD_TOKENS",
    "ExtractiveGenerator",
    "ExtractiveParams",
    "GenerationRequest",
    "Generator",
    "GeneratorFactory",
    "LlamaCppGenerator",
    "OpenAIGenerator",
    "Pick",
    "evidence_rows",
    "fit_context",
    "get_generator",
    "section_context",
]
