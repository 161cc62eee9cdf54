"""Two writers on one index folder: nothing lost, nothing stuck (issue 11)."""

from __future__ import annotations

from pathlib import Path

from tests.faults.conftest import indexed_sources, rag, rag_env, write_doc

RUNS = 10


def test_two_concurrent_ingests_keep_every_document(tmp_path: Path) -> None:
    for run_no in range(RUNS):
        corpus, index = tmp_path / f"c{run_no}", tmp_path / f"i{run_no}"
        for n in range(3):
            write_doc(corpus / "a" / f"a{n}.md", n, f"甲{run_no}{n}")
            write_doc(corpus / "b" / f"b{n}.md", n, f"乙{run_no}{n}")
        env = rag_env(corpus, index)
        procs = [rag(["ingest", str(corpus / side)], env) for side in ("a", "b")]
        outs = [p.communicate(timeout=600) for p in procs]
        for p, (_, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, f"run {run_no}: {err[-2000:]}"
        want = sorted(f"{side}/{side}{n}.md" for side in "ab" for n in range(3))
        assert indexed_sources(corpus, index) == want, f"run {run_no}"
