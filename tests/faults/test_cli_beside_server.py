"""`rag ingest` while `rag serve` runs on the same index: the server answers about the new
document without a restart, and its own next upload keeps the CLI's document (issue 11)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.faults.conftest import rag_env, run, serve, write_doc


def test_server_serves_what_the_cli_ingested(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_doc(corpus / "first.md", 1, "起始文件")
    env = rag_env(corpus, index)
    with serve(env, tmp_path / "serve.log") as (base, _):
        write_doc(corpus / "cli.md", 2, "量子星河计划")
        out = run(["ingest", str(corpus / "cli.md")], env)
        assert out.returncode == 0, out.stderr[-2000:]

        hits = httpx.post(f"{base}/v1/search", json={"query": "量子星河计划", "k": 3}, timeout=60).json()[
            "hits"
        ]
        assert hits and hits[0]["source"] == "cli.md"
        docs = httpx.get(f"{base}/v1/documents", timeout=60).json()["documents"]
        assert {d["source"] for d in docs} == {"first.md", "cli.md"}

        files = {"file": ("upload.md", "# 上传文件\n\n天穹工程支持基础研究，投入五十亿元。\n".encode())}
        r = httpx.post(f"{base}/v1/documents", files=files, timeout=300)
        assert r.status_code == 201, r.text
        docs = httpx.get(f"{base}/v1/documents", timeout=60).json()["documents"]
        assert {d["source"] for d in docs} == {"first.md", "cli.md", "uploads/upload.md"}

    # and a fresh process agrees
    out = run(["docs", "--json"], env)
    assert out.returncode == 0
    assert all(s in out.stdout for s in ("first.md", "cli.md", "uploads/upload.md"))
