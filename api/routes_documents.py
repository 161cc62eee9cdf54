"""GET/POST/DELETE /v1/documents: list, upload (indexed incrementally) and remove documents.

Uploads are stored under ``<corpus_dir>/uploads/`` so a later ``rag ingest`` or index rebuild of
the corpus keeps them. An upload that cannot be indexed is deleted again (a replaced file is
restored) and the index is left as it was: ``Assistant.ingest`` is copy-on-write.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.auth import require_admin, require_key
from api.bounds import MULTIPART_OVERHEAD, raw_filename, sanitize_filename
from api.deps import get_assistant, get_settings
from api.errors import ApiError
from api.schemas import ERROR_RESPONSES, DeleteResponse, DocumentsResponse, ErrorResponse, UploadResponse
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import RagError
from rag.ingest.loaders import SUPPORTED_SUFFIXES
from rag.ingest.pipeline import IngestReport

router = APIRouter(
    prefix="/v1", tags=["documents"], dependencies=[Depends(require_key)], responses=ERROR_RESPONSES
)

UPLOADS = "uploads"

log = logging.getLogger("api")


def _restore(target: Path, backup: Path | None) -> None:
    target.unlink(missing_ok=True)
    if backup is not None:
        backup.replace(target)


def store_and_ingest(assistant: Assistant, uploads: Path, name: str, data: bytes) -> IngestReport:
    """Write the file, index it; on any failure undo the write (restoring a replaced file)."""
    uploads.mkdir(parents=True, exist_ok=True)
    target = uploads / name
    if target.resolve().parent != uploads.resolve():
        raise ApiError(400, f"file: the file name must not contain a path: {name!r}")
    tag = uuid.uuid4().hex[:8]
    backup = None
    try:
        if target.exists():
            backup = uploads / f".{name}.{tag}.bak"  # dot files are ignored when the corpus is re-ingested
            target.replace(backup)
    except OSError as exc:  # the name passed our checks but this file system refuses it
        raise ApiError(400, f"file: cannot store {name!r} here ({exc.strerror or exc})") from exc
    part = uploads / f".{name}.{tag}.part"
    try:
        part.write_bytes(data)
        part.replace(target)
        report = assistant.ingest([target])
    except BaseException as exc:
        part.unlink(missing_ok=True)
        _restore(target, backup)
        if isinstance(exc, RagError | ApiError) or not isinstance(exc, Exception):
            raise
        log.exception("indexing the upload %s failed", name)
        raise ApiError(
            400, f"{name}: could not be indexed ({type(exc).__name__}: {exc})", type="document_error"
        ) from exc
    if report.skipped:
        _restore(target, backup)
        reasons = "; ".join(reason.replace(str(target), name) for _, reason in report.skipped)
        raise ApiError(400, reasons, type="document_error")
    if backup is not None:
        backup.unlink(missing_ok=True)
    return report


@router.get(
    "/documents",
    summary="Documents in the index with chunk counts",
    responses={200: {"model": DocumentsResponse}},
)
async def list_documents(assistant: Assistant = Depends(get_assistant)) -> dict[str, Any]:
    docs = await run_in_threadpool(assistant.documents)
    return {"documents": docs, "count": len(docs), "chunks": sum(d["chunks"] for d in docs)}


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/documents",
    status_code=201,
    summary="Upload a .txt/.md/.html/.pdf/.docx file and index it",
    dependencies=[Depends(require_admin)],
    openapi_extra=_UPLOAD_BODY,
    responses={
        **ERROR_RESPONSES,
        200: {"model": UploadResponse, "description": "Replaced or unchanged"},
        201: {"model": UploadResponse, "description": "Added"},
        400: {"model": ErrorResponse, "description": "Bad file name, or the file cannot be indexed"},
        413: {"model": ErrorResponse, "description": "Larger than RAG_MAX_UPLOAD_MB"},
        415: {"model": ErrorResponse, "description": "Unsupported file type"},
    },
)
async def upload_document(
    request: Request,
    assistant: Assistant = Depends(get_assistant),
    settings: Settings = Depends(get_settings),
) -> JSONResponse:
    # The form is parsed here, not by FastAPI, so an oversized body is refused from its
    # Content-Length before it is read and spooled to disk.
    limit = int(settings.max_upload_mb * 1024 * 1024)
    too_large = ApiError(413, f"file: larger than the {settings.max_upload_mb:g} MB upload limit")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
        raise too_large
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ApiError(
            415,
            f"content type {content_type.split(';')[0].strip() or '(none)'!r} is not accepted here: send "
            "the file as multipart/form-data in a field named 'file'",
        )
    form = await request.form(max_files=1, max_fields=16)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "file: field required (multipart/form-data field named 'file')")
        sent = raw_filename(upload.headers.get("content-disposition")) or upload.filename
        name = sanitize_filename(sent, settings.max_filename_bytes)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ApiError(
                415,
                f"file: unsupported type {Path(name).suffix or '(no suffix)'!r}; "
                f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}",
            )
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise too_large
    if not data:
        raise ApiError(400, f"{name}: the file is empty", type="document_error")

    uploads = settings.corpus_dir / UPLOADS
    async with request.app.state.write_lock:
        report = await run_in_threadpool(store_and_ingest, assistant, uploads, name, data)
        docs = await run_in_threadpool(assistant.documents)
    status = "added" if report.added else "updated" if report.updated else "unchanged"
    source = (report.added or report.updated or report.unchanged or [f"{UPLOADS}/{name}"])[0]
    chunks = next((d["chunks"] for d in docs if d["source"] == source), 0)
    return JSONResponse(
        {
            "source": source,
            "status": status,
            "chunks": chunks,
            "bytes": len(data),
            "report": report.to_dict(),
        },
        status_code=201 if status == "added" else 200,
    )


@router.delete(
    "/documents/{source:path}",
    summary="Remove a document from the index (and its uploaded file)",
    dependencies=[Depends(require_admin)],
    responses={
        200: {"model": DeleteResponse},
        404: {"model": ErrorResponse, "description": "No such document"},
        **ERROR_RESPONSES,
    },
)
async def delete_document(
    request: Request,
    source: str,
    assistant: Assistant = Depends(get_assistant),
    settings: Settings = Depends(get_settings),
) -> dict[str, Any]:
    async with request.app.state.write_lock:  # the file on disk and the index change together
        removed = await run_in_threadpool(assistant.remove, source)
        file_deleted = False
        uploads = (settings.corpus_dir / UPLOADS).resolve()
        path = (settings.corpus_dir / source).resolve()
        if path.parent == uploads and path.is_file():  # only files the API stored; never user corpus files
            path.unlink()
            file_deleted = True
    return {"source": source, "removed_chunks": removed, "file_deleted": file_deleted}
