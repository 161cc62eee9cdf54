"""Request guards and the thread bridges that keep CPU-bound library calls off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api.bounds import check_question  # noqa: F401 - re-exported: routes import it from here
from api.capacity import CpuPool
from api.errors import ApiError
from api.metrics import Metrics
from rag.assistant import Assistant
from rag.config import Settings

T = TypeVar("T")


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_cpu(request: Request) -> CpuPool:
    """The bounded pool that search and answer calls run in."""
    return request.app.state.cpu


async def require_ready(request: Request) -> None:
    """503 until the start-up load succeeded and the index holds at least one chunk."""
    state = request.app.state
    if state.status != "ready":
        reason = state.load_error or "the server is still loading the index"
        raise ApiError(503, f"index not ready: {reason}", type="index_not_ready")
    if not await run_in_threadpool(state.assistant.is_ready):
        raise ApiError(
            503,
            "index not ready: it holds no documents (upload some with POST /v1/documents or run `rag ingest`)",
            type="index_not_ready",
        )


class ThreadedIterator(Generic[T]):
    """Drains a synchronous iterator in one dedicated thread and hands its items to the event loop.

    One thread for the whole iteration (not a thread hop per ``next``) so libraries that keep
    per-thread or context-local state while streaming (LangChain callbacks) see one consistent
    context. An exception raised by the iterator is re-raised by ``__anext__``. ``close()`` (on
    client disconnect) stops the producer after its current item and closes the sync generator.
    """

    def __init__(self, factory: Callable[[], Iterator[T]]) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._stop = threading.Event()
        self._finished = False
        ctx = contextvars.copy_context()
        self._thread = threading.Thread(
            target=ctx.run, args=(self._produce, factory), name="rag-stream", daemon=True
        )
        self._thread.start()

    def _put(self, kind: str, value: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, (kind, value))
        except RuntimeError:  # the loop has shut down; nobody is listening any more
            self._stop.set()

    def _produce(self, factory: Callable[[], Iterator[T]]) -> None:
        try:
            iterator = factory()
            try:
                for item in iterator:
                    self._put("item", item)
                    if self._stop.is_set():
                        break
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which decides
            self._put("error", exc)
        finally:
            self._put("end", None)

    def __aiter__(self) -> ThreadedIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._finished:
            raise StopAsyncIteration
        kind, value = await self._queue.get()
        if kind == "item":
            return value
        self._finished = True
        if kind == "error":
            raise value
        raise StopAsyncIteration

    def close(self) -> None:
        self._stop.set()
