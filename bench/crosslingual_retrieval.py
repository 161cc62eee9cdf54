"""Retrieval by question language and mode (R@1 / R@5 / MRR@10) on both gold sets.

Reads the index of the current settings (``rag ingest`` first), runs every answerable gold item of
the old set (eval/gold) and the blind set (eval/gold/blind) through dense, keyword and hybrid
search, and writes bench/reports/crosslingual_retrieval.json plus a table on stdout. The fusion
weights for English queries are fitted on dev (``--fit``), never on test.

    PYTHONPATH=. python bench/crosslingual_retrieval.py [--fit]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval.gold import BLIND_DIR, GOLD_DIR, load_gold
from eval.metrics import recall_at_k, reciprocal_rank, relevance_flags
from rag.assistant import Assistant
from rag.retrieve.hybrid import MODES

OUT = Path(__file__).resolve().parent / "reports" / "crosslingual_retrieval.json"
SETS = {"old": GOLD_DIR, "blind": BLIND_DIR}


def items_of(set_name: str, split: str):
    return [it for it in load_gold(split, gold_dir=SETS[set_name]) if it.answerable]


def query_of(item) -> str:
    """A dialogue turn is searched as its standalone rewrite (what the chain's condense step
    produces): retrieval is measured here, not condensation."""
    return item.extra.get("standalone") or item.question


def table(rows: list[dict]) -> str:
    out = ["| set | split | lang | mode | n | R@1 | R@5 | MRR@10 |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(
            f"| {r['set']} | {r['split']} | {r['lang']} | {r['mode']} | {r['n']} | "
            f"{r['recall@1']:.3f} | {r['recall@5']:.3f} | {r['mrr@10']:.3f} |"
        )
    return "\n".join(out)


def measure(assistant: Assistant, k: int = 10) -> tuple[list[dict], dict]:
    retriever = assistant.retriever
    rows: list[dict] = []
    per_item: dict[str, dict] = {}
    for set_name in SETS:
        for split in ("dev", "test"):
            items = items_of(set_name, split)
            for lang in ("zh", "en"):
                group = [it for it in items if it.lang == lang]
                for mode in MODES:
                    r1 = r5 = rr = 0.0
                    for it in group:
                        hits = retriever.search(query_of(it), k, mode=mode)
                        flags = relevance_flags([h.chunk.text for h in hits], it.evidence)
                        r1 += recall_at_k(flags, 1)
                        r5 += recall_at_k(flags, 5)
                        rr += reciprocal_rank(flags, k)
                        per_item.setdefault(it.id, {"question": query_of(it), "set": set_name})[mode] = next(
                            (i + 1 for i, f in enumerate(flags) if f), None
                        )
                    n = len(group) or 1
                    rows.append(
                        {
                            "set": set_name,
                            "split": split,
                            "lang": lang,
                            "mode": mode,
                            "n": len(group),
                            "recall@1": r1 / n,
                            "recall@5": r5 / n,
                            "mrr@10": rr / n,
                        }
                    )
    return rows, per_item


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    assistant = Assistant()
    t0 = time.perf_counter()
    rows, per_item = measure(assistant)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runtime_s": round(time.perf_counter() - t0, 1),
        "settings": {
            k: getattr(assistant.settings, k)
            for k in ("keyword_weight", "keyword_weight_expanded", "dense_weight", "rrf_k", "candidates")
        },
        "rows": rows,
        "items": per_item,
    }
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
