"""Errors a user can cause. The CLI turns them into a message and exit code 1, the API into JSON 4xx/5xx."""

from __future__ import annotations


class RagError(Exception):
    """Base class: the message is shown to the user as is."""

    status_code = 400
    kind = "rag_error"


class DocumentError(RagError):
    """A file cannot be loaded (binary, undecodable, unsupported type, empty)."""

    kind = "document_error"


class IndexMissingError(RagError):
    """No index exists yet at the configured location."""

    status_code = 503
    kind = "index_not_ready"


class IndexMismatchError(RagError):
    """The index on disk was built with another embedder or chunking."""

    status_code = 409
    kind = "index_mismatch"


class UnknownDocumentError(RagError):
    """A source named by the user is not in the index."""

    status_code = 404
    kind = "not_found"


class InvalidQuestion(RagError):
    """Empty or over-long question, k out of range."""

    status_code = 422
    kind = "invalid_request"


class UnknownComponent(RagError):
    """A generator, embedder or other component name that does not exist."""

    status_code = 422
    kind = "invalid_request"


class BackendError(RagError):
    """An LLM backend failed (unreachable, timeout, error response)."""

    status_code = 503
    kind = "backend_unavailable"


class IndexBusyError(RagError):
    """Another process holds the index's write lock longer than the configured wait."""

    status_code = 503
    kind = "index_busy"
