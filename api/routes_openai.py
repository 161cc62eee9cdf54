"""OpenAI-compatible chat: the official ``openai`` client and chat front ends work unchanged.

The last user message is the question, earlier user/assistant turns are the history. Citations
ride along as an extra ``citations`` field on the message (or, streaming, on the final content
chunk's delta) and on the response: the same objects /v1/ask returns, so streaming clients keep
their references.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth import require_key
from api.bounds import check_history
from api.capacity import CpuPool
from api.deps import check_question, get_assistant, get_cpu, get_metrics, get_settings, require_ready
from api.errors import ApiError, rag_error_payload
from api.metrics import Metrics
from api.routes_ask import SSE_HEADERS, _rest, open_stream
from api.schemas import ERROR_RESPONSES, ChatCompletionRequest
from rag.answer.generators import GENERATORS
from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import RagError
from rag.types import Answer

log = logging.getLogger("api")

router = APIRouter(
    prefix="/v1", tags=["openai"], dependencies=[Depends(require_key)], responses=ERROR_RESPONSES
)

MODEL_ID = "policy-rag"
_CREATED = int(time.time())


def split_messages(body: ChatCompletionRequest) -> tuple[str, list[dict[str, str]]]:
    """(question, history). System and tool messages are dropped: the answer prompt is ours."""
    last = body.messages[-1]
    question = last.text()
    if last.role != "user" or not question.strip():
        raise ApiError(422, "messages: the last message must be a user message with text content")
    history = [
        {"role": m.role, "content": m.text()}
        for m in body.messages[:-1]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return question, history


def extras(answer: dict[str, Any]) -> dict[str, Any]:
    """What an OpenAI response has no field for, added at the top level."""
    keys = ("citations", "refused", "generator", "warnings")
    return {k: answer[k] for k in keys}


@router.get("/models", summary="The assistant, listed as a model (one per generator too)")
async def models() -> dict[str, Any]:
    ids = [MODEL_ID] + [f"{MODEL_ID}:{g}" for g in GENERATORS]
    return {
        "object": "list",
        "data": [{"id": i, "object": "model", "created": _CREATED, "owned_by": "policy-rag"} for i in ids],
    }


def generator_for(body: ChatCompletionRequest) -> str | None:
    """``generator`` in the body wins; else a model named ``policy-rag:<generator>`` picks one
    (how chat front ends, which only let users pick a model, choose); any other model name
    means the configured default."""
    if body.generator:
        return body.generator
    prefix = MODEL_ID + ":"
    return body.model[len(prefix) :] if body.model.startswith(prefix) else None


@router.post(
    "/chat/completions",
    summary="OpenAI-compatible chat completion (streaming or not) with citations",
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_ready)],
    response_model=None,
)
async def chat_completions(
    body: ChatCompletionRequest,
    assistant: Assistant = Depends(get_assistant),
    settings: Settings = Depends(get_settings),
    metrics: Metrics = Depends(get_metrics),
    cpu: CpuPool = Depends(get_cpu),
) -> JSONResponse | StreamingResponse:
    check_history([m.text() for m in body.messages[:-1]], settings, "messages")
    question, history = split_messages(body)
    check_question(question, settings, "messages")
    kwargs: dict[str, Any] = {"k": body.k, "generator": generator_for(body), "history": history}
    completion_id = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())

    if not body.stream:
        answer = await cpu.run(assistant.ask, question, **kwargs)
        out = answer.to_dict()
        metrics.observe_answer(out)
        message = {"role": "assistant", "content": out["answer"], "citations": out["citations"]}
        return JSONResponse(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": body.model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
                **extras(out),
            }
        )

    items, first = await open_stream(assistant, question, **kwargs)

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        obj = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            **extra,
        }
        return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"

    async def events() -> AsyncIterator[str]:
        streamed = ""
        held: str | None = None  # the latest delta, held back so the citations ride on the last one
        try:
            yield chunk({"role": "assistant", "content": ""})
            async for item in _rest(items, first):
                if isinstance(item, Answer):
                    out = item.to_dict()
                    metrics.observe_answer(out)
                    final = (held or "") + _tail(streamed + (held or ""), out)
                    yield chunk({"content": final, "citations": out["citations"]}, **extras(out))
                    yield chunk({}, "stop")
                    yield "data: [DONE]\n\n"
                    return
                if held is not None:
                    streamed += held
                    yield chunk({"content": held})
                held = item
            raise RuntimeError("the answer stream ended without an answer")
        except Exception as exc:
            if not isinstance(exc, RagError):
                log.exception("chat completion stream failed")
            yield f"data: {json.dumps(rag_error_payload(exc)[1], ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"
        finally:
            items.close()

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)


def _tail(streamed: str, answer: dict[str, Any]) -> str:
    """Text of the verified answer not yet streamed. Deltas normally add up to the final text; if
    verification turned the answer into a refusal, the refusal is appended so the reader sees the
    verdict. (Smaller edits, like a removed marker that named no passage, are visible in the
    citations; the /v1/ask stream sends the full final object.)"""
    final = answer["answer"]
    if final.startswith(streamed):
        return final[len(streamed) :]
    if answer["refused"] and final.strip() not in streamed:
        return "\n\n" + final
    return ""
