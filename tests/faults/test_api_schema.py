"""Schemathesis against a real ``rag serve`` on 127.0.0.1 with keys on: inputs generated from
/openapi.json (valid and invalid ones) must never produce a 5xx, and every response must be a
status, content type and body shape the schema documents. Bounded example count (CI budget)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.assistant import Assistant
from tests.faults.serve import Server, rag_server

KEY = "schema-key-1"
MAX_EXAMPLES = 8
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def server(seed_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with rag_server(
        seed_assistant.settings.index_dir,
        tmp_path_factory.mktemp("schema"),
        RAG_API_KEYS=KEY,
        RAG_AUTH_FAILURES_PER_MINUTE="0",
        RAG_MAX_UPLOAD_MB="1",
    ) as s:
        yield s


def test_openapi_contract_holds_under_generated_input(server: Server, tmp_path: Path) -> None:
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    cmd = [
        cli, "--no-color", "run", f"{server.base}/openapi.json",
        "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES),
        "--phases", "examples,coverage,fuzzing",
        "--header", f"Authorization: Bearer {KEY}",
        "--request-timeout", "60",
        "--generation-deterministic",
        "--suppress-health-check", "all",
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    log = out.stdout[-6000:] + out.stderr[-2000:]
    assert out.returncode == 0, log
    m = re.search(r"(\d+) generated, (\d+) passed", out.stdout)
    assert m and int(m.group(1)) == int(m.group(2)) >= 100, log  # every operation exercised, none failed
