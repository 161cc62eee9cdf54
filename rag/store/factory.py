"""Choosing the store by name (``RAG_STORE``): the one place that knows which classes exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.config import Settings
from rag.errors import UnknownComponent
from rag.store.base import Store

if TYPE_CHECKING:
    from rag.store.faiss import StoreOptions

STORES = ("faiss", "milvus")


def store_kind(settings: Settings) -> str:
    kind = settings.store.strip().lower()
    if kind not in STORES:
        raise UnknownComponent(
            f"unknown store {settings.store!r} (RAG_STORE); use one of {', '.join(STORES)}"
        )
    return kind


def make_store(settings: Settings) -> Store:
    """The store these settings name, not yet opened (``load()`` or ``writing(spec)`` next)."""
    s = settings
    if store_kind(s) == "milvus":
        from rag.store.milvus import MilvusStore

        return MilvusStore(
            s.milvus_location,
            collection=s.milvus_collection,
            corpus=s.milvus_corpus,
            token=s.milvus_token,
            db_name=s.milvus_db_name,
            index_type=s.milvus_index_type,
        )
    from rag.store.faiss import FaissStore

    return FaissStore(s.index_dir, faiss_options(s))


def store_exists(settings: Settings) -> bool:
    """An index has been written for these settings (asked without creating anything)."""
    if store_kind(settings) == "milvus":
        from rag.store.milvus import MilvusStore

        store = make_store(settings)
        assert isinstance(store, MilvusStore)
        return store.exists()
    from rag.store.faiss import FaissStore

    return FaissStore.exists(settings.index_dir)


def faiss_options(settings: Settings) -> StoreOptions:
    """The FAISS store's options as the settings give them (benchmarks override a few)."""
    from rag.store.faiss import StoreOptions
    from rag.store.segment import AnnParams

    s = settings
    return StoreOptions(
        ann=AnnParams(
            kind=s.faiss_index,
            auto_min_chunks=s.faiss_auto_min_chunks,
            ivf_nprobe=s.faiss_nprobe,
            hnsw_ef_search=s.faiss_hnsw_ef_search,
        ),
        faiss_threads=s.faiss_threads,
        lock_timeout=s.write_lock_timeout,
        segment_chunks=s.segment_chunks,
        auto_compact_segments=s.auto_compact_segments,
    )
