"""The HTTP API: a thin FastAPI layer over ``rag.assistant.Assistant`` (no retrieval or answer logic here)."""

from api.app import create_app

__all__ = ["create_app"]
