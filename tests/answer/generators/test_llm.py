"""LLM backends fail cleanly (unreachable server, missing model) and fit their context to the budget."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag.answer.generators import (
    GenerationRequest,
    LlamaCppGenerator,
    OpenAIGenerator,
    fit_context,
)
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import BackendError
from rag.text import detect_language, detect_script


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there once the socket is closed


def _request(assistant: Assistant, question: str, k: int = 6) -> GenerationRequest:
    hits = assistant.search(question, k)
    return GenerationRequest(question, hits, detect_language(question), detect_script(question))


def test_openai_generator_raises_backend_error_when_unreachable(seed_assistant: Assistant) -> None:
    settings = Settings(generator="openai", llm_base_url=closed_port_url(), llm_timeout=5, _env_file=None)
    gen = OpenAIGenerator(settings)
    with pytest.raises(BackendError) as err:
        list(gen.stream(_request(seed_assistant, "2021年我国基础研究经费达到多少？", k=2)))
    assert "127.0.0.1" in str(err.value)


def test_llamacpp_generator_explains_what_is_missing(tmp_path: Path, seed_assistant: Assistant) -> None:
    request = _request(seed_assistant, "2021年我国基础研究经费达到多少？", k=2)
    with pytest.raises(BackendError, match="make local-llm"):
        list(LlamaCppGenerator(Settings(llm_model_path=None, _env_file=None)).stream(request))
    with pytest.raises(BackendError, match="make local-llm"):
        list(
            LlamaCppGenerator(Settings(llm_model_path=tmp_path / "none.gguf", _env_file=None)).stream(request)
        )


def test_fit_context_keeps_leading_passages_within_the_budget(seed_assistant: Assistant) -> None:
    hits = seed_assistant.search("2021年我国基础研究经费达到多少？", 6)
    assert fit_context("q", hits, 100_000) == hits
    assert fit_context("q", hits, 10) == hits[:1]  # never empty
    some = fit_context("q", hits, 900)
    assert 1 <= len(some) < len(hits) and some == hits[: len(some)]
