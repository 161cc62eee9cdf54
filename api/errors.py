"""Every error leaves the server as ``{"error": {"type", "message"}}`` with the right status.

Never a stack trace in a response: unexpected exceptions are logged here (server side) and the
client gets a generic 500, so the server keeps serving after every failure.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import RagError

log = logging.getLogger("api")

# HTTP status → the error "type" a client can switch on.
_TYPES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error raised by the API layer itself (auth, limits, uploads)."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.type = type or _TYPES.get(status_code, "error")
        self.message = message
        self.headers = headers


def error_body(type_: str, message: str) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message}}


def error_response(
    status_code: int, type_: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(type_, message), status_code=status_code, headers=headers)


def rag_error_payload(exc: Exception) -> tuple[int, dict[str, Any]]:
    """Status and body for any exception; used by the handlers and by SSE error events."""
    if isinstance(exc, ApiError):
        return exc.status_code, error_body(exc.type, exc.message)
    if isinstance(exc, RagError):
        return exc.status_code, error_body(exc.kind, str(exc))
    return 500, error_body("internal_error", "internal server error (see the server log)")


def _describe_validation(exc: RequestValidationError) -> str:
    """One readable line per problem, naming the field (``body.k: ...``)."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            msg = "the request body is not valid JSON"
            loc = "body"
        elif err.get("type") == "missing":
            msg = "field required"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts) or "invalid request"


async def _rag_error(_: Request, exc: Exception) -> JSONResponse:
    status, body = rag_error_payload(exc)
    return JSONResponse(body, status_code=status)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.type, exc.message, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message = _describe_validation(exc)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body_error = any(tuple(e.get("loc", ()))[:1] == ("body",) for e in exc.errors())
    if body_error and request.method in ("POST", "PUT", "PATCH") and not content_type.endswith("json"):
        message = f"send a JSON body with Content-Type: application/json (got {content_type or 'none'!r}); {message}"
    return error_response(422, "invalid_request", message)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 404 and detail == "Not Found":
        detail = "no such route (see /docs)"
    elif status == 400 and detail == "There was an error parsing the body":
        detail = "the request body could not be parsed (send UTF-8 JSON, or multipart/form-data for uploads)"
    return error_response(status, _TYPES.get(status, "error"), detail, getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RagError, _rag_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


class CatchAllMiddleware:
    """Turns any unhandled exception into a JSON 500 and logs the traceback server side only.

    Pure ASGI (not ``BaseHTTPMiddleware``) so streaming responses pass through untouched. When a
    response has already started (a stream failing midway) nothing more can be sent: log and end.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                _, body = rag_error_payload(RuntimeError())
                await JSONResponse(body, status_code=500)(scope, receive, send)
