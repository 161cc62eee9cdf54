"""Start a real ``rag serve`` on 127.0.0.1 (a free port) over a private copy of the seed index and
corpus, so tests that upload or delete cannot change the shared seed index."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rag.config import REPO_ROOT
from tests.serve import serve, server_env


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


@contextmanager
def rag_server(index_dir: Path, workdir: Path, **env_overrides: str) -> Iterator[Server]:
    """``index_dir`` is copied into ``workdir`` with the seed corpus; ``env_overrides`` are RAG_ settings."""
    index, corpus = workdir / "index", workdir / "corpus"
    shutil.copytree(index_dir, index)
    shutil.copytree(REPO_ROOT / "seeds", corpus)
    log_path = workdir / "serve.log"
    with serve(server_env(index, corpus, **env_overrides), log_path) as (base, proc):
        yield Server(base, log_path, proc)
