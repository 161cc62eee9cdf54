"""Bytes on disk → ``Document``: the decoded original text plus metadata.

``Document.text`` is the text exactly as decoded and is never altered afterwards, because
citations quote it and every chunk offset points into it. Anything that is metadata rather than
content (YAML front matter) stays in the text but is listed in ``Document.skip_spans``.

Decoding: a UTF-8 byte-order mark is removed by decoding with ``utf-8-sig`` (the BOM is an
encoding artifact, not text), UTF-16 files with a BOM are decoded as UTF-16, then strict UTF-8
(a stray bad byte in a long UTF-8 file becomes U+FFFD rather than a refusal), then GB18030 / Big5
(chosen by charset-normalizer's language coherence, since Big5 bytes often decode as *some*
GB18030 text too). NUL bytes or control-character soup mean binary: refused.

For HTML, PDF and DOCX the "original text" is the text we extract, in a stable, documented layout
(headings as ``#`` lines, table cells tab-separated) so the cleaner sees the structure.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rag.config import Settings, get_settings
from rag.errors import DocumentError
from rag.types import Document

# pypdf logs what it repairs ("EOF marker not found") as warnings; with no logging configured
# (the CLI) Python's last-resort handler printed them on stderr beside our clean error. A server
# that configures logging still gets them in its log.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}
_FRONT_MATTER_SUFFIXES = {".txt", ".md", ".markdown"}
_META_KEYS = ("title", "date", "author", "url", "tags")
# Chinese legacy encodings we try when a file is not UTF-8 (charset-normalizer picks among them).
_CJK_ENCODINGS = ["gb18030", "big5", "cp950", "big5hkscs"]

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_H1_RE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on what one file may cost to read (hostile input: zip bombs, page floods)."""

    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_pdf_pages: int = 2000

    @classmethod
    def from_settings(cls, settings: Settings) -> LoadLimits:
        return cls(
            max_unpacked_bytes=int(settings.max_unpacked_mb * 1024 * 1024),
            max_pdf_pages=settings.max_pdf_pages,
        )


def source_name(path: Path, root: Path) -> str:
    """The path relative to the corpus root (posix), or the bare name for a file outside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def iter_files(paths: list[Path]) -> list[Path]:
    """Expand directories recursively (supported, non-hidden files, sorted); keep files as given.

    A file named explicitly is kept even with an unsupported suffix so ``load_path`` can say why
    it is refused; a missing path is an error rather than a silent no-op.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found = []
            for f in p.rglob("*"):
                rel = f.relative_to(p).parts
                if any(part.startswith(".") for part in rel) or not f.is_file():
                    continue
                if f.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append(f)
            candidates = sorted(found)
        elif p.exists():
            candidates = [p]
        else:
            raise DocumentError(f"{p}: no such file or directory")
        for f in candidates:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def load_path(path: Path, root: Path, limits: LoadLimits | None = None) -> Document:
    """Read and decode one file. Raises ``DocumentError`` naming the file when it cannot be used.

    ``limits`` default to the process settings (``RAG_MAX_UNPACKED_MB``, ``RAG_MAX_PDF_PAGES``)."""
    limits = limits or LoadLimits.from_settings(get_settings())
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"{path}: unsupported file type {suffix or '(none)'!r} (supported: {kinds})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise DocumentError(f"{path}: file is empty")

    source = source_name(path, root)
    metadata: dict[str, Any] = {}
    skip_spans: list[tuple[int, int]] = []
    title = ""
    if suffix == ".pdf":
        text, title = _pdf_text(raw, path, limits.max_pdf_pages)
    elif suffix == ".docx":
        check_zip(raw, path, limits.max_unpacked_bytes)
        text, title = _docx_text(raw, path)
    else:
        decoded, encoding = decode_bytes(raw, path)
        metadata["encoding"] = encoding
        text = decoded
        if suffix in (".html", ".htm"):
            text, title = _html_text(decoded)
        elif suffix in _FRONT_MATTER_SUFFIXES:
            fm = front_matter(text)
            if fm is not None:
                span, meta = fm
                skip_spans.append(span)
                metadata.update(meta)
                title = str(meta.get("title") or "").strip()
    if title and "title" not in metadata:
        metadata["title"] = title  # the format's own title (<title>, PDF /Title, DOCX core title)
    title = title or first_h1(text, skip_spans)
    if all(not text[s:e].strip() for s, e in _content_spans(text, skip_spans)):
        raise DocumentError(f"{path}: no text content")
    return Document(
        doc_id=hashlib.sha1(source.encode("utf-8")).hexdigest()[:16],
        source=source,
        text=text,
        title=title or path.stem,
        content_hash=hashlib.sha256(raw).hexdigest(),
        metadata=metadata,
        skip_spans=skip_spans,
    )


# --- decoding ------------------------------------------------------------------------------


def decode_bytes(raw: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """``(text, encoding)`` for a text file; binary or undecodable bytes raise ``DocumentError``."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return _check_text(raw.decode("utf-8-sig"), path), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{path}: has a UTF-8 byte-order mark but is not valid UTF-8") from exc
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_text(raw.decode("utf-16"), path), "utf-16"
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{path}: has a UTF-16 byte-order mark but cannot be decoded") from exc
    if b"\x00" in raw[:65536]:
        raise DocumentError(f"{path}: looks like a binary file (contains NUL bytes), not text")
    try:
        return _check_text(raw.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    lossy = raw.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd") - raw.count("\ufffd".encode())
    high = sum(b >= 0x80 for b in raw)
    if bad == high and high <= 0.03 * len(raw):  # Western single-byte text with a few accented letters
        return _check_text(raw.decode("cp1252", errors="replace"), path), "cp1252"
    if bad <= len(lossy) // 500:  # UTF-8 with a stray bad byte: U+FFFD marks the damage
        return _check_text(lossy, path), "utf-8 (with replacement characters)"
    from charset_normalizer import from_bytes

    for isolation in (_CJK_ENCODINGS, None):
        best = from_bytes(raw, cp_isolation=isolation).best()
        if best is not None and best.encoding:
            try:
                return _check_text(raw.decode(best.encoding), path), best.encoding
            except (UnicodeDecodeError, LookupError):
                continue
    raise DocumentError(f"{path}: cannot decode the text (not UTF-8, GB18030 or Big5)")


def _check_text(text: str, path: Path | str) -> str:
    """Reject decodings that are mostly control characters (binary data that happened to decode)."""
    sample = text[:20000]
    if sample and len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100):
        raise DocumentError(f"{path}: looks like a binary file (control characters), not text")
    return text


# --- front matter and titles ---------------------------------------------------------------


def front_matter(text: str) -> tuple[tuple[int, int], dict[str, Any]] | None:
    """``((start, end), metadata)`` for a leading ``---`` YAML block that parses to a mapping."""
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        return None
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    meta: dict[str, Any] = {}
    for key in _META_KEYS:
        value = data.get(key)
        if value is None or value == "":
            continue
        if key == "tags":
            items = value if isinstance(value, list) else [value]
            meta[key] = [str(v).strip() for v in items if str(v).strip()]
        elif isinstance(value, dt.date | dt.datetime):
            meta[key] = value.isoformat()
        else:
            meta[key] = str(value).strip()
    return (m.start(), m.end()), meta


def first_h1(text: str, skip_spans: list[tuple[int, int]] | None = None) -> str:
    """The first markdown ``# `` heading outside the skipped spans, markup removed."""
    for m in _H1_RE.finditer(text):
        if any(s <= m.start() < e for s, e in skip_spans or []):
            continue
        title = re.sub(r"\*\*|__|<[^>]+>", "", m.group(1)).strip()
        if title:
            return title
    return ""


def _content_spans(text: str, skip_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for s, e in sorted(skip_spans):
        spans.append((pos, s))
        pos = max(pos, e)
    spans.append((pos, len(text)))
    return spans


# --- HTML, PDF, DOCX -----------------------------------------------------------------------

_BLOCK_TAGS = (
    "p div section article header footer main aside nav blockquote pre ul ol li dl dt dd "
    "table thead tbody tfoot tr caption figure figcaption form hr address"
).split()


def _html_text(html: str) -> tuple[str, str]:
    """Visible text with a newline after every block element, tab between table cells and
    ``#``-prefixed headings, so paragraphs, rows and sections survive as lines."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        level = int(tag.name[1])
        tag.insert_before("\n" + "#" * level + " ")
        tag.insert_after("\n")
        if level == 1 and not title:
            title = tag.get_text(" ", strip=True)
    for tag in soup.find_all(["td", "th"]):
        tag.insert_after("\t")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [re.sub(r"[ \t\r\f\v]+$", "", re.sub(r"[ \r\f\v]+", " ", line)) for line in text.split("\n")]
    lines = [re.sub(r"^ +", "", line) for line in lines]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
    return text, title


def _pdf_text(raw: bytes, path: Path, max_pages: int) -> tuple[str, str]:
    """The pypdf text layer, pages joined with a blank line (at most ``max_pages`` pages)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{path}: PDF is encrypted")
        if len(reader.pages) > max_pages:
            raise DocumentError(
                f"{path}: PDF has {len(reader.pages)} pages; the limit is {max_pages} (RAG_MAX_PDF_PAGES)"
            )
        pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
        meta_title = str(reader.metadata.title or "").strip() if reader.metadata else ""
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{path}: cannot read PDF ({exc})") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentError(f"{path}: PDF has no text layer (scanned images need OCR first)")
    return text + "\n", meta_title


def check_zip(raw: bytes, path: Path | str, max_unpacked: int) -> None:
    """Refuse a zip (DOCX) that would unpack to more than ``max_unpacked`` bytes, before a parser
    inflates it in one piece. First from the central directory's declared sizes (free), then by
    inflating every member in 1 MB steps: ``zipfile`` cuts a member at its declared size and a
    longer (lying) stream then fails its CRC, so a forged directory is caught with bounded memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = zf.infolist()
            total = sum(m.file_size for m in members)
            if total > max_unpacked:
                raise DocumentError(
                    f"{path}: unpacks to {total / 2**20:.0f} MB; the limit is {max_unpacked / 2**20:g} MB "
                    "(RAG_MAX_UNPACKED_MB)"
                )
            for member in members:
                with zf.open(member) as stream:
                    while stream.read(1 << 20):
                        pass
    except DocumentError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise DocumentError(f"{path}: cannot read DOCX (not a valid zip file: {exc})") from exc


def _docx_text(raw: bytes, path: Path) -> tuple[str, str]:
    """Paragraphs in document order (headings as ``#`` lines), table rows as tab-joined cells."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises assorted zip/XML errors for bad files
        raise DocumentError(f"{path}: cannot read DOCX ({exc})") from exc
    lines: list[str] = []
    title = (document.core_properties.title or "").strip()
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            m = re.match(r"Heading (\d)", style)
            if style == "Title":
                lines.append(f"# {text}")
                title = title or text
            elif m:
                lines.append(f"{'#' * min(int(m.group(1)), 6)} {text}")
            else:
                lines.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [c.text.replace("\n", " ").strip() for c in row.cells]
                if any(cells):
                    lines.append("\t".join(cells))
    text = "\n".join(lines)
    if not text.strip():
        raise DocumentError(f"{path}: DOCX has no text")
    return text + "\n", title
