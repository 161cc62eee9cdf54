"""The HTTP API through the ASGI app (FastAPI's TestClient runs the real lifespan): every route,
every error status, auth, rate limiting, uploads, streaming and metrics.

The shared seed index is only read here; tests that upload or delete build their own assistant
over a temporary corpus, so the seed index is never modified.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.auth import RateLimiter
from api.errors import ApiError
from api.routes_documents import sanitize_filename
from rag.assistant import Assistant
from rag.config import Settings
from rag.embeddings import Embedder
from rag.errors import BackendError, IndexMismatchError
from rag.types import Answer

SEARCH_KEYS = {"rank", "score", "chunk_id", "source", "title", "section", "text", "start", "end"}
ASK_KEYS = {
    "question", "language", "answer", "refused", "generator",
    "citations", "sentences", "warnings", "timings_ms",
}  # fmt: skip
CITATION_KEYS = {"n", "chunk_id", "source", "title", "section", "quote", "start", "end"}
SENTENCE_KEYS = {"text", "citations", "supported", "score"}

DOC_001 = "001_6339d00eea488fd2.txt"  # semiconductor briefing (SIA figures)
DOC_002 = "002_a935e4fe392ee53f.txt"  # 2020 hard-tech whitepaper
ZH_QUESTION = "根据SIA统计，2021年全球半导体销售额是多少？"
EN_QUESTION = "According to the 2020 hard-tech whitepaper, what was China's contribution rate of scientific and technological progress in 2019?"
UNANSWERABLE = "How much did Hong Kong spend on R&D in 2018?"  # gold: not in the seeds

SMALL_DOC = """---
title: 量子计算专项扶持办法
date: 2024-03-01
---
# 量子计算专项扶持办法

第一条 为加快量子计算产业发展，对新建量子计算实验室给予一次性补助300万元。

第二条 对年度研发投入超过5000万元的量子计算企业，按研发投入的10%给予奖励，最高不超过1000万元。
"""


# --- helpers -------------------------------------------------------------------------------


def error_of(resp: Any, status: int) -> dict[str, str]:
    """Assert the JSON error shape (never a stack trace) and return the error object."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"type", "message"}
    assert isinstance(body["error"]["type"], str) and body["error"]["message"]
    assert "Traceback" not in resp.text
    return body["error"]


def sse_events(text: str) -> list[tuple[str, Any]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events = []
    for block in text.strip().split("\n\n"):
        event, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        payload = "\n".join(data)
        events.append((event, payload if payload == "[DONE]" else json.loads(payload)))
    return events


def check_answer(obj: dict[str, Any]) -> None:
    assert set(obj) >= ASK_KEYS
    assert obj["language"] in ("zh", "en")
    for c in obj["citations"]:
        assert set(c) >= CITATION_KEYS
        assert 0 <= c["start"] <= c["end"]
    for s in obj["sentences"]:
        assert set(s) >= SENTENCE_KEYS
    assert set(obj["timings_ms"]) >= {"retrieve", "generate", "verify"}


@pytest.fixture(scope="module")
def client(seed_assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(assistant=seed_assistant)) as c:
        yield c


@pytest.fixture
def upload_assistant(tmp_settings: Settings, embedder: Embedder) -> Assistant:
    """A separate assistant over a one-document temporary corpus (uploads must not touch the seeds)."""
    (tmp_settings.corpus_dir / "quantum.md").write_text(SMALL_DOC, encoding="utf-8")
    return Assistant(tmp_settings, embedder=embedder)


def app_client(assistant: Assistant, **overrides: Any) -> TestClient:
    settings = assistant.settings.model_copy(update=overrides)
    assistant.settings = settings
    return TestClient(create_app(settings, assistant))


# --- health, docs, metrics -----------------------------------------------------------------


def test_health_and_ready(client: TestClient, seed_assistant: Assistant) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["chunks"] == len(seed_assistant.index) > 0
    assert ready.json()["documents"] == 5


def test_ready_names_the_store_and_keyword_engine(client: TestClient) -> None:
    store = client.get("/readyz").json()["store"]
    assert store["store"] == "faiss" and store["keyword_engine"]


def test_ready_on_a_milvus_copy_of_the_index(seed_assistant: Assistant, tmp_path) -> None:
    """RAG_STORE=milvus behind the same app: /readyz says so and /v1/search answers from Milvus Lite."""
    from rag.ingest.migrate import copy_store
    from rag.store.factory import make_store

    settings = seed_assistant.settings.model_copy(
        update={"store": "milvus", "milvus_uri": str(tmp_path / "api.db")}
    )
    copy_store(seed_assistant.index, make_store(settings))
    milvus = Assistant(settings, embedder=seed_assistant.embedder)
    with TestClient(create_app(settings, milvus)) as c:
        ready = c.get("/readyz").json()
        assert ready["status"] == "ready" and ready["chunks"] == len(seed_assistant.index)
        assert ready["store"]["store"] == "milvus"
        assert ready["store"]["keyword_engine"].startswith("milvus-bm25")
        assert ready["store"]["deployment"] == "Milvus Lite file"
        hits = c.post("/v1/search", json={"query": "卡脖子技术", "k": 3}).json()["hits"]
        expected = [h.chunk.chunk_id for h in seed_assistant.search("卡脖子技术", 3)]
        assert [h["chunk_id"] for h in hits] == expected


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/v1/ask", "/v1/search", "/v1/chat/completions", "/v1/models", "/v1/documents", "/healthz"):
        assert p in paths
    assert "multipart/form-data" in paths["/v1/documents"]["post"]["requestBody"]["content"]


def test_metrics(client: TestClient, seed_assistant: Assistant) -> None:
    assert client.post("/v1/search", json={"query": "集成电路", "k": 2}).status_code == 200
    client.post("/v1/search", json={"query": "", "k": 2})
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    # parsed with Prometheus' own parser: label order inside {} carries no meaning
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    route = {("method", "POST"), ("route", "/v1/search")}
    assert samples[("rag_http_requests_total", frozenset(route | {("status", "200")}))] >= 1
    assert samples[("rag_http_requests_total", frozenset(route | {("status", "422")}))] >= 1
    inf = frozenset(route | {("status", "200"), ("le", "+Inf")})
    assert samples[("rag_http_request_duration_seconds_bucket", inf)] >= 1
    assert samples[("rag_retrieval_seconds_count", frozenset())] >= 1
    assert samples[("rag_index_chunks", frozenset())] == len(seed_assistant.index)
    assert samples[("rag_index_documents", frozenset())] == 5
    assert samples[("rag_ready", frozenset())] == 1
    for line in text.splitlines():  # every sample line is "name{labels} value"
        if line and not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])


def test_not_ready_when_index_empty(tmp_settings: Settings, embedder: Embedder) -> None:
    """An empty corpus gives an empty index: probes and queries say 503, uploads still work."""
    with TestClient(create_app(tmp_settings, Assistant(tmp_settings, embedder=embedder))) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 503
        err = error_of(c.post("/v1/search", json={"query": "量子"}), 503)
        assert err["type"] == "index_not_ready"
        error_of(c.post("/v1/ask", json={"question": "量子计算补助多少？"}), 503)
        msgs = [{"role": "user", "content": "hi"}]
        error_of(c.post("/v1/chat/completions", json={"messages": msgs}), 503)
        r = c.post("/v1/documents", files={"file": ("q.md", SMALL_DOC.encode(), "text/markdown")})
        assert r.status_code == 201, r.text
        assert c.get("/readyz").status_code == 200
        assert (
            c.post("/v1/search", json={"query": "量子计算实验室补助"}).json()["hits"][0]["source"]
            == "uploads/q.md"
        )


def test_not_ready_when_load_fails(tmp_settings: Settings, embedder: Embedder) -> None:
    """A start-up failure (e.g. an index built by another embedder) keeps the server up and says why."""

    class Mismatched(Assistant):
        def ensure_index(self, *, rebuild_on_mismatch: bool = False) -> None:
            raise IndexMismatchError("index was built with embedder other-model")

    with TestClient(create_app(tmp_settings, Mismatched(tmp_settings, embedder=embedder))) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "other-model" in ready.json()["reason"]
        assert "other-model" in error_of(c.post("/v1/search", json={"query": "x"}), 503)["message"]
        assert c.get("/healthz").status_code == 200


# --- search --------------------------------------------------------------------------------


def test_search_contract(client: TestClient, seed_assistant: Assistant) -> None:
    r = client.post("/v1/search", json={"query": "2021年全球半导体销售额", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"query", "hits"} and body["query"] == "2021年全球半导体销售额"
    assert [h["rank"] for h in body["hits"]] == [1, 2, 3]
    for h in body["hits"]:
        assert set(h) >= SEARCH_KEYS
    assert body["hits"][0]["source"] == DOC_001
    # exactly what the library (and so `rag search --json`) returns
    lib = [h.to_dict() for h in seed_assistant.search("2021年全球半导体销售额", 3)]
    assert body["hits"] == lib


def test_search_english_default_k_and_modes(client: TestClient, seed_assistant: Assistant) -> None:
    r = client.post(
        "/v1/search", json={"query": "contribution rate of scientific and technological progress"}
    )
    assert r.status_code == 200
    assert len(r.json()["hits"]) == seed_assistant.settings.top_k
    assert DOC_002 in {h["source"] for h in r.json()["hits"][:5]}
    for mode in ("dense", "keyword"):
        assert client.post("/v1/search", json={"query": "研发经费", "k": 2, "mode": mode}).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "x", "k": 0}, "k"),
        ({"query": "x", "k": 101}, "k"),
        ({"query": "x", "k": "many"}, "k"),
        ({}, "query"),
        ({"query": "x", "mode": "fuzzy"}, "mode"),
        ({"query": "长" * 2001}, "query"),
    ],
)
def test_search_bad_input(client: TestClient, payload: dict, field: str) -> None:
    err = error_of(client.post("/v1/search", json=payload), 422)
    assert err["type"] == "invalid_request"
    assert err["message"].startswith(field), err


def test_malformed_json(client: TestClient) -> None:
    r = client.post("/v1/search", content=b'{"query": ', headers={"Content-Type": "application/json"})
    assert "not valid JSON" in error_of(r, 422)["message"]


# --- ask -----------------------------------------------------------------------------------


def test_ask_zh(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": ZH_QUESTION})
    assert r.status_code == 200, r.text
    body = r.json()
    check_answer(body)
    assert body["language"] == "zh" and not body["refused"]
    assert DOC_001 in {c["source"] for c in body["citations"]}
    assert "[1]" in body["answer"] or "[" in body["answer"]


def test_ask_en_with_k_and_history(client: TestClient) -> None:
    history = [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "你好！"}]
    r = client.post("/v1/ask", json={"question": EN_QUESTION, "k": 4, "history": history})
    assert r.status_code == 200, r.text
    body = r.json()
    check_answer(body)
    assert body["language"] == "en" and not body["refused"]
    assert DOC_002 in {c["source"] for c in body["citations"]}


def test_ask_unanswerable_is_refused(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": UNANSWERABLE}).json()
    check_answer(body)
    assert body["refused"] is True
    assert body["language"] == "en" and "do not contain" in body["answer"]
    stream = sse_events(client.post("/v1/ask", json={"question": UNANSWERABLE, "stream": True}).text)
    assert stream[-2][0] == "citations" and stream[-2][1]["refused"] is True


def test_ask_same_as_library(client: TestClient, seed_assistant: Assistant) -> None:
    api = client.post("/v1/ask", json={"question": ZH_QUESTION}).json()
    lib = seed_assistant.ask(ZH_QUESTION).to_dict()
    api.pop("timings_ms"), lib.pop("timings_ms")
    assert api == lib


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": " \n "}, "question"),
        ({"question": "问" * 2001}, "question"),
        ({"question": "x", "k": 0}, "k"),
        ({"question": "x", "k": 21}, "k"),
        ({"question": "x", "history": [{"role": "robot", "content": "hi"}]}, "history"),
        ({"k": 3}, "question"),
    ],
)
def test_ask_bad_input(client: TestClient, payload: dict, field: str) -> None:
    err = error_of(client.post("/v1/ask", json=payload), 422)
    assert err["message"].startswith(field), err


def test_ask_unknown_generator(client: TestClient) -> None:
    for stream in (False, True):
        r = client.post(
            "/v1/ask", json={"question": ZH_QUESTION, "generator": "no-such-gen", "stream": stream}
        )
        assert r.status_code in (400, 422)
        assert "no-such-gen" in error_of(r, r.status_code)["message"]


def test_ask_llm_down_falls_back(client: TestClient, seed_assistant: Assistant) -> None:
    """An unreachable LLM backend is not an error: the answer falls back to extractive, with a warning."""
    settings = seed_assistant.settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_timeout": 2}
    )
    with TestClient(create_app(settings, Assistant(settings, embedder=seed_assistant.embedder))) as c:
        r = c.post("/v1/ask", json={"question": ZH_QUESTION, "generator": "openai"})
        assert r.status_code == 200, r.text
        assert r.json()["warnings"]


def test_ask_stream(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": ZH_QUESTION, "stream": True})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    names = [e for e, _ in events]
    assert names[-2:] == ["citations", "done"]
    assert set(names[:-2]) == {"token"} and len(names) >= 3
    answer = events[-2][1]
    check_answer(answer)
    assert DOC_001 in {c["source"] for c in answer["citations"]}
    streamed = "".join(d["delta"] for e, d in events if e == "token")
    assert streamed.strip()


class ScriptedAssistant(Assistant):
    """The seed assistant's index and embedder, with ask/stream replaced to simulate backend failures."""

    def __init__(self, base: Assistant, script: str) -> None:
        super().__init__(base.settings, embedder=base.embedder)
        self.script = script

    def ask(self, question: str, **kw: Any) -> Answer:
        if self.script == "backend-down":
            raise BackendError("LLM backend at http://127.0.0.1:9/v1 unreachable and fallback disabled")
        raise RuntimeError("secret internal detail")

    def stream(self, question: str, **kw: Any) -> Iterator[str | Answer]:
        if self.script == "backend-down":
            raise BackendError("LLM backend unreachable")
        yield "第一句。"
        raise RuntimeError("secret internal detail")

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list:
        if self.script == "crash":
            raise RuntimeError("secret internal detail")
        return super().search(query, k, mode)


def test_backend_down_is_503(seed_assistant: Assistant) -> None:
    with TestClient(create_app(assistant=ScriptedAssistant(seed_assistant, "backend-down"))) as c:
        assert error_of(c.post("/v1/ask", json={"question": "x"}), 503)["type"] == "backend_unavailable"
        error_of(c.post("/v1/ask", json={"question": "x", "stream": True}), 503)
        msgs = [{"role": "user", "content": "x"}]
        error_of(c.post("/v1/chat/completions", json={"messages": msgs}), 503)
        error_of(c.post("/v1/chat/completions", json={"messages": msgs, "stream": True}), 503)


def test_unexpected_errors_are_500_without_details(seed_assistant: Assistant) -> None:
    with TestClient(create_app(assistant=ScriptedAssistant(seed_assistant, "crash"))) as c:
        for resp in (c.post("/v1/search", json={"query": "x"}), c.post("/v1/ask", json={"question": "x"})):
            err = error_of(resp, 500)
            assert err["type"] == "internal_error" and "secret" not in resp.text
        # a stream that fails midway ends with an error event (headers were already sent)
        events = sse_events(c.post("/v1/ask", json={"question": "x", "stream": True}).text)
        assert events[0] == ("token", {"delta": "第一句。"})
        assert events[-1][0] == "error" and events[-1][1]["error"]["type"] == "internal_error"
        chunks = sse_events(
            c.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}], "stream": True}
            ).text
        )
        assert chunks[-1] == ("message", "[DONE]") and "error" in chunks[-2][1]
        assert "secret" not in json.dumps(chunks, ensure_ascii=False)
        assert c.get("/healthz").status_code == 200  # still serving
        assert c.get("/v1/models").status_code == 200


# --- OpenAI-compatible ---------------------------------------------------------------------


def test_models(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert body["data"][0]["id"] == "policy-rag" and body["data"][0]["object"] == "model"
    assert "policy-rag:extractive" in {m["id"] for m in body["data"]}


def test_chat_completion(client: TestClient) -> None:
    msgs = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": ZH_QUESTION},
    ]
    r = client.post("/v1/chat/completions", json={"model": "anything", "messages": msgs, "temperature": 0.7})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion" and body["model"] == "anything"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    ask = client.post("/v1/ask", json={"question": ZH_QUESTION}).json()
    assert choice["message"]["content"] == ask["answer"]
    assert choice["message"]["citations"] == body["citations"] == ask["citations"]
    assert body["citations"]


def test_chat_model_picks_generator(client: TestClient) -> None:
    msgs = [{"role": "user", "content": ZH_QUESTION}]
    r = client.post("/v1/chat/completions", json={"model": "policy-rag:extractive", "messages": msgs})
    assert r.status_code == 200 and r.json()["generator"] == "extractive"
    bad = client.post("/v1/chat/completions", json={"model": "policy-rag:gpt-9", "messages": msgs})
    assert "gpt-9" in error_of(bad, 422)["message"]


def test_chat_completion_content_parts_and_history(client: TestClient) -> None:
    msgs = [
        {"role": "user", "content": "半导体"},
        {"role": "assistant", "content": "请问具体想了解什么？"},
        {"role": "user", "content": [{"type": "text", "text": ZH_QUESTION}]},
    ]
    r = client.post("/v1/chat/completions", json={"messages": msgs})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"]


def test_chat_completion_stream(client: TestClient) -> None:
    msgs = [{"role": "user", "content": ZH_QUESTION}]
    r = client.post("/v1/chat/completions", json={"model": "policy-rag", "messages": msgs, "stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    assert events[-1] == ("message", "[DONE]")
    chunks = [d for _, d in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["choices"][0]["delta"] == {}
    final = chunks[-2]
    assert final["choices"][0]["delta"]["citations"] == final["citations"]
    assert final["choices"][0]["delta"]["content"]
    assert DOC_001 in {c["source"] for c in final["citations"]}
    assert all("citations" not in c["choices"][0]["delta"] for c in chunks[:-2])
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    ask = client.post("/v1/ask", json={"question": ZH_QUESTION}).json()
    assert text == ask["answer"]
    assert final["citations"] == ask["citations"]


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [{"role": "assistant", "content": "hello"}],
        [{"role": "user", "content": ""}],
        [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
    ],
)
def test_chat_completion_bad_messages(client: TestClient, messages: list) -> None:
    assert error_of(client.post("/v1/chat/completions", json={"messages": messages}), 422)[
        "message"
    ].startswith("messages")


# --- documents -----------------------------------------------------------------------------


def test_list_documents(client: TestClient, seed_assistant: Assistant) -> None:
    body = client.get("/v1/documents").json()
    assert body["count"] == 5 and body["chunks"] == len(seed_assistant.index)
    assert {d["source"] for d in body["documents"]} >= {DOC_001, DOC_002}
    assert all({"source", "doc_id", "title", "chunks"} <= set(d) for d in body["documents"])


def test_upload_search_update_delete(upload_assistant: Assistant) -> None:
    corpus = upload_assistant.settings.corpus_dir
    text = "# 氢能产业扶持政策\n\n对新建加氢站给予每座500万元建设补贴。氢燃料电池汽车示范应用按车辆售价的20%奖励。\n"
    with TestClient(create_app(assistant=upload_assistant)) as c:
        r = c.post("/v1/documents", files={"file": ("氢能 政策.md", text.encode(), "text/markdown")})
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "added" and body["source"] == "uploads/氢能 政策.md" and body["chunks"] >= 1
        assert (corpus / "uploads" / "氢能 政策.md").read_text(encoding="utf-8") == text
        hits = c.post("/v1/search", json={"query": "加氢站建设补贴", "k": 1}).json()["hits"]
        assert hits[0]["source"] == "uploads/氢能 政策.md"
        assert c.get("/v1/documents").json()["count"] == 2
        # same bytes again: nothing to do; changed bytes: the document's chunks are replaced
        again = c.post("/v1/documents", files={"file": ("氢能 政策.md", text.encode(), "text/markdown")})
        assert again.status_code == 200 and again.json()["status"] == "unchanged"
        changed = text + "\n加氢站运营补贴为每公斤氢气10元。\n"
        upd = c.post("/v1/documents", files={"file": ("氢能 政策.md", changed.encode(), "text/markdown")})
        assert upd.status_code == 200 and upd.json()["status"] == "updated"
        assert c.get("/v1/documents").json()["count"] == 2
        # delete: from the index and the uploads folder; a second delete is 404
        d = c.delete("/v1/documents/uploads/氢能 政策.md")
        assert d.status_code == 200, d.text
        assert d.json()["file_deleted"] is True and d.json()["removed_chunks"] >= 1
        assert not (corpus / "uploads" / "氢能 政策.md").exists()
        assert c.get("/v1/documents").json()["count"] == 1
        assert error_of(c.delete("/v1/documents/uploads/氢能 政策.md"), 404)["type"] == "not_found"
        # deleting a corpus document (not an upload) drops it from the index but keeps the file
        d = c.delete("/v1/documents/quantum.md")
        assert d.status_code == 200 and d.json()["file_deleted"] is False
        assert (corpus / "quantum.md").exists()


def test_upload_errors_leave_index_unchanged(upload_assistant: Assistant) -> None:
    uploads = upload_assistant.settings.corpus_dir / "uploads"
    with app_client(upload_assistant, max_upload_mb=0.01) as c:
        before = c.get("/v1/documents").json()
        chunks_before = len(upload_assistant.index)

        def up(name: str, data: bytes, ctype: str = "text/plain") -> Any:
            return c.post("/v1/documents", files={"file": (name, data, ctype)})

        # ("C:\\x.md" never arrives as such: the multipart parser keeps only "x.md", as browsers expect)
        for bad in ("../evil.md", "sub/dir.md", "..\\evil.md", ".hidden.md", "..", "/etc/passwd"):
            assert error_of(up(bad, b"text"), 400)["type"] == "invalid_request", bad
        assert "unsupported" in error_of(up("tool.exe", b"MZ\x90"), 415)["message"]
        assert error_of(up("noext", b"text"), 415)
        assert error_of(up("big.txt", b"x" * 20_000), 413)["type"] == "payload_too_large"
        assert error_of(up("huge.txt", b"x" * 200_000), 413)  # refused from Content-Length, unread
        assert error_of(up("empty.txt", b""), 400)["type"] == "document_error"
        # an undecodable file is refused with the loader's message; the stored file is removed
        binary = bytes(range(256)) * 8
        err = error_of(up("blob.txt", binary), 400)
        assert err["type"] == "document_error" and "blob.txt" in err["message"]
        assert str(uploads) not in err["message"]  # no server paths
        assert not (uploads / "blob.txt").exists()
        # a broken file replacing a good one: the good one is restored
        assert up("good.md", "# 好\n\n补贴100万元。".encode()).status_code == 201
        good_chunks = len(upload_assistant.index)
        assert error_of(up("good.md", binary), 400)
        assert (uploads / "good.md").read_text(encoding="utf-8") == "# 好\n\n补贴100万元。"
        assert len(upload_assistant.index) == good_chunks
        assert not [p for p in uploads.iterdir() if p.name.startswith(".")]  # no temp or backup files left
        c.delete("/v1/documents/uploads/good.md")
        # not multipart, no file field
        assert error_of(c.post("/v1/documents", json={"file": "x"}), 415)
        assert error_of(c.post("/v1/documents", data={"other": "x"}, files={"x": ("a.md", b"a")}), 422)
        assert c.get("/v1/documents").json() == before
        assert len(upload_assistant.index) == chunks_before


def test_sanitize_filename() -> None:
    assert sanitize_filename("政策 2024（修订）.md", 200) == "政策 2024（修订）.md"
    assert sanitize_filename("a*b?c<d>.txt", 200) == "a_b_c_d_.txt"
    assert sanitize_filename("x\u0007y.md", 200) == "xy.md"
    # the limit counts UTF-8 bytes, as file systems do (a CJK character is 3): refused, not cut
    assert sanitize_filename("长" * 65 + ".pdf", 200) == "长" * 65 + ".pdf"  # 199 bytes
    with pytest.raises(ApiError, match="bytes"):
        sanitize_filename("长" * 66 + ".pdf", 200)
    for bad in (
        "",
        "  ",
        "../a.md",
        "/etc/passwd",
        "a\\b.md",
        "..",
        ".env",
        "D:x.md",
        "C:\\x.md",
        "\\\\srv\\s\\x.md",
    ):
        with pytest.raises(ApiError):
            sanitize_filename(bad, 200)


# --- auth, rate limit, CORS, routing errors ------------------------------------------------


def test_auth(seed_assistant: Assistant) -> None:
    settings = seed_assistant.settings.model_copy(update={"api_keys": "k1, k2", "admin_keys": "adm"})
    with TestClient(create_app(settings, seed_assistant)) as c:
        r = c.post("/v1/search", json={"query": "研发"})
        assert error_of(r, 401)["type"] == "unauthorized"
        assert r.headers["www-authenticate"].startswith("Bearer")
        bad = c.post("/v1/search", json={"query": "研发"}, headers={"Authorization": "Bearer nope"})
        assert "invalid" in error_of(bad, 401)["message"]
        assert error_of(c.get("/v1/models", headers={"Authorization": "Basic azE6"}), 401)
        for key in ("k1", "k2", "adm"):
            ok = c.post(
                "/v1/search", json={"query": "研发", "k": 1}, headers={"Authorization": f"Bearer {key}"}
            )
            assert ok.status_code == 200
        # health, readiness, metrics and docs stay open
        for path in ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"):
            assert c.get(path).status_code == 200, path
        # upload and delete need an admin key: 401 without a key, 403 with a plain one
        assert error_of(c.delete("/v1/documents/x.md"), 401)
        assert (
            error_of(c.delete("/v1/documents/x.md", headers={"Authorization": "Bearer k1"}), 403)["type"]
            == "forbidden"
        )
        files = {"file": ("a.md", b"# a")}
        assert error_of(c.post("/v1/documents", files=files, headers={"Authorization": "Bearer k1"}), 403)
        # the admin key passes auth (the document does not exist: 404)
        assert error_of(c.delete("/v1/documents/x.md", headers={"Authorization": "Bearer adm"}), 404)
        assert c.get("/v1/documents", headers={"Authorization": "Bearer k1"}).status_code == 200


def test_admin_keys_without_api_keys(seed_assistant: Assistant) -> None:
    """Reading is open, changing needs the admin key."""
    settings = seed_assistant.settings.model_copy(update={"admin_keys": "adm"})
    with TestClient(create_app(settings, seed_assistant)) as c:
        assert c.get("/v1/documents").status_code == 200
        assert error_of(c.delete("/v1/documents/x.md"), 401)
        assert error_of(c.delete("/v1/documents/x.md", headers={"Authorization": "Bearer adm"}), 404)


def test_rate_limit(seed_assistant: Assistant) -> None:
    settings = seed_assistant.settings.model_copy(update={"api_keys": "k1,k2", "rate_limit_per_minute": 3})
    with TestClient(create_app(settings, seed_assistant)) as c:
        h1, h2 = {"Authorization": "Bearer k1"}, {"Authorization": "Bearer k2"}
        assert [c.get("/v1/models", headers=h1).status_code for _ in range(3)] == [200] * 3
        r = c.get("/v1/models", headers=h1)
        assert error_of(r, 429)["type"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 20
        assert c.get("/v1/models", headers=h2).status_code == 200  # per key
        assert c.get("/healthz").status_code == 200  # health is not limited
        assert error_of(c.get("/v1/models"), 401)  # a missing key is not charged to anyone


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(per_minute=60)  # one token per second, burst 60
    assert all(limiter.acquire("a", now=0.0) == 0 for _ in range(60))
    assert limiter.acquire("a", now=0.0) == pytest.approx(1.0)
    assert limiter.acquire("a", now=0.5) == pytest.approx(0.5)
    assert limiter.acquire("a", now=1.0) == 0
    assert limiter.acquire("b", now=1.0) == 0
    assert RateLimiter(per_minute=0).acquire("a") == 0  # 0 = unlimited


def test_cors(seed_assistant: Assistant) -> None:
    settings = seed_assistant.settings.model_copy(update={"cors_origins": "http://localhost:3000"})
    with TestClient(create_app(settings, seed_assistant)) as c:
        pre = c.options(
            "/v1/ask",
            headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type"},
        )  # fmt: skip
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "http://localhost:3000"
        r = c.post("/v1/search", json={"query": ""}, headers={"Origin": "http://localhost:3000"})
        assert r.status_code == 422 and r.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = c.get("/healthz", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_routing_errors(client: TestClient) -> None:
    assert error_of(client.get("/v1/nope"), 404)["type"] == "not_found"
    assert error_of(client.get("/v1/search"), 405)["type"] == "method_not_allowed"


def test_health_answers_while_busy(client: TestClient) -> None:
    """CPU-bound work runs in threads: a probe is not stuck behind a running search."""
    import threading

    done = threading.Event()

    def busy() -> None:
        for _ in range(5):
            client.post("/v1/search", json={"query": "集成电路产业政策与研发投入", "k": 50})
        done.set()

    t = threading.Thread(target=busy)
    t.start()
    t0 = time.perf_counter()
    assert client.get("/healthz").status_code == 200
    assert time.perf_counter() - t0 < 2.0
    t.join()
