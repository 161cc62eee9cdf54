"""PLACEHOLDER (being replaced): bytes on disk → Document."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rag.errors import DocumentError
from rag.types import Document

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}


def source_name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def load_path(path: Path, root: Path) -> Document:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: cannot decode") from exc
    source = source_name(path, root)
    return Document(
        doc_id=hashlib.sha1(source.encode()).hexdigest()[:16],
        source=source,
        text=text,
        title=path.stem,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def iter_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        elif p.exists():
            out.append(p)
        else:
            raise DocumentError(f"{p}: no such file or directory")
    return out
