"""Fit the extractive answer floor (``extractive_min_score``, ``_en``) and the heading keyword
weight on dev items, honestly.

For every dev item (single questions of both gold sets, plus dialogue second turns rewritten the
way the chain rewrites them) retrieval runs once; the extractive selection then runs per candidate
setting with the floor switched off, recording the best remaining score (None when another rule —
the slot, a constraint, a year — already refuses). The floor is the value that maximises
``(refusals right + answers kept) / items`` per language; 5-fold cross-validation is reported next
to it, so a floor that only fits the dev items shows up as a gap.

Run: ``python -m eval.calibrate`` (prints JSON; nothing is written). Never run it on test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace

from eval.gold import BLIND_DIR, GOLD_DIR, load_gold
from eval.harness import build_assistant, item_kind
from rag.answer.chain import heuristic_condense, normalise_history
from rag.answer.generators import ExtractiveGenerator, GenerationRequest
from rag.text import detect_language, detect_script

HEADING_WEIGHTS = (0.0, 1.0)
GRID = [round(x * 0.05, 2) for x in range(0, 31)]


def accuracy(rows: Sequence[tuple[bool, float | None]], floor: float) -> float:
    right = sum((score is not None and score >= floor) == answerable for answerable, score in rows)
    return right / len(rows) if rows else math.nan


def best_floor(rows: Sequence[tuple[bool, float | None]]) -> float:
    return max(GRID, key=lambda f: (accuracy(rows, f), -abs(f - 0.5)))


def cross_validated(rows: Sequence[tuple[bool, float | None]], folds: int = 5) -> float:
    scores = []
    for k in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != k]
        test = [r for i, r in enumerate(rows) if i % folds == k]
        scores.append(accuracy(test, best_floor(train)))
    return sum(scores) / len(scores)


def main() -> None:
    items = load_gold("dev", gold_dir=GOLD_DIR) + load_gold("dev", gold_dir=BLIND_DIR)
    assistant = build_assistant()
    chain = assistant.chain
    base = chain.factory.get("extractive")
    assert isinstance(base, ExtractiveGenerator)
    requests = []
    for item in items:
        kind = item_kind(item)
        if kind == "multipart":
            continue
        question = item.question
        if kind == "dialogue":
            history = normalise_history([{"role": "user", "content": item.extra["history"][0]}])
            question = heuristic_condense(question, history)
        lang = detect_language(item.question)
        hits = chain._search(question, assistant.settings.answer_k)
        requests.append(
            (item.answerable, GenerationRequest(question, hits, lang, detect_script(item.question)))
        )
    report: dict = {}
    for weight in HEADING_WEIGHTS:
        params = replace(base.params, min_score=-9.0, min_score_en=-9.0, heading_weight=weight)
        gen = ExtractiveGenerator(base.embedder, base.passages, params)
        obs = []
        for answerable, request in requests:
            picks, _ = gen.select_with_reason(request)
            obs.append((request.language, answerable, picks[0].score if picks else None))
        for lang in ("zh", "en"):
            rows = [(a, s) for lg, a, s in obs if lg == lang]
            floor = best_floor(rows)
            report[f"heading_weight={weight} {lang}"] = {
                "n": len(rows),
                "floor": floor,
                "dev_accuracy": round(accuracy(rows, floor), 4),
                "cv_accuracy": round(cross_validated(rows), 4),
                "refused_by_rules": sum(s is None for _, s in rows),
                "curve": {f: round(accuracy(rows, f), 3) for f in GRID[::2]},
            }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
