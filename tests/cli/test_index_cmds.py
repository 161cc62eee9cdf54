"""The `rag` command through real subprocesses: JSON contracts, batch mode, errors on stderr."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from rag.config import REPO_ROOT
from tests.conftest import SEEDS

HIT_KEYS = {"rank", "score", "chunk_id", "source", "title", "section", "text", "start", "end"}


def rag(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **(env or {})},
        cwd=REPO_ROOT,
        timeout=300,
    )


@pytest.fixture
def seed_env(seed_assistant):
    return {"RAG_INDEX_DIR": str(seed_assistant.settings.index_dir), "RAG_CORPUS_DIR": str(SEEDS)}


def test_search_json_contract(seed_env):
    out = rag("search", "广东芯片进口依赖", "-k", "3", "--json", env=seed_env)
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["query"] == "广东芯片进口依赖"
    assert len(obj["hits"]) == 3
    for rank, hit in enumerate(obj["hits"], 1):
        assert set(hit) >= HIT_KEYS
        assert hit["rank"] == rank
        assert hit["source"] in os.listdir(SEEDS)
        original = (SEEDS / hit["source"]).read_text(encoding="utf-8")
        assert 0 <= hit["start"] < hit["end"] <= len(original)


def test_search_batch_from_stdin_writes_one_object_per_line(seed_env):
    out = rag(
        "search",
        "--batch",
        "-",
        "--json",
        "-k",
        "2",
        env=seed_env,
        stdin="晶片自給率\n\nWhat is hard technology?\n",
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["query"] for o in lines] == ["晶片自給率", "What is hard technology?"]
    assert all(len(o["hits"]) == 2 for o in lines)


def test_errors_go_to_stderr_with_exit_1(seed_env, tmp_path):
    out = rag("search", "芯片", "-k", "0", env=seed_env)
    assert out.returncode == 1 and "k must be between" in out.stderr and "Traceback" not in out.stderr
    out = rag("search", env=seed_env)
    assert out.returncode == 1 and "QUERY" in out.stderr
    out = rag("remove", "no-such.txt", env=seed_env)
    assert out.returncode == 1 and "no-such.txt" in out.stderr
    out = rag("search", "--batch", str(tmp_path / "missing.txt"), env=seed_env)
    assert out.returncode == 1 and "cannot read" in out.stderr
    out = rag("docs", env={"RAG_INDEX_DIR": str(tmp_path / "none")})
    assert out.returncode == 1 and "rag ingest" in out.stderr


def test_ingest_docs_remove_cycle(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "000_d56512941d572a28.txt", corpus)
    (corpus / "junk.txt").write_bytes(b"\x00\xff" * 100)
    env = {"RAG_INDEX_DIR": str(tmp_path / "idx"), "RAG_CORPUS_DIR": str(corpus)}
    out = rag("ingest", "--json", env=env)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["added"] == ["000_d56512941d572a28.txt"]
    assert report["skipped"][0]["path"].endswith("junk.txt")
    assert set(report["seconds"]) == {"load", "clean", "chunk", "embed", "index"}
    docs = json.loads(rag("docs", "--json", env=env).stdout)["documents"]
    assert docs[0]["source"] == "000_d56512941d572a28.txt" and docs[0]["chunks"] >= 1
    assert "兩會" in docs[0]["title"] or "兩會" in docs[0]["metadata"].get("title", "")
    out = rag("remove", "000_d56512941d572a28.txt", env=env)
    assert out.returncode == 0 and "removed" in out.stdout
    assert json.loads(rag("docs", "--json", env=env).stdout)["documents"] == []


def test_ingest_of_missing_path_fails_cleanly(tmp_path):
    out = rag("ingest", str(tmp_path / "nope"), env={"RAG_INDEX_DIR": str(tmp_path / "idx")})
    assert out.returncode == 1 and "no such file" in out.stderr and "Traceback" not in out.stderr
