"""POST /v1/ask: the ``rag ask --json`` object, or a server-sent event stream of it."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth import require_key
from api.bounds import check_history
from api.capacity import CpuPool
from api.deps import (
    ThreadedIterator,
    check_question,
    get_assistant,
    get_cpu,
    get_metrics,
    get_settings,
    require_ready,
)
from api.errors import rag_error_payload
from api.metrics import Metrics
from api.schemas import ERROR_RESPONSES, AskRequest, AskResponse
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import RagError
from rag.types import Answer

log = logging.getLogger("api")

router = APIRouter(prefix="/v1", tags=["ask"], dependencies=[Depends(require_key)], responses=ERROR_RESPONSES)

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def open_stream(
    assistant: Assistant, question: str, **kwargs: Any
) -> tuple[ThreadedIterator[str | Answer], str | Answer]:
    """Start ``assistant.stream`` in a thread and wait for its first item, so that bad input,
    an unknown generator or a down backend still get a plain JSON error with the right status
    instead of a 200 stream that fails."""
    items: ThreadedIterator[str | Answer] = ThreadedIterator(partial(assistant.stream, question, **kwargs))
    try:
        first = await items.__anext__()
    except StopAsyncIteration:
        raise RuntimeError("the answer stream ended without an answer") from None
    return items, first


async def _rest(items: ThreadedIterator[str | Answer], first: str | Answer) -> AsyncIterator[str | Answer]:
    yield first
    async for item in items:
        yield item


def history_dicts(history: list[Any]) -> list[dict[str, str]]:
    """User and assistant turns; system messages are dropped (the answer prompt is ours)."""
    return [{"role": m.role, "content": m.content} for m in history if m.role in ("user", "assistant")]


@router.post(
    "/ask",
    summary="Answer a question with verified citations",
    responses={
        200: {
            "model": AskResponse,
            "content": {"text/event-stream": {"description": "events: token, citations, done (or error)"}},
        },
        **ERROR_RESPONSES,
    },
    dependencies=[Depends(require_ready)],
    response_model=None,
)
async def ask(
    body: AskRequest,
    assistant: Assistant = Depends(get_assistant),
    settings: Settings = Depends(get_settings),
    metrics: Metrics = Depends(get_metrics),
    cpu: CpuPool = Depends(get_cpu),
) -> JSONResponse | StreamingResponse:
    check_question(body.question, settings)
    check_history([m.content for m in body.history], settings)
    kwargs: dict[str, Any] = {
        "k": body.k,
        "generator": body.generator,
        "history": history_dicts(body.history),
    }
    if not body.stream:
        answer = await cpu.run(assistant.ask, body.question, **kwargs)
        out = answer.to_dict()
        metrics.observe_answer(out)
        return JSONResponse(out)

    items, first = await open_stream(assistant, body.question, **kwargs)

    async def events() -> AsyncIterator[str]:
        try:
            async for item in _rest(items, first):
                if isinstance(item, Answer):
                    out = item.to_dict()
                    metrics.observe_answer(out)
                    yield sse("citations", out)
                    yield sse("done", {})
                    return
                yield sse("token", {"delta": item})
            raise RuntimeError("the answer stream ended without an answer")
        except Exception as exc:
            if not isinstance(exc, RagError):
                log.exception("answer stream failed")
            yield sse("error", rag_error_payload(exc)[1])
        finally:
            items.close()

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)
