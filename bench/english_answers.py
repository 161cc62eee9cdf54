"""English answers over the Chinese documents: figure stated in English, language, citations, latency.

For every answerable English gold item (old set and blind set; a dialogue turn is asked as its
standalone rewrite) the assistant answers through ``--generator`` (default: the configured one);
measured per item and aggregated:

- ``figure_in_english``: number/date items whose key figure (eval.metrics.key_figure of the
  reference) appears, by value, in the English part of the answer: the text with verbatim Chinese
  quotes (“…”) and Chinese parentheses removed, so US$24 billion counts and 240亿美元 does not;
- ``language_match``: the answer text is detected as English (rag.text.detect_language);
- ``citation_hit``: a cited passage contains the item's evidence;
- ``refused``; latency p50/p95 and time to the first streamed token;
- ``unsupported_figures``: figures of the answer's English part that no cited passage holds.

    PYTHONPATH=. python bench/english_answers.py [--generator openai] [--limit 30] [--split test]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from eval.gold import BLIND_DIR, GOLD_DIR, load_gold
from eval.metrics import english_part, key_fact_match, percentile, relevance_flags
from rag.answer.citations.figures import figures, missing_figures
from rag.assistant import Assistant
from rag.text import detect_language
from rag.types import Answer

OUT = Path(__file__).resolve().parent / "reports" / "english_answers.json"
FIGURE_TYPES = {"number", "date"}


def claims(answer: str) -> str:
    """The English part without lines saying what the documents do not answer (they restate the
    question, not a claim)."""
    return "\n".join(x for x in english_part(answer).splitlines() if not x.startswith("The documents do not"))


def items(splits: list[str]):
    out = []
    for name, folder in (("old", GOLD_DIR), ("blind", BLIND_DIR)):
        for split in splits:
            out += [
                (name, it) for it in load_gold(split, gold_dir=folder) if it.lang == "en" and it.answerable
            ]
    return out


def summarise(rows: list[dict]) -> dict:
    def share(key: str, subset=None) -> float | None:
        vals = [r[key] for r in (rows if subset is None else subset) if key in r]
        return round(sum(vals) / len(vals), 3) if vals else None

    answered = [r for r in rows if not r["refused"]]
    secs = [r["seconds"] for r in rows]
    ttft = [r["first_token_s"] for r in rows if r["first_token_s"] is not None]
    return {
        "n": len(rows),
        "n_figure_items": sum("figure_in_english" in r for r in rows),
        "figure_in_english": share("figure_in_english"),
        "figure_anywhere": share("figure_anywhere"),
        "language_match": share("language_match"),
        "language_match_answered": share("language_match", answered),
        "citation_hit": share("citation_hit"),
        "refused": share("refused"),
        "generators": {g: sum(r["generator"] == g for r in rows) for g in {r["generator"] for r in rows}},
        "llm_text_kept": sum(r["generator"] not in ("extractive",) for r in rows),
        "answers_with_unsupported_figures": sum(bool(r.get("unsupported_figures")) for r in rows),
        "latency_s": {"p50": percentile(secs, 50), "p95": percentile(secs, 95)},
        "first_token_s": {"p50": percentile(ttft, 50), "p95": percentile(ttft, 95)},
    }


def write_report(args: argparse.Namespace, assistant: Assistant, rows: list[dict]) -> dict:
    summary = summarise(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "generator": args.generator or assistant.settings.generator,
        "splits": args.split or ["test"],
        "load_average_1m": os.getloadavg()[0],
        "summary": summary,
        "items": rows,
    }
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generator", default=None)
    ap.add_argument("--split", action="append", choices=["dev", "test"])
    ap.add_argument("--limit", type=int, default=0, help="at most this many items (number/date first)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    assistant = Assistant()
    todo = items(args.split or ["test"])
    todo.sort(key=lambda p: p[1].type not in FIGURE_TYPES)  # stable: figure items first
    if args.limit:
        todo = todo[: args.limit]
    assistant.search("warm-up", 5)
    rows = []
    for set_name, it in todo:
        question = it.extra.get("standalone") or it.question
        t0 = time.perf_counter()
        first: float | None = None
        final: Answer | None = None
        for piece in assistant.stream(question, generator=args.generator):
            if isinstance(piece, Answer):
                final = piece
            elif first is None:
                first = time.perf_counter() - t0
        total = time.perf_counter() - t0
        assert final is not None
        cited = [
            final.passages[c.n - 1].chunk.text for c in final.citations if 0 < c.n <= len(final.passages)
        ]
        cited_full = [  # what the verifier checks against: title and section path too
            f"{h.chunk.title}\n{h.chunk.section}\n{h.chunk.text}"
            for h in (final.passages[c.n - 1] for c in final.citations if 0 < c.n <= len(final.passages))
        ]
        row = {
            "id": it.id,
            "set": set_name,
            "split": it.split,
            "type": it.type,
            "question": question,
            "answer": final.answer,
            "generator": final.generator,
            "refused": final.refused,
            "language_match": detect_language(final.answer) == "en",
            "citation_hit": any(relevance_flags(cited, it.evidence)),
            "seconds": round(total, 3),
            "first_token_s": round(first, 3) if first is not None else None,
            "warnings": final.warnings,
            # Figures the answer states in its own words that no cited passage holds (after verification
            # this must stay empty: an unsupported figure is dropped or the answer falls back).
            "unsupported_figures": []
            if final.refused
            else missing_figures(claims(final.answer), [f for t in cited_full for f in figures(t)]),
        }
        if it.type in FIGURE_TYPES:
            row["figure_in_english"] = key_fact_match(it.answer, english_part(final.answer))
            row["figure_anywhere"] = key_fact_match(it.answer, final.answer)
        rows.append(row)
        write_report(args, assistant, rows)  # after every item: a long LLM run can be cut short
        print(
            f"{it.id:8} {row['generator']:10} {total:6.1f}s lang={row['language_match']!s:5} "
            f"cite={row['citation_hit']!s:5} fig={row.get('figure_in_english', '-')!s:5} "
            f"{final.answer[:90]!r}",
            flush=True,
        )

    print(json.dumps(write_report(args, assistant, rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
