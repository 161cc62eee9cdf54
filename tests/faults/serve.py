"""Start a real ``rag serve`` on 127.0.0.1 (a free port) over a private copy of the seed index and
corpus, so tests that upload or delete cannot change the shared seed index."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from rag.config import REPO_ROOT

START_TIMEOUT = 240.0


@dataclass
class Server:
    base: str
    log: Path
    proc: subprocess.Popen

    def rss_mb(self, field: str = "VmRSS") -> float:
        """Resident (VmRSS) or peak resident (VmHWM) memory of the server process, in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def rag_server(index_dir: Path, workdir: Path, **env_overrides: str) -> Iterator[Server]:
    """``index_dir`` is copied into ``workdir`` with the seed corpus; ``env_overrides`` are RAG_ settings."""
    index, corpus = workdir / "index", workdir / "corpus"
    shutil.copytree(index_dir, index)
    shutil.copytree(REPO_ROOT / "seeds", corpus)
    port = free_port()
    log_path = workdir / "serve.log"
    env = {
        **os.environ,
        "RAG_INDEX_DIR": str(index),
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_API_KEYS": "",
        "RAG_ADMIN_KEYS": "",
        "RAG_RATE_LIMIT_PER_MINUTE": "0",
        "RAG_GENERATOR": "extractive",
        "PYTHONUNBUFFERED": "1",
        **env_overrides,
    }
    cmd = [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
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
            yield Server(base, log_path, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
