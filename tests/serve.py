"""Start a real ``rag serve`` on 127.0.0.1 and wait until ``/readyz`` says ready: the one way the
API, fault and browser tests start a server (a subprocess, as users run it)."""

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

START_TIMEOUT = 240.0  # seconds; loading the embedder and the index takes a few on an idle machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(index_dir: Path, corpus_dir: Path, **overrides: str) -> dict[str, str]:
    """The process environment for a test server: no keys, no rate limit, the extractive generator,
    unless ``overrides`` (RAG_ settings) say otherwise."""
    return {
        **os.environ,
        "RAG_INDEX_DIR": str(index_dir),
        "RAG_CORPUS_DIR": str(corpus_dir),
        "RAG_API_KEYS": "",
        "RAG_ADMIN_KEYS": "",
        "RAG_RATE_LIMIT_PER_MINUTE": "0",
        "RAG_GENERATOR": "extractive",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


@contextmanager
def serve(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of a ready server; its output is appended to ``log_path``, whose tail
    is shown when it exits early or never becomes ready. Terminated (then killed) on exit."""
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
                    pytest.fail(
                        f"rag serve not ready after {START_TIMEOUT:.0f} s:\n{log_path.read_text()[-3000:]}"
                    )
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
