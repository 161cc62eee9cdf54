"""Helpers for the fault tests: real `rag` subprocesses (CLI and server) on a temporary index."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rag.config import REPO_ROOT
from tests.serve import serve, server_env

__all__ = ["indexed_sources", "rag", "rag_env", "run", "serve", "write_doc"]


def rag_env(corpus: Path, index: Path, **extra: str) -> dict[str, str]:
    return server_env(index, corpus, **extra)


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


def write_doc(path: Path, n: int, marker: str) -> None:
    """A small Chinese policy-like document with a unique searchable marker."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# 第{n}号测试政策\n\n本文件编号为{marker}。{marker}专项计划支持集成电路研发，"
        f"安排资金{n}亿元，用于关键核心技术攻关。\n\n第二条 {marker}计划由科技部牵头实施。\n",
        encoding="utf-8",
    )


def indexed_sources(corpus: Path, index: Path) -> list[str]:
    out = run(["docs", "--json"], rag_env(corpus, index))
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    return sorted(d["source"] for d in json.loads(out.stdout)["documents"])
