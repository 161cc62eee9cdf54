"""``rag serve``: the HTTP API under uvicorn (the index and models load once, at start-up)."""

from __future__ import annotations

import ipaddress
import logging

import typer

from rag.cli._app import app, err_console, fail
from rag.config import Settings

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def _is_loopback(host: str) -> bool:
    try:
        return host in LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def example_requests(base: str, settings: Settings) -> list[str]:
    """Copy-paste curl lines for the main routes (a key placeholder when auth is on)."""
    auth = ' -H "Authorization: Bearer $RAG_KEY"' if settings.key_set("api") else ""
    admin = ' -H "Authorization: Bearer $RAG_ADMIN_KEY"' if settings.key_set("admin") else auth
    js = ' -H "Content-Type: application/json"'
    return [
        f"curl -s {base}/readyz",
        f'curl -s {base}/v1/search{auth}{js} -d \'{{"query": "2021年全球半导体销售额", "k": 3}}\'',
        f'curl -s {base}/v1/ask{auth}{js} -d \'{{"question": "2021年全球半导体销售额是多少？"}}\'',
        f'curl -sN {base}/v1/ask{auth}{js} -d \'{{"question": "What were global semiconductor sales in 2021, according to SIA?", "stream": true}}\'',
        f"curl -s {base}/v1/chat/completions{auth}{js} "
        '-d \'{"model": "policy-rag", "messages": [{"role": "user", "content": "科技进步贡献率是多少？"}]}\'',
        f"curl -s {base}/v1/documents{auth}",
        f"curl -s {base}/v1/documents{admin} -F file=@my_policy.md",
    ] + ([f"open {base}/docs   # OpenAPI docs"] if settings.docs == "open" else [])


@app.command("serve")
def serve(
    host: str = typer.Option(None, "--host", help="Interface to bind (default: RAG_HOST, 127.0.0.1)"),
    port: int = typer.Option(None, "--port", help="Port (default: RAG_PORT, 8000)"),
    rebuild_if_stale: bool = typer.Option(
        False,
        "--rebuild-if-stale",
        help="Rebuild the index first when another embedder or pipeline version made it",
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level"),
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Indexes the corpus first when no index exists."""
    import uvicorn
    from fastapi import FastAPI

    from api.app import create_app
    from rag.assistant import Assistant
    from rag.errors import IndexMismatchError, IndexMissingError, RagError

    settings = Settings()
    host = host or settings.host
    port = settings.port if port is None else port
    if not 0 <= port <= 65535:
        fail(f"--port must be between 0 and 65535, got {port}")
    if not _is_loopback(host) and not settings.key_set("api"):
        err_console.print(
            f"[yellow]warning:[/] binding {host} without RAG_API_KEYS: anyone who can reach it may use "
            "and change the index",
            highlight=False,
        )
    if settings.serve_native_threads > 0:
        # native libraries single-threaded for this process (and the embedder's per-call limit to
        # match): requests run side by side in the bounded worker pool instead (api.capacity)
        from api.capacity import limit_native_threads

        limit_native_threads(settings.serve_native_threads)
        settings = settings.model_copy(update={"embed_threads": settings.serve_native_threads})
    assistant = Assistant(settings)
    if rebuild_if_stale:
        try:
            _ = assistant.index
        except IndexMismatchError as exc:
            err_console.print(f"[yellow]rebuilding:[/] {exc}", highlight=False)
            try:
                assistant.ingest(rebuild=True)
            except RagError as err:
                fail(str(err))
        except IndexMissingError:
            pass  # the server's start-up builds it

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"

    def on_ready(app_: FastAPI) -> None:
        state = app_.state
        if state.status != "ready":
            err_console.print(f"[bold red]not ready:[/] {state.load_error}", highlight=False, soft_wrap=True)
        docs = f"  API docs: {base}/docs." if settings.docs != "off" else ""
        print(f"\nPolicy RAG on {base}", flush=True)
        print(f"  Web page: open {base}/ in a browser (ask, check citations, manage documents)", flush=True)
        print(f"{docs} Try:" if docs else "  Try:", flush=True)
        for line in example_requests(base, settings):
            print("  " + line, flush=True)
        print(flush=True)

    logging.basicConfig(
        level=getattr(logging, log_level.upper(), logging.INFO), format="%(levelname)s:     %(message)s"
    )
    uvicorn.run(create_app(settings, assistant, on_ready=on_ready), host=host, port=port, log_level=log_level)
