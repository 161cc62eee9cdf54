"""Size bounds on what a client sends: request bodies (before they are read), questions, history
and chat messages, and upload file names (in bytes, as the file system counts them)."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Sequence
from email.message import Message as EmailMessage
from pathlib import Path

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_response
from rag.config import Settings

UPLOAD_PATH = "/v1/documents"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file bytes
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def body_limit(settings: Settings, path: str) -> int:
    """Bytes a request body may have: the upload limit on the upload route, else the JSON limit."""
    if path == UPLOAD_PATH:
        return int(settings.max_upload_mb * 1024 * 1024) + MULTIPART_OVERHEAD
    return settings.max_request_kb * 1024


def _too_large(limit: int, path: str) -> str:
    if path == UPLOAD_PATH:
        return f"request body larger than the upload limit ({limit - MULTIPART_OVERHEAD} bytes, RAG_MAX_UPLOAD_MB)"
    return f"request body larger than {limit // 1024} KB (RAG_MAX_REQUEST_KB)"


class BodySizeLimit:
    """Pure ASGI middleware: 413 from ``Content-Length`` before a byte of the body is read, and for
    a body without one (chunked), 413 as soon as the bytes received pass the limit, so a 100 MB
    JSON body never reaches the parser."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = body_limit(self.settings, path)
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            response = error_response(
                413, "payload_too_large", _too_large(limit, path), {"Connection": "close"}
            )
            await response(scope, receive, send)
            return
        received = 0

        async def _receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large(limit, path))
            return message

        await self.app(scope, _receive, send)


def check_question(text: str, settings: Settings, field: str = "question") -> None:
    """The length limit is a setting, so it cannot live in the static request schema."""
    if len(text) > settings.max_question_chars:
        raise ApiError(
            422,
            f"{field}: longer than {settings.max_question_chars} characters ({len(text)}; RAG_MAX_QUESTION_CHARS)",
            type="invalid_request",
        )


def check_history(contents: Sequence[str], settings: Settings, field: str = "history") -> None:
    """Earlier turns: how many, how long each, how long together (RAG_MAX_HISTORY_* settings)."""
    if len(contents) > settings.max_history_messages:
        raise ApiError(
            422,
            f"{field}: {len(contents)} earlier messages; the limit is {settings.max_history_messages} "
            "(RAG_MAX_HISTORY_MESSAGES)",
        )
    for i, text in enumerate(contents):
        if len(text) > settings.max_message_chars:
            raise ApiError(
                422,
                f"{field}[{i}]: longer than {settings.max_message_chars} characters ({len(text)}; "
                "RAG_MAX_MESSAGE_CHARS)",
            )
    total = sum(len(t) for t in contents)
    if total > settings.max_history_chars:
        raise ApiError(
            422,
            f"{field}: {total} characters in earlier messages; the limit is {settings.max_history_chars} "
            "(RAG_MAX_HISTORY_CHARS)",
        )


# --- upload file names ----------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\-()\[\]（）【】 ]", re.UNICODE)
_DRIVE = re.compile(r"^[A-Za-z]:")


def raw_filename(content_disposition: str | None) -> str | None:
    """The file name exactly as the client sent it. python-multipart strips a Windows path
    (``C:\\x\\evil.txt`` → ``evil.txt``, an old IE workaround), which would hide a path we refuse."""
    if not content_disposition:
        return None
    with contextlib.suppress(UnicodeError):  # headers arrive decoded as latin-1; browsers send UTF-8
        content_disposition = content_disposition.encode("latin-1").decode("utf-8")
    msg = EmailMessage()
    msg["content-disposition"] = content_disposition
    name = msg.get_filename()
    return name if isinstance(name, str) else None


def sanitize_filename(raw: str | None, max_bytes: int) -> str:
    """A safe file name from the client's, or 400. A name carrying a path of any OS (``../x``,
    ``a/b.md``, ``C:\\x``, ``..\\x``, ``\\\\server\\share\\x``) is refused rather than silently
    flattened: the client may not have meant it. Too long in UTF-8 bytes: refused (the file system
    limit is 255 bytes, and we add a temporary suffix while writing)."""
    if not raw or not raw.strip():
        raise ApiError(400, "file: the upload has no file name")
    name = unicodedata.normalize("NFC", raw.strip())
    if any(sep in name for sep in ("/", "\\", "\x00")) or _DRIVE.match(name):
        raise ApiError(400, f"file: the file name must not contain a path: {raw!r}")
    if name.startswith("."):
        raise ApiError(400, f"file: the file name must not start with '.': {raw!r}")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    size = len(name.encode("utf-8"))
    if size > max_bytes:
        raise ApiError(
            400,
            f"file: the file name is {size} bytes in UTF-8 ({len(name)} characters); the limit is "
            f"{max_bytes} bytes (RAG_MAX_FILENAME_BYTES)",
        )
    if not Path(name).stem.strip(" ._"):
        raise ApiError(400, f"file: not a usable file name: {raw!r}")
    return name
