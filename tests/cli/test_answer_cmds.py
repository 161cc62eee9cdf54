"""``rag ask`` and ``rag chat`` as a user runs them: real subprocesses over the seed index, chat
driven through a pipe and through a pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from rag.assistant import Assistant
from rag.config import REPO_ROOT

CONTRACT = {
    "question",
    "language",
    "answer",
    "refused",
    "generator",
    "citations",
    "sentences",
    "warnings",
    "timings_ms",
    "refusal_reason",
    "suggestions",
    "parts",
    "standalone",  # the question as retrieved (a rewritten follow-up), added on branch dialog
}
CITATION_KEYS = {"n", "chunk_id", "source", "title", "section", "quote", "start", "end"}
TIMEOUT = 240  # seconds; loading the embedder and index takes a few seconds on an idle machine


@pytest.fixture(scope="module")
def cli_env(seed_assistant: Assistant) -> dict[str, str]:
    """The environment of a user whose index is the (already built) seed test index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_INDEX_DIR=str(seed_assistant.settings.index_dir),
        RAG_CORPUS_DIR=str(seed_assistant.settings.corpus_dir),
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
    )
    return env


def rag(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=TIMEOUT,
    )


def test_ask_json_prints_exactly_the_contract(cli_env: dict[str, str]) -> None:
    proc = rag(cli_env, "ask", "2021年我国基础研究经费达到多少？", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == CONTRACT
    assert obj["language"] == "zh" and obj["refused"] is False and obj["generator"] == "extractive"
    assert obj["citations"] and all(set(c) >= CITATION_KEYS for c in obj["citations"])
    assert all({"text", "citations", "supported", "score"} <= set(s) for s in obj["sentences"])
    assert set(obj["timings_ms"]) >= {"retrieve", "generate", "verify"}
    assert "1696" in obj["answer"]
    assert "Traceback" not in proc.stderr


def test_ask_human_output(cli_env: dict[str, str]) -> None:
    proc = rag(
        cli_env, "ask", "根據SIA統計，2021年中國市場集成電路銷售額佔全球銷售額的比重是多少？", "-k", "4"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("根據檢索到的文件：")
    assert "Sources" in proc.stdout and "[1]" in proc.stdout and "34.6%" in proc.stdout


def test_ask_batch_from_stdin(cli_env: dict[str, str]) -> None:
    questions = "2021年我国基础研究经费达到多少？\n\nWhat is the weather in Paris tomorrow?\n"
    proc = rag(cli_env, "ask", "--batch", "-", "--json", stdin=questions)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [a["question"] for a in answers] == [
        "2021年我国基础研究经费达到多少？",
        "What is the weather in Paris tomorrow?",
    ]
    assert all(set(a) == CONTRACT for a in answers)
    assert answers[0]["refused"] is False
    assert answers[1]["refused"] is True and answers[1]["language"] == "en"
    assert answers[1]["answer"] == "The documents do not contain the answer to this question."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "empty"),
        (["ask", "基础研究", "-k", "0"], "between 1 and 20"),
        (["ask", "基础研究", "--generator", "gpt-17"], "extractive, openai, llamacpp"),
        (["ask", "--batch", "/nonexistent/questions.txt"], "cannot read"),
        (["chat", "-k", "99"], "between 1 and 20"),
    ],
)
def test_errors_are_one_line_and_exit_1(cli_env: dict[str, str], args: list[str], message: str) -> None:
    proc = rag(cli_env, *args)
    assert proc.returncode == 1
    assert "error:" in proc.stderr and message in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_chat_through_a_pipe(cli_env: dict[str, str]) -> None:
    script = "\n".join(
        [
            "2021年我国基础研究经费达到多少？",
            "/sources 1",
            "/sources 99",
            "它占全社会研发经费的比例呢？",
            "/reset",
            "/nonsense",
            "What is the weather in Paris tomorrow?",
        ]
    )
    proc = rag(cli_env, "chat", stdin=script + "\n")  # then EOF, like Ctrl-D
    assert proc.returncode == 0, proc.stderr
    out, err = proc.stdout, proc.stderr
    assert "Traceback" not in err
    assert out.count("Sources") >= 2 and "1696" in out
    assert "6%" in out  # the follow-up, rewritten with the previous question's terms, found the share
    assert "001_6339d00eea488fd2.txt" in out  # /sources 1 shows the passage with its location
    assert "usage: /sources N" in err and "history cleared" in err and "unknown command /nonsense" in err
    assert "The documents do not contain the answer to this question." in out


def _read_until(fd: int, needle: str, buf: list[str], timeout: float = TIMEOUT) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = "".join(buf)
        if needle in text:
            return text
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{needle!r} did not appear; got:\n{text[-2000:]}")
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                data = b""
            if not data:
                raise AssertionError(f"EOF before {needle!r}; got:\n{text[-2000:]}")
            buf.append(data.decode("utf-8", "replace"))


def test_chat_through_a_pseudo_terminal(cli_env: dict[str, str]) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag", "chat"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**cli_env, "TERM": "dumb"},
        cwd=REPO_ROOT,
        close_fds=True,
    )
    os.close(slave)
    buf: list[str] = []
    try:
        _read_until(master, "> ", buf)
        os.write(master, "2021年我国基础研究经费达到多少？\n".encode())
        _read_until(master, "Sources", buf)
        start = len("".join(buf))
        _read_until(master, "> ", buf)
        os.write(master, b"/sources 2\n")
        text = _read_until(master, "[2]", buf)
        assert "[2]" in text[start:]
        os.write(master, b"\x04")  # Ctrl-D at an empty prompt: EOF
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    transcript = "".join(buf)
    assert "1696" in transcript and "Traceback" not in transcript
