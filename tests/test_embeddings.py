import numpy as np
import pytest

from rag.embeddings import LangChainEmbeddings, UseEmbedder, get_embedder
from rag.errors import UnknownComponent


def test_use_embedder_is_multilingual_and_normalised(embedder):
    assert isinstance(embedder, UseEmbedder)
    docs = embedder.embed_documents(["芯片自给率只有30%", "香港的创新科技发展蓝图", "天气很好"])
    assert docs.shape == (3, 512) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    q = embedder.embed_query("chip self-sufficiency rate")
    assert int(np.argmax(docs @ q)) == 0  # cross-lingual: English query finds the Chinese passage


def test_progress_callback_counts_every_text(embedder):
    seen = []
    embedder.embed_documents([f"句子{i}" for i in range(5)], progress=seen.append)
    assert sum(seen) == 5


def test_tokens_cut_apart_embed_to_the_embedders_own_vectors(embedder):
    """An ingest cuts USE's tokens in its preparing process; the vectors must not change a bit."""
    texts = [
        "芯片自给率只有30%",
        "Hong Kong I&T blueprint",
        "香港" * 150,
        "",
        "《中国制造2025》提出十大重点领域",
    ]
    tokens = embedder.tokenize(texts)
    assert len(tokens) == len(texts) and all(isinstance(t, list) and t for t in tokens)
    assert np.array_equal(embedder.embed_tokens(tokens), embedder.embed_documents(texts))
    assert embedder.embed_tokens([]).shape == (0, 512)


def test_empty_batch(embedder):
    assert embedder.embed_documents([]).shape == (0, 512)


def test_sentence_transformers_path_with_packaged_minilm():
    emb = get_embedder("minilm")
    assert emb.name == "st:all-MiniLM-L6-v2" and emb.dim == 384
    docs = emb.embed_documents(["The cat sat on the mat.", "Semiconductor export controls"])
    q = emb.embed_query("chip export restrictions")
    assert docs.shape == (2, 384)
    assert int(np.argmax(docs @ q)) == 1
    assert emb.tokenize(["x"]) is None  # tokenizes inside embed_documents (Rust, outside the GIL)


def test_unknown_model_fails_clearly_offline():
    with pytest.raises(UnknownComponent, match="cannot load"):
        get_embedder("no-such-org/no-such-model-xyz")


def test_langchain_adapter(embedder):
    lc = LangChainEmbeddings(embedder)
    assert len(lc.embed_query("芯片")) == 512
    assert len(lc.embed_documents(["a", "b"])) == 2
