"""The afternoon-build baseline every report compares against.

What a user gets from off-the-shelf LangChain without this project's work: the raw seed
files (no cleaning, front matter and PDF line breaks included) cut by
``RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)``, embedded with the
*same* embedder object as our system (so the comparison isolates cleaning, chunking, the
keyword side and verification, not the model), searched with a flat FAISS inner-product
index, dense only. Its "answer" is the first two sentences of the top chunk cited as [1],
never refusing: generation without grounding checks.

The embedded chunks are cached under the index directory, keyed by embedder name, splitter
settings, splitter version and the seed files' hashes, because embedding ~400 passages
with the default USE model takes tens of seconds on two cores.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from rag.text import detect_language
from rag.types import Answer, Chunk, Citation, Hit, Sentence

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
GENERATOR_NAME = "baseline-first-sentences"


class Embedder(Protocol):
    """The part of our embedder the baseline uses (rag's embedder satisfies it)."""

    name: str

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class BaselineConfig:
    chunk_size: int = 500
    chunk_overlap: int = 50


def seed_files(corpus_dir: Path) -> list[Path]:
    """The raw text files a LangChain ``TextLoader`` loop would pick up, in a stable order."""
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)


def split_raw(paths: Sequence[Path], config: BaselineConfig) -> list[Chunk]:
    """Split the undecorated file text; offsets come from the splitter's ``add_start_index``."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=config.chunk_size, chunk_overlap=config.chunk_overlap, add_start_index=True
    )
    chunks: list[Chunk] = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        doc_id = hashlib.sha1(path.name.encode()).hexdigest()
        for i, doc in enumerate(splitter.create_documents([text])):
            start = int(doc.metadata["start_index"])
            chunks.append(
                Chunk(
                    chunk_id=f"{path.name}#{i}",
                    doc_id=doc_id,
                    source=path.name,
                    title="",
                    section="",
                    text=doc.page_content,
                    start=start,
                    end=start + len(doc.page_content),
                    tokens=0,
                    ordinal=i,
                )
            )
    return chunks


def cache_key(embedder_name: str, config: BaselineConfig, paths: Sequence[Path]) -> str:
    """Changes whenever anything that shapes the cached vectors changes."""
    spec = {
        "embedder": embedder_name,
        "splitter": "RecursiveCharacterTextSplitter",
        "splitter_version": version("langchain-text-splitters"),
        "chunk_size": config.chunk_size,
        "chunk_overlap": config.chunk_overlap,
        "seeds": [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths],
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]


_NAIVE_SENTENCE = re.compile(r"\S.*?(?:[。！？!?]+|\.(?=\s)|$)", re.S)


def first_sentences(text: str, n: int = 2) -> list[tuple[int, int]]:
    """Spans of the first ``n`` sentences, split on end punctuation only (raw line breaks
    stay inside a sentence, as a naive splitter would leave them)."""
    return [m.span() for m in _NAIVE_SENTENCE.finditer(text)][:n]


class Baseline:
    """Dense-only FAISS over raw splitter chunks; ``search`` and ``answer`` mirror the Assistant."""

    def __init__(
        self,
        embedder: Embedder,
        corpus_dir: Path,
        cache_dir: Path,
        config: BaselineConfig | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.embedder = embedder
        self.config = config or BaselineConfig()
        paths = seed_files(corpus_dir)
        if not paths:
            raise FileNotFoundError(f"no text files in {corpus_dir} for the baseline")
        key = cache_key(embedder.name, self.config, paths)
        self.cache_path = cache_dir / f"baseline-{key}.npz"
        self.from_cache = self.cache_path.exists()
        if self.from_cache:
            self.chunks, vectors = self._load(self.cache_path)
        else:
            started = time.perf_counter()
            self.chunks = split_raw(paths, self.config)
            if log:
                log(f"baseline: embedding {len(self.chunks)} raw chunks (cached afterwards)")
            vectors = np.asarray(embedder.embed_documents([c.text for c in self.chunks]), dtype=np.float32)
            self._save(self.cache_path, self.chunks, vectors)
            if log:
                log(f"baseline: embedded in {time.perf_counter() - started:.1f}s")
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(np.ascontiguousarray(vectors))

    @staticmethod
    def _save(path: Path, chunks: list[Chunk], vectors: np.ndarray) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        meta = json.dumps([c.to_dict() for c in chunks], ensure_ascii=False)
        np.savez(tmp, vectors=vectors, meta=np.array(meta))
        tmp.replace(path)

    @staticmethod
    def _load(path: Path) -> tuple[list[Chunk], np.ndarray]:
        with np.load(path, allow_pickle=False) as data:
            chunks = [Chunk(**d) for d in json.loads(str(data["meta"]))]
            return chunks, np.asarray(data["vectors"], dtype=np.float32)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        q = np.asarray(self.embedder.embed_query(query), dtype=np.float32).reshape(1, -1)
        scores, ids = self.index.search(q, min(k, len(self.chunks)))
        return [
            Hit(chunk=self.chunks[i], score=float(s), rank=r, dense_score=float(s), dense_rank=r)
            for r, (s, i) in enumerate(zip(scores[0], ids[0], strict=True), 1)
            if i >= 0
        ]

    def answer(self, question: str, k: int = 10) -> Answer:
        """Top chunk's first two sentences with a [1] citation; never refuses, nothing verified."""
        t0 = time.perf_counter()
        hits = self.search(question, k)
        t1 = time.perf_counter()
        top = hits[0].chunk
        spans = first_sentences(top.text, 2) or [(0, len(top.text))]
        quote = top.text[spans[0][0] : spans[-1][1]]
        start = top.start + spans[0][0]
        sentences = [
            Sentence(text=top.text[s:e], citations=[1], supported=False, score=0.0) for s, e in spans
        ]
        answer = Answer(
            question=question,
            language=detect_language(question),
            answer=f"{quote} [1]",
            refused=False,
            generator=GENERATOR_NAME,
            citations=[
                Citation(
                    n=1,
                    chunk_id=top.chunk_id,
                    source=top.source,
                    title=top.title,
                    section=top.section,
                    quote=quote,
                    start=start,
                    end=start + len(quote),
                    score=hits[0].score,
                )
            ],
            sentences=sentences,
            passages=hits[:1],
        )
        answer.timings_ms = {"retrieve": (t1 - t0) * 1000, "generate": (time.perf_counter() - t1) * 1000}
        return answer
