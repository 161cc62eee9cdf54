"""Helpers for the fault tests: real `rag` subprocesses (CLI and server) on a temporary index."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from rag.config import REPO_ROOT

START_TIMEOUT = 240.0


def rag_env(corpus: Path, index: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "RAG_INDEX_DIR": str(index),
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_API_KEYS": "",
        "RAG_ADMIN_KEYS": "",
        "RAG_RATE_LIMIT_PER_MINUTE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def rag(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rag", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def run(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_doc(path: Path, n: int, marker: str) -> None:
    """A small Chinese policy-like document with a unique searchable marker."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# 第{n}号测试政策\n\n本文件编号为{marker}。{marker}专项计划支持集成电路研发，"
        f"安排资金{n}亿元，用于关键核心技术攻关。\n\n第二条 {marker}计划由科技部牵头实施。\n",
        encoding="utf-8",
    )


@contextmanager
def serve(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"rag serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"rag serve not ready:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            yield base, proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def indexed_sources(corpus: Path, index: Path) -> list[str]:
    out = run(["docs", "--json"], rag_env(corpus, index))
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    return sorted(d["source"] for d in json.loads(out.stdout)["documents"])
