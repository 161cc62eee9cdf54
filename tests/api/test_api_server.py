"""A real ``rag serve`` process on 127.0.0.1 (uvicorn, a free port, bearer auth on) driven by the
official ``openai`` client, streaming and not, plus raw SSE from /v1/ask over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from rag.assistant import Assistant
from rag.config import REPO_ROOT
from tests.serve import serve, server_env

KEY = "test-key-123"
ZH_QUESTION = "根据SIA统计，2021年全球半导体销售额是多少？"
DOC_001 = "001_6339d00eea488fd2.txt"


@pytest.fixture(scope="module")
def server(seed_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, log file) of a server over the seed index the fixture built."""
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    env = server_env(seed_assistant.settings.index_dir, REPO_ROOT / "seeds", RAG_API_KEYS=KEY)
    with serve(env, log_path) as (base, _proc):
        yield base, log_path


@pytest.fixture
def client(server: tuple[str, Path]) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server[0]}/v1", api_key=KEY, max_retries=0, timeout=120)


def test_prints_example_requests(server: tuple[str, Path]) -> None:
    base, log_path = server
    log = log_path.read_text(encoding="utf-8")
    assert f"curl -s {base}/v1/search" in log
    assert "Authorization: Bearer $RAG_KEY" in log  # a placeholder, never the key itself
    assert KEY not in log


def test_models(client: openai.OpenAI) -> None:
    assert "policy-rag" in [m.id for m in client.models.list().data]


def test_chat_non_streaming(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(
        model="policy-rag", messages=[{"role": "user", "content": ZH_QUESTION}], temperature=0
    )
    msg = resp.choices[0].message
    assert resp.choices[0].finish_reason == "stop"
    assert msg.content and "[1]" in msg.content
    citations = (msg.model_extra or {})["citations"]
    assert citations == (resp.model_extra or {})["citations"]
    assert DOC_001 in {c["source"] for c in citations}
    assert all(c["quote"] for c in citations)


def test_chat_streaming(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": ZH_QUESTION}]
    full = client.chat.completions.create(model="policy-rag", messages=messages)
    chunks = list(client.chat.completions.create(model="policy-rag", messages=messages, stream=True))
    assert len(chunks) >= 3
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == full.choices[0].message.content
    with_citations = [c for c in chunks if (c.model_extra or {}).get("citations")]
    assert len(with_citations) == 1
    final = with_citations[0]
    assert final.choices[0].delta.content  # the citations ride on the last content chunk
    assert (final.choices[0].delta.model_extra or {})["citations"] == final.model_extra["citations"]
    assert final.model_extra["citations"] == full.model_extra["citations"]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks.index(final) == len(chunks) - 2


def test_wrong_key(server: tuple[str, Path]) -> None:
    bad = openai.OpenAI(base_url=f"{server[0]}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as exc:
        bad.models.list()
    assert exc.value.status_code == 401
    assert exc.value.body == {"type": "unauthorized", "message": "invalid API key"}


def test_ask_sse_over_http(server: tuple[str, Path]) -> None:
    base, _ = server
    events: list[tuple[str, dict]] = []
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {"question": ZH_QUESTION, "stream": True}
    with httpx.stream("POST", f"{base}/v1/ask", json=body, headers=headers, timeout=120) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                events.append((event, json.loads(line[5:])))
    names = [e for e, _ in events]
    assert names[0] == "token" and names[-2:] == ["citations", "done"]
    answer = events[-2][1]
    assert DOC_001 in {c["source"] for c in answer["citations"]}
    plain = httpx.post(f"{base}/v1/ask", json={"question": ZH_QUESTION}, headers=headers, timeout=120).json()
    assert answer["answer"] == plain["answer"] and answer["citations"] == plain["citations"]


def test_errors_over_http(server: tuple[str, Path]) -> None:
    base, _ = server
    headers = {"Authorization": f"Bearer {KEY}"}
    r = httpx.post(f"{base}/v1/search", json={"query": "x", "k": 1000}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("k")
    r = httpx.post(f"{base}/v1/search", json={"query": "x"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    metrics = httpx.get(f"{base}/metrics").text
    assert 'route="/v1/chat/completions"' in metrics and "rag_index_chunks" in metrics
