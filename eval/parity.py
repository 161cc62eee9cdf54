"""Two evaluation reports of the same split must agree on retrieval: the store behind the
retriever (RAG_STORE=faiss or milvus) may change speed, never what is found.

    python -m eval.parity eval/reports/test/report.json eval/reports/test-milvus/report.json

Exits 1 when an overall retrieval metric (hybrid, dense, keyword; recall@k, MRR, nDCG) differs by
more than ``--tolerance`` (0.02: one item of the 72-75 answerable ones in a split). Per-language and
per-script figures are printed but not gated: one item of 18-37 moves them by .03-.06.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

RETRIEVAL = re.compile(
    r"^(hybrid|dense|keyword)(_(zh|en|simplified|traditional))?_(recall_at_\d+|mrr_at_10|ndcg_at_10)$"
)
SUBSET = re.compile(r"_(zh|en|simplified|traditional)_")


def compare(a: dict, b: dict, tolerance: float) -> list[tuple[str, float, float, bool]]:
    """(metric, value in a, value in b, within tolerance) for every retrieval metric both hold."""
    ma, mb = a["metrics"], b["metrics"]
    rows = []
    for name in sorted(ma):
        if RETRIEVAL.match(name) and name in mb:
            gated = not SUBSET.search(name)
            rows.append((name, ma[name], mb[name], not gated or abs(ma[name] - mb[name]) <= tolerance + 1e-9))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.02)
    args = parser.parse_args(argv)
    try:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (args.reference, args.candidate))
    except (OSError, ValueError) as exc:
        print(f"error: cannot read a report: {exc}", file=sys.stderr)
        return 1
    if a["meta"]["split"] != b["meta"]["split"]:
        print(f"error: splits differ ({a['meta']['split']} vs {b['meta']['split']})", file=sys.stderr)
        return 1
    rows = compare(a, b, args.tolerance)
    if not rows:
        print("error: no retrieval metrics in common", file=sys.stderr)
        return 1
    bad = [r for r in rows if not r[3]]
    for name, va, vb, ok in rows:
        if not ok or name.endswith(("recall_at_1", "recall_at_5", "mrr_at_10")):
            mark = "BAD" if not ok else ("ok " if not SUBSET.search(name) else "   ")
            print(f"{mark} {name:36s} {va:.3f} {vb:.3f} ({vb - va:+.3f})")
    print(
        f"parity {args.reference.parent.name} vs {args.candidate.parent.name}: "
        f"{sum(1 for r in rows if not SUBSET.search(r[0])) - len(bad)} of "
        f"{sum(1 for r in rows if not SUBSET.search(r[0]))} overall retrieval metrics within {args.tolerance}"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
