"""GET /v1/documents/{source}/span: a citation's span of the original text, with context.

A reader checks a citation by its offsets: the span is re-read from the file on disk (script
and wording exactly as in the source), so ``text`` equals the citation's ``quote``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.auth import require_key
from api.deps import get_assistant
from api.schemas import ERROR_RESPONSES, ErrorResponse
from rag.assistant import Assistant
from rag.ingest.spans import MAX_CONTEXT

router = APIRouter(prefix="/v1", tags=["documents"], dependencies=[Depends(require_key)])


class SpanResponse(BaseModel):
    source: str
    title: str
    section: str
    start: int
    end: int
    text: str
    before: str
    after: str
    context_start: int
    context_end: int
    length: int
    changed: bool


@router.get(
    "/documents/{source:path}/span",
    summary="original[start:end] of a document with surrounding text",
    responses={
        200: {"model": SpanResponse},
        400: {"model": ErrorResponse, "description": "A source path outside the corpus"},
        404: {"model": ErrorResponse, "description": "No such document"},
        **ERROR_RESPONSES,
    },
)
async def document_span(
    source: str,
    start: int = Query(..., description="Start offset (characters) in the original text"),
    end: int = Query(..., description="End offset (exclusive)"),
    context: int = Query(300, ge=0, le=MAX_CONTEXT, description="Characters of context either side"),
    assistant: Assistant = Depends(get_assistant),
) -> dict[str, Any]:
    return await run_in_threadpool(assistant.source_span, source, start, end, context)
