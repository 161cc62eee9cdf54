"""A local OpenAI-compatible LLM server: llama.cpp's own HTTP server through ``xllamacpp``.

``xllamacpp`` is a prebuilt CPU wheel of llama.cpp (installs in seconds, unlike llama-cpp-python,
which PyPI ships as source only and compiles for 7-15 minutes). Its ``Server`` starts llama.cpp's
server in-process on a host and port; ``POST /v1/chat/completions`` (streaming) and
``GET /v1/models`` are what our ``openai`` generator needs, unchanged.

``python -m rag.llm_server --model M.gguf [--alias NAME] [--port 8080]`` serves until SIGTERM or
Ctrl-C (the process is the server's lifetime: xllamacpp has no stop call, so tests and ``make
run-llm`` run it as a child process they can terminate).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rag.errors import RagError


class LLMServerError(RagError):
    """The local LLM server cannot start (runtime missing, model missing or unloadable)."""

    status_code = 503
    kind = "llm_unavailable"


def server_params(model: Path, *, alias: str, host: str, port: int, n_ctx: int, threads: int) -> Any:
    """``xllamacpp.CommonParams`` for one model served on ``host:port`` under ``alias``."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise LLMServerError(
            "xllamacpp is not installed: run `make local-llm` (pip install xllamacpp)"
        ) from exc
    if not Path(model).is_file():
        raise LLMServerError(f"model file {model} does not exist; run `make local-llm`")
    p = xllamacpp.CommonParams()
    p.model.path = str(model)
    p.model_alias = {alias}  # a set of names in this llama.cpp version; shown by /v1/models
    p.n_ctx = n_ctx
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.n_parallel = 1  # one slot: the whole context for one request; CPU is the bottleneck anyway
    p.hostnames = [host]
    p.port = port
    return p


def serve(model: Path, *, alias: str, host: str, port: int, n_ctx: int, threads: int) -> None:
    """Start the server and block until SIGTERM/SIGINT."""
    import xllamacpp

    params = server_params(model, alias=alias, host=host, port=port, n_ctx=n_ctx, threads=threads)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = xllamacpp.Server(params)
    print(f"serving {model.name} as {alias!r} on http://{host}:{port}/v1", flush=True)
    while not stop.is_set():
        time.sleep(0.2)
    del server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rag.llm_server", description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="a GGUF file")
    ap.add_argument("--alias", default="local", help="model name clients ask for (RAG_LLM_MODEL)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    try:
        serve(
            args.model,
            alias=args.alias,
            host=args.host,
            port=args.port,
            n_ctx=args.n_ctx,
            threads=args.threads,
        )
    except LLMServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
