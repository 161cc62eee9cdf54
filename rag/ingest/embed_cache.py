"""Embedding cache: vectors keyed by embedder name + the exact text embedded.

An edited document re-embeds only the chunks whose text changed, and a rebuild after a change
that leaves most chunks alike is mostly cache hits. Kept in one SQLite file beside the index
(``embed-cache.sqlite``); it is a cache, so a damaged or deleted file only costs re-embedding.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class EmbeddingCache:
    def __init__(self, path: Path, embedder_name: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        # Switching a file to WAL can fail at once with "database is locked" (SQLite does not wait
        # for it) while another process opens the same cache: retry for a while.
        for attempt in range(100):
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.1)
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
        self.prefix = embedder_name.encode("utf-8") + b"\0"
        self.dim = dim
        self.hits = 0
        self.misses = 0

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(self.prefix + text.encode("utf-8"), digest_size=20).digest()

    def get_many(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        keys = [self._key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for lo in range(0, len(keys), 500):
            part = keys[lo : lo + 500]
            q = f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})"
            for k, v in self.conn.execute(q, part):
                vec = np.frombuffer(v, dtype=np.float32)
                if len(vec) == self.dim:
                    found[k] = vec
        out = [found.get(k) for k in keys]
        hit = sum(v is not None for v in out)
        self.hits += hit
        self.misses += len(out) - hit
        return out

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (self._key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
