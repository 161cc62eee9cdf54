"""kill -9 at random points: of `rag ingest` (the index still loads, nothing committed is lost,
a re-run completes) and of the server mid-upload (restart + `rag ingest --sync` leaves no
file on disk that the index does not know) (issue 11)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import threading
import time
from pathlib import Path

import httpx

from rag.config import REPO_ROOT
from tests.faults.conftest import indexed_sources, rag, rag_env, run, serve, write_doc

SEEDS = sorted((REPO_ROOT / "seeds").glob("*.txt"))


def test_kill9_of_ingest_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(11)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, corpus / seed.name)
    for n in range(6):
        write_doc(corpus / f"small{n}.md", n, f"丙{n}")
    want = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())
    # small segments, so a kill can land between segment writes and the commit
    env = rag_env(corpus, index, RAG_SEGMENT_CHUNKS="100")
    for attempt in range(3):
        proc = rag(["ingest"], env)
        time.sleep(rng.uniform(1.0, 10.0))
        proc.kill()
        proc.wait()
        docs = run(["docs", "--json"], env)
        if docs.returncode == 0:  # an index exists: it loads and holds only whole documents
            for d in json.loads(docs.stdout)["documents"]:
                assert d["source"] in want and d["chunks"] > 0, f"attempt {attempt}"
        else:
            assert "no index" in docs.stderr, docs.stderr[-2000:]
    out = run(["ingest", "--sync"], env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert indexed_sources(corpus, index) == want
    assert not list(index.glob(".tmp-*"))
    status = run(["status", "--json"], env)
    assert status.returncode == 0, status.stderr[-2000:]
    assert not any(json.loads(status.stdout)["corpus"].values())


def test_kill9_of_server_mid_upload_then_sync(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_doc(corpus / "first.md", 1, "起始文件")
    env = rag_env(corpus, index)
    big = SEEDS[1]  # a real seed: indexing it takes seconds, so the kill lands mid-upload
    uploaded = corpus / "uploads" / big.name
    with serve(env, tmp_path / "serve.log") as (base, proc):
        result: dict = {}

        def upload() -> None:
            try:
                result["r"] = httpx.post(
                    f"{base}/v1/documents", files={"file": (big.name, big.read_bytes())}, timeout=300
                )
            except httpx.TransportError as exc:
                result["error"] = exc

        t = threading.Thread(target=upload)
        t.start()
        deadline = time.monotonic() + 120
        while not uploaded.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert uploaded.exists(), "the upload never reached the disk"
        proc.kill()
        proc.wait()
        t.join(timeout=60)
        assert "error" in result, "the upload finished before the kill; the test did not test anything"

    # Restarted, the server says the corpus and the index differ.
    with serve(env, tmp_path / "serve2.log") as (base, _):
        ready = httpx.get(f"{base}/readyz", timeout=30).json()
        assert ready["corpus_in_sync"] is False and ready["corpus"]["unindexed"] == 1, ready
    assert "rag ingest --sync" in (tmp_path / "serve2.log").read_text(encoding="utf-8")

    out = run(["ingest", "--sync"], env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert indexed_sources(corpus, index) == sorted(["first.md", f"uploads/{big.name}"])
    assert not [p for p in (corpus / "uploads").iterdir() if p.name.startswith(".")]


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # field 4 of stat: the parent's pid
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill9_of_ingest_takes_its_preparing_process_and_the_lock_with_it(tmp_path: Path) -> None:
    """The ingest prepares documents in a forked child. Killing the ingest must not leave that child
    running, nor holding the index's write lock through an inherited descriptor."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for n in range(3):  # enough text that preparing outlives the first embeddings
        for seed in SEEDS:
            shutil.copy(seed, corpus / f"{n}-{seed.name}")
    env = rag_env(corpus, index)
    proc = rag(["ingest"], env)
    deadline = time.monotonic() + 120
    children: list[int] = []
    while time.monotonic() < deadline and not children:
        children = _children(proc.pid)
        time.sleep(0.05)
    assert children, "the ingest never started its preparing process"
    assert any(_alive(c) for c in children)
    for c in children:  # stopped, it cannot notice the broken pipe and leave on its own
        os.kill(c, signal.SIGSTOP)
    proc.kill()
    proc.wait()
    t0 = time.monotonic()
    while any(_alive(c) for c in children) and time.monotonic() - t0 < 5:
        time.sleep(0.05)
    survivors = [c for c in children if _alive(c)]
    for c in survivors:
        os.kill(c, signal.SIGKILL)
    assert not survivors, "the preparing process outlived the killed ingest"
    out = run(["ingest", "--sync"], env, timeout=900)  # takes the write lock at once
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(indexed_sources(corpus, index)) == 3 * len(SEEDS)
