"""A tiny OpenAI-compatible chat server on 127.0.0.1 for fault tests: it streams a long answer
slowly and records, per streamed request, how many chunks it wrote and whether the client went
away before the end (a write failing with a broken pipe or reset)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Sentences the answer chain can cite ([1]) so a generated answer is a normal one.
WORDS = "根据文件[1]，2021年全球半导体销售额为5559亿美元。"


@dataclass
class StreamRecord:
    chunks_sent: int = 0
    finished: bool = False
    cancelled: bool = False


@dataclass
class FakeLLM:
    chunks: int = 203
    delay: float = 0.03
    streams: list[StreamRecord] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if body.get("stream"):
                    fake._stream(self)
                else:
                    out = json.dumps(
                        {
                            "id": "x",
                            "object": "chat.completion",
                            "created": 0,
                            "model": "fake",
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": WORDS},
                                }
                            ],
                        }  # fmt: skip
                    ).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        record = StreamRecord()
        with self.lock:
            self.streams.append(record)
        handler.send_response(200)
        handler.send_header("content-type", "text/event-stream")
        handler.send_header("connection", "close")
        handler.end_headers()
        piece = WORDS[: max(1, len(WORDS) // 8)]
        try:
            for i in range(self.chunks):
                text = piece if i < self.chunks - 1 else ""
                chunk = {
                    "id": "x", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "delta": {"content": text},
                                 "finish_reason": None if i < self.chunks - 1 else "stop"}],
                }  # fmt: skip
                handler.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                handler.wfile.flush()
                record.chunks_sent += 1
                time.sleep(self.delay)
            handler.wfile.write(b"data: [DONE]\n\n")
            handler.wfile.flush()
            record.finished = True
        except (BrokenPipeError, ConnectionResetError):
            record.cancelled = True
        handler.close_connection = True

    def wait_settled(self, n: int, timeout: float) -> list[StreamRecord]:
        """The first ``n`` stream records once each has finished or been cancelled (or at timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                done = [r for r in self.streams[:n] if r.finished or r.cancelled]
                if len(self.streams) >= n and len(done) == n:
                    return list(self.streams[:n])
            time.sleep(0.05)
        with self.lock:
            return list(self.streams[:n])
