"""Request and response models. Responses are documented with these models but sent as the plain
``to_dict()`` objects, so fields the library adds later reach clients without an API change
(the JSON contracts say: add fields freely, never rename or drop)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    question: str = Field(
        description="The question, Chinese or English", examples=["2021年全球半导体销售额是多少？"]
    )
    k: int | None = Field(
        None, ge=1, le=20, description="Passages given to the generator (default: RAG_ANSWER_K)"
    )
    generator: str | None = Field(
        None, max_length=64, description="extractive | openai | llamacpp (default: RAG_GENERATOR)"
    )
    history: list[HistoryMessage] = Field(
        default_factory=list, max_length=100, description="Earlier turns, oldest first"
    )
    stream: bool = Field(
        False, description="text/event-stream: `token` events, then `citations`, then `done`"
    )

    _check_question = field_validator("question")(_not_blank)


class SearchRequest(BaseModel):
    query: str = Field(examples=["集成电路 销售额 2021"])
    k: int | None = Field(None, ge=1, le=100, description="Hits to return (default: RAG_TOP_K)")
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid"

    _check_query = field_validator("query")(_not_blank)


class SearchHit(BaseModel):
    model_config = ConfigDict(extra="allow")
    rank: int
    score: float
    chunk_id: str
    source: str
    title: str
    section: str
    text: str
    start: int
    end: int


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]


class CitationModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    chunk_id: str
    source: str
    title: str
    section: str
    quote: str
    start: int
    end: int


class SentenceModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str
    citations: list[int]
    supported: bool
    score: float


class AskResponse(BaseModel):
    """The same object as ``rag ask --json``."""

    model_config = ConfigDict(extra="allow")
    question: str
    language: Literal["zh", "en"]
    answer: str
    refused: bool
    generator: str
    citations: list[CitationModel]
    sentences: list[SentenceModel]
    warnings: list[str]
    timings_ms: dict[str, float]


# --- OpenAI-compatible chat ------------------------------------------------------------------


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """Plain text of a message; content parts (``[{"type": "text", "text": ...}]``) are joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(
            str(p.get("text", "")) for p in self.content if p.get("type") in ("text", "input_text")
        )


class ChatCompletionRequest(BaseModel):
    """OpenAI's request shape; sampling options (temperature, top_p, ...) are accepted and ignored,
    because answers come from the configured generator. ``k`` and ``generator`` may ride along as
    extra body fields (``extra_body`` in the openai client)."""

    model_config = ConfigDict(extra="allow")
    model: str = "policy-rag"
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None
    k: int | None = Field(None, ge=1, le=20)
    generator: str | None = Field(None, max_length=64)


# --- documents and health --------------------------------------------------------------------


class DocumentInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    source: str
    doc_id: str
    title: str
    chunks: int
    added: str | None = Field(None, description="When it was indexed (UTC, ISO 8601)")


class DocumentsResponse(BaseModel):
    documents: list[DocumentInfo]
    count: int
    chunks: int


class UploadResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    source: str
    status: Literal["added", "updated", "unchanged"]
    chunks: int
    bytes: int


class DeleteResponse(BaseModel):
    source: str
    removed_chunks: int
    file_deleted: bool


class ErrorDetail(BaseModel):
    type: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": desc}
    for code, desc in {
        400: "Malformed request body (not JSON, not UTF-8)",
        401: "Missing or invalid API key",
        413: "Request body larger than RAG_MAX_REQUEST_KB (uploads: RAG_MAX_UPLOAD_MB)",
        422: "Invalid input (the message names the field)",
        429: "Rate limit exceeded, or too many failed authentications (see Retry-After)",
        503: "Index not ready, the LLM backend is down with no fallback, or the server is at "
        "RAG_MAX_IN_FLIGHT (see Retry-After)",
    }.items()
}
