"""Real Chromium (the system's, through Playwright) against real ``rag serve`` processes on
127.0.0.1 over a copy of the seed corpus and index, so uploads and deletes never touch seeds/.

Every page records its console; a test fails on any console error or uncaught exception unless
it expects a particular failed request (a 401 for a wrong key, a 400 for a refused upload).
Screenshots of each state go to reports/web/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.config import REPO_ROOT
from tests.serve import serve, server_env

SHOTS = REPO_ROOT / "reports" / "web"
KEY = "web-test-key-7f3a"

EVAL_REPORT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Evaluation report: test</title>
<style>body{font-family:sans-serif;margin:2rem}td,th{border:1px solid #ccc;padding:4px 8px}</style></head>
<body><h1>Evaluation report: test</h1><table><tr><th>metric</th><th>ours (hybrid)</th></tr>
<tr><td>recall@5</td><td>0.875</td></tr></table></body></html>"""


@dataclass
class Server:
    base: str
    corpus: Path
    log: Path
    key: str = ""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}


@contextmanager
def run_server(root: Path, index: Path, **env_extra: str) -> Iterator[Server]:
    """A ``rag serve`` process over a private copy of the seed corpus and index under ``root``."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for f in sorted((REPO_ROOT / "seeds").glob("*.txt")):
        shutil.copy2(f, corpus / f.name)
    shutil.copytree(index, root / "index", symlinks=True)
    reports = root / "eval-reports"
    (reports / "test").mkdir(parents=True)
    (reports / "test" / "report.html").write_text(EVAL_REPORT, encoding="utf-8")
    log_path = root / "serve.log"
    env = server_env(root / "index", corpus, RAG_EVAL_REPORTS_DIR=str(reports), **env_extra)
    with serve(env, log_path) as (base, _proc):
        yield Server(base, corpus, log_path, env_extra.get("RAG_API_KEYS", ""))


@pytest.fixture(scope="session")
def server(seed_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("web"), seed_assistant.settings.index_dir) as s:
        yield s


@pytest.fixture(scope="session")
def keyed_server(seed_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(
        tmp_path_factory.mktemp("web-keys"), seed_assistant.settings.index_dir, RAG_API_KEYS=KEY
    ) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not on PATH: run `make browser` (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class Console:
    """Console errors and uncaught exceptions of one page; ``expect`` lists allowed patterns."""

    errors: list[str] = field(default_factory=list)
    expect: list[str] = field(default_factory=list)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(re.search(p, e) for p in self.expect)]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def open_page(browser, console: Console) -> Iterator:
    """``open_page(server, locale=..., width=..., height=...)`` → a fresh page (its own storage)."""
    contexts = []

    def _open(server: Server, locale: str = "en-US", width: int = 1360, height: int = 860):
        ctx = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.errors.append(f"uncaught: {e}"))
        page.goto(server.base + "/")
        page.wait_for_selector("body[data-ready=true]")
        return page

    yield _open
    for ctx in contexts:
        ctx.close()
    assert not console.unexpected(), f"browser console errors: {console.unexpected()}"


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
