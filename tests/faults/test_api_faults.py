"""Hostile and careless clients against a real ``rag serve`` on 127.0.0.1 (issue 11, HTTP half):
zip bombs, over-long and path-like file names, huge bodies, long histories, clients that hang up
mid-stream (the upstream LLM request must stop too), key guessing, and load beyond capacity.
Every case must end in a clear 4xx/503 JSON error, quickly, with the server still serving."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.assistant import Assistant
from rag.errors import DocumentError
from rag.ingest.loaders import LoadLimits, load_path
from tests.faults.fake_llm import FakeLLM
from tests.faults.serve import Server, rag_server

KEY = "fault-key-1"
AUTH = {"Authorization": f"Bearer {KEY}"}
MAX_IN_FLIGHT = 4
AUTH_FAILURES = 5
QUESTION = "根据SIA统计，2021年全球半导体销售额是多少？"


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    fake = FakeLLM(chunks=203, delay=0.03).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(
    seed_assistant: Assistant, llm: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with rag_server(
        seed_assistant.settings.index_dir,
        tmp_path_factory.mktemp("faults"),
        RAG_API_KEYS=KEY,
        RAG_GENERATOR="openai",
        RAG_LLM_BASE_URL=llm.base_url,
        RAG_LLM_MODEL="fake",
        RAG_LLM_TIMEOUT="30",
        RAG_AUTH_FAILURES_PER_MINUTE=str(AUTH_FAILURES),
        RAG_MAX_IN_FLIGHT=str(MAX_IN_FLIGHT),
    ) as s:
        yield s


def error_of(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text[:500]
    return r.json()["error"]


# --- uploads: zip bomb, long names, path-like names --------------------------------------------


def docx_bomb(unpacked_mb: int) -> bytes:
    """A real DOCX (python-docx's own template) whose document.xml inflates to ``unpacked_mb`` MB of
    one paragraph: a few hundred kB on the wire."""
    import docx

    plain = io.BytesIO()
    docx.Document().save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item))
        head = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>"
        )
        with dst.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            block = "政策".encode() * (1 << 17)  # 768 kB
            for _ in range(unpacked_mb * 4 // 3):
                f.write(block)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def test_docx_zip_bomb_is_refused_fast_with_bounded_memory(server: Server) -> None:
    bomb = docx_bomb(150)
    assert len(bomb) < 2 * 2**20
    peak_before = server.rss_mb("VmHWM")
    t0 = time.monotonic()
    r = httpx.post(
        f"{server.base}/v1/documents", headers=AUTH, files={"file": ("bomb.docx", bomb)}, timeout=120
    )
    elapsed = time.monotonic() - t0
    err = error_of(r, 400)
    assert err["type"] == "document_error" and "RAG_MAX_UNPACKED_MB" in err["message"]
    assert elapsed < 5, elapsed
    assert server.rss_mb("VmHWM") - peak_before < 80  # nothing was inflated
    assert httpx.get(f"{server.base}/readyz").status_code == 200


@pytest.mark.parametrize("chars", [90, 300])
def test_long_cjk_file_name_is_a_400_not_a_500(server: Server, chars: int) -> None:
    name = "科技政策" * (chars // 4) + "政" * (chars % 4) + ".md"
    files = {"file": (name, "# 标题\n\n科技政策的内容。\n".encode())}
    r = httpx.post(f"{server.base}/v1/documents", headers=AUTH, files=files, timeout=60)
    err = error_of(r, 400)
    assert "bytes" in err["message"] and "RAG_MAX_FILENAME_BYTES" in err["message"]


def raw_multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    """A body written the way browsers write it: the file name quoted but its backslashes as is."""
    boundary = "----rag-fault-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    "name",
    ["C:\\evil.txt", "..\\evil.txt", "a\\b.txt", "\\\\server\\share\\evil.txt", "a/b.txt", "../evil.txt"],
)
def test_path_like_file_names_of_any_os_are_400(server: Server, name: str) -> None:
    body, content_type = raw_multipart(name, "科技政策的内容。\n".encode())
    r = httpx.post(
        f"{server.base}/v1/documents",
        headers={**AUTH, "Content-Type": content_type},
        content=body,
        timeout=60,
    )
    assert "path" in error_of(r, 400)["message"]
    listed = httpx.get(f"{server.base}/v1/documents", headers=AUTH).json()["documents"]
    assert not any(d["source"].endswith(("evil.txt", "b.txt")) for d in listed)


# --- request bodies and histories --------------------------------------------------------------


def _port(server: Server) -> int:
    return int(server.base.rsplit(":", 1)[1])


def _read_reply(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """What the server sent until it closed the connection or went quiet for ``timeout`` s."""
    sock.settimeout(timeout)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
            head, _, body = out.partition(b"\r\n\r\n")
            length = next(
                (
                    int(h.split(b":")[1])
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length:")
                ),
                None,
            )
            if length is not None and len(body) >= length:
                break
    except (TimeoutError, ConnectionResetError):
        pass
    return out


def test_100_mb_json_body_is_413_before_it_is_read(server: Server) -> None:
    """Content-Length says 100 MB: the answer comes after 64 kB were sent, within seconds."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=10) as sock:
        head = (
            f"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {100 * 2**20}\r\n\r\n"
        )
        t0 = time.monotonic()
        sock.sendall(head.encode() + b'{"question": "' + b"a" * 65536)
        reply = _read_reply(sock)
        assert time.monotonic() - t0 < 5
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"RAG_MAX_REQUEST_KB" in reply


def test_chunked_body_without_length_is_cut_off_at_the_limit(server: Server) -> None:
    """No Content-Length (chunked): refused once the bytes received pass the limit (1 MB)."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=10) as sock:
        head = (
            f"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode())
        chunk = b"a" * 65536
        try:
            for _ in range(64):  # up to 4 MB
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:  # the server answered and closed: expected
            pass
        reply = _read_reply(sock)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_long_history_messages_are_refused(server: Server) -> None:
    long = "政策" * 4500  # 9000 characters: over RAG_MAX_MESSAGE_CHARS (8000)
    r = httpx.post(
        f"{server.base}/v1/ask",
        headers=AUTH,
        json={"question": QUESTION, "history": [{"role": "user", "content": long}]},
        timeout=60,
    )
    assert "RAG_MAX_MESSAGE_CHARS" in error_of(r, 422)["message"]
    msgs = [
        {"role": "user", "content": long},
        {"role": "assistant", "content": "好"},
        {"role": "user", "content": QUESTION},
    ]
    r = httpx.post(f"{server.base}/v1/chat/completions", headers=AUTH, json={"messages": msgs}, timeout=60)
    assert "RAG_MAX_MESSAGE_CHARS" in error_of(r, 422)["message"]
    many = [{"role": "user", "content": "好"}] * 60 + [{"role": "user", "content": QUESTION}]
    r = httpx.post(f"{server.base}/v1/chat/completions", headers=AUTH, json={"messages": many}, timeout=60)
    assert "RAG_MAX_HISTORY_MESSAGES" in error_of(r, 422)["message"]


# --- streams: a client that hangs up stops the upstream LLM ------------------------------------


def _stream_body(route: str) -> dict:
    if route == "/v1/ask":
        return {"question": QUESTION, "stream": True}
    return {"model": "policy-rag", "messages": [{"role": "user", "content": QUESTION}], "stream": True}


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/chat/completions"])
def test_client_disconnect_cancels_the_llm_stream(server: Server, llm: FakeLLM, route: str) -> None:
    first = len(llm.streams)
    with (
        httpx.Client(timeout=60) as c,
        c.stream("POST", server.base + route, json=_stream_body(route), headers=AUTH) as r,
    ):
        assert r.status_code == 200
        tokens = 0
        for line in r.iter_lines():
            if line.startswith("data:") and '"content": ""' not in line:
                tokens += 1
            if tokens >= 3:
                break  # hang up after a few tokens
    records = llm.wait_settled(first + 1, timeout=20)
    assert len(records) > first, "the LLM was never called"
    record = records[first]
    assert record.cancelled and not record.finished, record
    assert record.chunks_sent < llm.chunks // 2, record
    assert httpx.get(f"{server.base}/readyz").status_code == 200


# --- capacity and key guessing ----------------------------------------------------------------


def test_requests_beyond_the_in_flight_cap_get_503_at_once(server: Server, llm: FakeLLM) -> None:
    with ExitStack() as stack:
        readers = []  # kept alive: a dropped line iterator closes its connection
        for _ in range(MAX_IN_FLIGHT):  # slow streams hold every slot
            c = stack.enter_context(httpx.Client(timeout=60))
            r = stack.enter_context(
                c.stream("POST", f"{server.base}/v1/ask", json=_stream_body("/v1/ask"), headers=AUTH)
            )
            assert r.status_code == 200
            readers.append(r.iter_lines())
            next(readers[-1])
        t0 = time.monotonic()
        busy = httpx.post(f"{server.base}/v1/search", headers=AUTH, json={"query": "集成电路"}, timeout=30)
        assert time.monotonic() - t0 < 2
        assert error_of(busy, 503)["type"] == "overloaded"
        assert int(busy.headers["retry-after"]) >= 1
        assert httpx.get(f"{server.base}/healthz").status_code == 200  # probes are never refused
    deadline = time.monotonic() + 20  # the hung-up streams free their slots
    while time.monotonic() < deadline:
        r = httpx.post(f"{server.base}/v1/search", headers=AUTH, json={"query": "集成电路"}, timeout=30)
        if r.status_code == 200:
            break
        time.sleep(0.2)
    assert r.status_code == 200


def test_wrong_keys_are_rate_limited_per_address(server: Server) -> None:
    """From 127.0.0.2, so the other tests (127.0.0.1) keep their address unblocked."""
    url = f"{server.base}/v1/search"
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as c:
        codes = [
            c.post(url, json={"query": "研发"}, headers={"Authorization": f"Bearer guess-{i}"}).status_code
            for i in range(30)
        ]
        assert codes[:AUTH_FAILURES] == [401] * AUTH_FAILURES
        assert set(codes[AUTH_FAILURES:]) == {429}
        # while blocked, even the right key is refused: guessing cannot go on behind the 429s
        blocked = c.post(url, json={"query": "研发"}, headers=AUTH)
        assert error_of(blocked, 429)["type"] == "rate_limited"
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
    ok = httpx.post(url, json={"query": "研发"}, headers=AUTH, timeout=30)  # another address: unaffected
    assert ok.status_code == 200


# --- settings and messages (in-process app over the shared seed index) -------------------------


def test_docs_can_be_turned_off_or_put_behind_the_key(seed_assistant: Assistant) -> None:
    off = seed_assistant.settings.model_copy(update={"docs": "off"})
    with TestClient(create_app(off, seed_assistant)) as c:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert c.get(path).status_code == 404
    keyed = seed_assistant.settings.model_copy(update={"docs": "key", "api_keys": "k1"})
    with TestClient(create_app(keyed, seed_assistant)) as c:
        for path in ("/docs", "/openapi.json"):
            assert c.get(path).status_code == 401
            assert c.get(path, headers={"Authorization": "Bearer k1"}).status_code == 200
        assert "/v1/ask" in c.get("/openapi.json", headers={"Authorization": "Bearer k1"}).json()["paths"]


def test_wrong_content_type_is_named_in_the_error(seed_assistant: Assistant) -> None:
    with TestClient(create_app(seed_assistant.settings, seed_assistant)) as c:
        r = c.post("/v1/search", content="query=x", headers={"Content-Type": "text/plain"})
        assert r.status_code == 422
        assert "text/plain" in r.json()["error"]["message"]


# --- loaders: bounds without a server ----------------------------------------------------------


def test_pdf_page_limit(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    pdf = tmp_path / "three.pdf"
    with pdf.open("wb") as f:
        writer.write(f)
    with pytest.raises(DocumentError, match="3 pages.*RAG_MAX_PDF_PAGES"):
        load_path(pdf, tmp_path, LoadLimits(max_pdf_pages=2))


def understate_size(zip_bytes: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size in the central directory replaced by ``size``."""
    data = bytearray(zip_bytes)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if data[pos + 46 : pos + 46 + name_len].decode() == member:
            data[pos + 24 : pos + 28] = size.to_bytes(4, "little")
            return bytes(data)
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{member} not in the central directory")


def test_forged_zip_sizes_are_caught_without_inflating(tmp_path: Path) -> None:
    """A central directory that understates a member's size passes the cheap check; the stepped
    read then stops at the declared size and the CRC gives the forgery away."""
    forged = understate_size(docx_bomb(20), "word/document.xml", 1024)
    with zipfile.ZipFile(io.BytesIO(forged)) as zf:
        assert zf.getinfo("word/document.xml").file_size == 1024
    path = tmp_path / "forged.docx"
    path.write_bytes(forged)
    with pytest.raises(DocumentError, match="DOCX"):
        load_path(path, tmp_path, LoadLimits(max_unpacked_bytes=2**20))


def test_a_broken_pdf_error_is_clean_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nhello, not really a pdf")
    code = (
        "import sys; from pathlib import Path; from rag.ingest.loaders import load_path\n"
        f"try: load_path(Path({str(bad)!r}), Path({str(tmp_path)!r}))\n"
        "except Exception as e: print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "cannot read PDF" in out.stdout
    assert "EOF marker" not in out.stderr, out.stderr


def test_json_error_bodies_name_their_type(server: Server) -> None:
    """Every refusal above is the documented JSON error shape (spot check on a 413)."""
    r = httpx.post(
        f"{server.base}/v1/search", headers={**AUTH, "Content-Type": "application/json"},
        content=json.dumps({"query": "x" * (2 * 2**20)}), timeout=30,
    )  # fmt: skip
    assert error_of(r, 413)["type"] == "payload_too_large"
