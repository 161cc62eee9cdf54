"""Choosing the store by name (``RAG_STORE``): the one place that knows which classes exist."""

from __future__ import annotations

from rag.config import Settings
from rag.errors import UnknownComponent
from rag.store.base import IndexSpec, Store

STORES = ("faiss", "milvus")


def _kind(settings: Settings) -> str:
    kind = settings.store.strip().lower()
    if kind not in STORES:
        raise UnknownComponent(
            f"unknown store {settings.store!r} (RAG_STORE); use one of {', '.join(STORES)}"
        )
    return kind


def _milvus_kwargs(settings: Settings) -> dict:
    return {
        "collection": settings.milvus_collection,
        "corpus": settings.milvus_corpus,
        "token": settings.milvus_token,
        "db_name": settings.milvus_db_name,
    }


def store_exists(settings: Settings) -> bool:
    """An index has been written for these settings (without creating anything)."""
    if _kind(settings) == "milvus":
        from rag.store.milvus import MilvusStore

        return MilvusStore.exists(settings.milvus_location, **_milvus_kwargs(settings))
    from rag.store.faiss import Index

    return Index.exists(settings.index_dir)


def open_store(settings: Settings, spec: IndexSpec | None) -> Store:
    """The existing index; IndexMissingError when there is none, IndexMismatchError when it was built
    under another spec (``spec=None`` opens whatever is there, e.g. to migrate it)."""
    if _kind(settings) == "milvus":
        from rag.store.milvus import MilvusStore

        return MilvusStore.open(
            settings.milvus_location,
            spec or IndexSpec("", 0, 0, 0, ""),
            index_type=settings.milvus_index_type,
            check_spec=spec is not None,
            **_milvus_kwargs(settings),
        )
    from rag.store.faiss import Index

    index = Index.load(settings.index_dir, expect=spec)
    index.index_dir = settings.index_dir
    return index


def writable_store(settings: Settings, spec: IndexSpec, current: Store | None, *, rebuild: bool) -> Store:
    """The store an ingest or removal writes into (inside its ``writing()`` block).

    FAISS: an empty index (rebuild or none yet) or a copy of ``current``, so readers keep the old
    one until the new one is saved. Milvus: the store itself (emptied first on rebuild); its
    ``writing()`` block commits or undoes the changes.
    """
    if _kind(settings) == "milvus":
        from rag.store.milvus import MilvusStore

        if current is not None and not rebuild:
            return current
        return MilvusStore.open(
            settings.milvus_location,
            spec,
            index_type=settings.milvus_index_type,
            create=True,
            reset=rebuild,
            **_milvus_kwargs(settings),
        )
    from rag.store.faiss import Index

    if current is None or rebuild:
        return Index(spec)
    assert isinstance(current, Index)
    return current.copy()


def needs_save(store: Store) -> bool:
    """FAISS indexes are saved by the caller after a write; Milvus commits in ``writing()``."""
    from rag.store.faiss import Index

    return isinstance(store, Index)


def create_store(settings: Settings, spec: IndexSpec) -> Store:
    """A new, empty index for these settings that commits in its ``writing()`` blocks (an existing
    one is emptied): what `rag migrate` copies into, and what the store contract tests start from."""
    if _kind(settings) == "milvus":
        from rag.store.milvus import MilvusStore

        return MilvusStore.open(
            settings.milvus_location,
            spec,
            index_type=settings.milvus_index_type,
            create=True,
            reset=True,
            **_milvus_kwargs(settings),
        )
    from rag.store.faiss import Index

    index = Index(spec)
    index.index_dir = settings.index_dir
    return index
