"""Run the gold set through our system and the baseline, collect per-item results, gate them.

One ``run_eval`` call measures both systems in the same process on the same items, so the
comparison is never between runs made on different days or machines. The result is a
plain JSON-ready dict (``report.json``); ``eval.report`` renders it and ``check_gate``
compares its flat metrics with ``eval/thresholds.toml``.
"""

from __future__ import annotations

import platform
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval import metrics as M
from eval.baseline import Baseline, BaselineConfig
from eval.gold import BLIND_DIR, GOLD_DIR, GoldItem, load_gold
from rag.text import detect_language, detect_script

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.types import Answer, Hit

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.toml"
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
BASELINE = "baseline"
SYSTEMS: tuple[str, ...] = (*MODES, BASELINE)
RANK_METRICS = {
    "recall@1": "recall_at_1",
    "recall@5": "recall_at_5",
    "recall@10": "recall_at_10",
    "mrr@10": "mrr_at_10",
    "ndcg@10": "ndcg_at_10",
}
ANSWER_METRICS = (
    "citation_precision_strict",
    "citation_precision_combined",
    "citation_recall",
    "refusal_accuracy",
    "false_refusal_rate",
    "key_fact_match",
    "key_fact_in_english",
    "language_match",
    "declared_language_match",
    "script_match_zh",
    "supported_sentences",
    "followup_right",
    "multipart_all_parts",
    "multipart_parts",
)
GOLD_SETS = {"v1": GOLD_DIR, "blind": BLIND_DIR}

Log = Callable[[str], None]


@dataclass
class EvalConfig:
    split: str = "test"
    gold_set: str = "v1"  # "v1" (eval/gold/*.jsonl) or "blind" (eval/gold/blind/*.jsonl)
    generator: str | None = None  # None: the Assistant's configured default
    retrieval_only: bool = False
    k: int = M.MAX_K
    ids: Sequence[str] | None = None  # restrict to these gold ids (tests, debugging)
    rebuild_on_mismatch: bool = False  # rebuild an index made by other pipeline code
    baseline: BaselineConfig = field(default_factory=BaselineConfig)


def _hits_record(hits: Sequence[Hit], evidence: Sequence[str], ms: float) -> dict[str, Any]:
    flags = M.relevance_flags([h.chunk.text for h in hits], evidence)
    first = next((i + 1 for i, f in enumerate(flags) if f), None)
    return {
        "relevant": flags,
        "chunk_ids": [h.chunk.chunk_id for h in hits],
        "first_relevant": first,
        "ms": round(ms, 3),
    }


def item_kind(item: GoldItem) -> str:
    """single | dialogue (scored on its second turn) | multipart (scored part by part)."""
    if item.extra.get("dialogue"):
        return "dialogue"
    return "multipart" if item.extra.get("parts") else "single"


def _item_record(item: GoldItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item_kind(item),
        "near_miss": item.extra.get("near_miss"),
        "slot": item.extra.get("slot"),
        "question": item.question,
        "lang": item.lang,
        "script": item.script,
        "type": item.type,
        "answerable": item.answerable,
        "n_evidence": len(item.evidence),
        "sources": list(item.sources),
        "retrieval": {},
        "answers": {},
    }


def _score(answer: Answer, item: GoldItem, *, verified: bool) -> dict[str, Any]:
    return M.score_answer(
        answer,
        evidence=item.evidence,
        answerable=item.answerable,
        item_type=item.type,
        lang=item.lang,
        script=item.script,
        reference=item.answer,
        key_fact=item.extra.get("key_fact"),
        detect_language=detect_language,
        detect_script=detect_script,
        verified=verified,
    ).to_dict()


def _answer_record(answer: Answer, item: GoldItem, total_ms: float, *, verified: bool) -> dict[str, Any]:
    score = _score(answer, item, verified=verified)
    kind = item_kind(item)
    if kind == "dialogue":
        score["followup_right"] = M.followup_right(score, answerable=item.answerable, item_type=item.type)
    elif kind == "multipart":
        score["parts_right"] = M.score_parts(answer, item.extra["parts"])
    return {
        "answer": answer.answer,
        "generator": answer.generator,
        "refusal_reason": getattr(answer, "refusal_reason", None),
        "standalone": getattr(answer, "standalone", None),  # a follow-up as it was retrieved
        "citations": [{"n": c.n, "chunk_id": c.chunk_id} for c in answer.citations],
        "timings_ms": {k: round(float(v), 3) for k, v in answer.timings_ms.items()},
        "total_ms": round(total_ms, 3),
        "score": score,
    }


def _history(item: GoldItem, first: Answer | None) -> list[dict[str, str]] | None:
    """A dialogue's second turn is asked after the first: [user q1, assistant a1]."""
    if item_kind(item) != "dialogue":
        return None
    turns = [{"role": "user", "content": item.extra["history"][0]}]
    if first is not None:
        turns.append({"role": "assistant", "content": first.answer})
    return turns


def build_assistant(*, rebuild_on_mismatch: bool = False) -> Assistant:
    """The system under test, exactly as the CLI builds it; makes sure an index exists.

    An index built by other pipeline code is refused unless ``rebuild_on_mismatch``: scoring a
    stale index would credit (or blame) the current code for chunks it did not make.
    """
    from rag.assistant import Assistant
    from rag.config import Settings

    assistant = Assistant(Settings())
    assistant.ensure_index(rebuild_on_mismatch=rebuild_on_mismatch)
    return assistant


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def run_eval(
    config: EvalConfig,
    assistant: Assistant | None = None,
    items: Sequence[GoldItem] | None = None,
    log: Log | None = None,
) -> dict[str, Any]:
    """Measure retrieval (every mode + baseline) and, unless retrieval-only, answers."""
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    if config.gold_set not in GOLD_SETS:
        raise ValueError(f"unknown gold set {config.gold_set!r}; valid: {', '.join(GOLD_SETS)}")
    if items is None:
        items = load_gold(config.split, gold_dir=GOLD_SETS[config.gold_set])
    if config.ids is not None:
        wanted = set(config.ids)
        items = [it for it in items if it.id in wanted]
    if not items:
        raise ValueError(f"no gold items for split {config.split!r}")
    assistant = assistant or build_assistant(rebuild_on_mismatch=config.rebuild_on_mismatch)
    settings = assistant.settings
    baseline = Baseline(
        assistant.embedder,
        Path(settings.corpus_dir),
        Path(settings.index_dir) / "eval",
        config.baseline,
        log=say,
    )
    setup_s = time.perf_counter() - started
    notes: list[str] = []
    records = [_item_record(it) for it in items]

    say(f"retrieval: {len(items)} items x {len(SYSTEMS)} systems")
    for mode in MODES:  # untimed warm-up: lazy loads (jieba, dictionaries) are not query latency
        assistant.search(items[0].question, config.k, mode=mode)
    baseline.search(items[0].question, config.k)
    for item, rec in zip(items, records, strict=True):
        if rec["kind"] == "dialogue":  # a follow-up alone is not a search query; its answer is scored
            continue
        for mode in MODES:
            hits, ms = _timed(
                lambda mode=mode, item=item: assistant.search(item.question, config.k, mode=mode)
            )
            rec["retrieval"][mode] = _hits_record(hits, item.evidence, ms)
        hits, ms = _timed(lambda item=item: baseline.search(item.question, config.k))
        rec["retrieval"][BASELINE] = _hits_record(hits, item.evidence, ms)

    answers_run = False
    generator = config.generator or settings.generator
    if config.retrieval_only:
        notes.append("Answer metrics skipped: --retrieval-only.")
    else:
        answers_run = _run_answers(assistant, baseline, items, records, generator, notes, say)

    runtime_s = time.perf_counter() - started
    report = {
        "meta": {
            "split": config.split,
            "set": config.gold_set,
            "generator": generator if answers_run else None,
            "retrieval_only": not answers_run,
            "n_items": len(items),
            "n_answerable": sum(it.answerable for it in items),
            "embedder": getattr(assistant.embedder, "name", "?"),
            "k": config.k,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "runtime_s": round(runtime_s, 2),
            "setup_s": round(setup_s, 2),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "baseline": {
                "splitter": "RecursiveCharacterTextSplitter",
                "chunk_size": config.baseline.chunk_size,
                "chunk_overlap": config.baseline.chunk_overlap,
                "chunks": len(baseline.chunks),
                "from_cache": baseline.from_cache,
                "evidence_ceiling": evidence_ceiling(items, [c.text for c in baseline.chunks]),
            },
        },
        "notes": notes,
        "items": records,
    }
    report.update(summarize(records, answers_run))
    return report


def _run_answers(
    assistant: Assistant,
    baseline: Baseline,
    items: Sequence[GoldItem],
    records: list[dict[str, Any]],
    generator: str,
    notes: list[str],
    say: Log,
) -> bool:
    """Ask both systems every question; False (with a note) when ``ask`` is not available."""
    say(f"answers: {len(items)} items, generator {generator!r}")
    errors = 0
    for i, (item, rec) in enumerate(zip(items, records, strict=True)):
        try:
            if i == 0:  # untimed warm-up, as for search
                assistant.ask(item.question, generator=generator)
            first = None
            if rec["kind"] == "dialogue":  # turn 1 is asked for real; its answer is the history
                first = assistant.ask(item.extra["history"][0], generator=generator)
                rec["first_turn"] = {"question": item.extra["history"][0], "answer": first.answer}
            history = _history(item, first)
            answer, ms = _timed(
                lambda item=item, history=history: assistant.ask(
                    item.question, generator=generator, history=history
                )
            )
        except (NotImplementedError, ModuleNotFoundError) as exc:
            notes.append(
                f"Answer metrics skipped: Assistant.ask is not available yet ({type(exc).__name__}: {exc})."
            )
            for r in records:
                r["answers"] = {}
            return False
        except Exception as exc:  # one broken answer must not hide the other 169
            errors += 1
            rec["answers"]["ours"] = {"error": f"{type(exc).__name__}: {exc}"}
        else:
            rec["answers"]["ours"] = _answer_record(answer, item, ms, verified=True)
        answer, ms = _timed(lambda item=item: baseline.answer(item.question))
        rec["answers"][BASELINE] = _answer_record(answer, item, ms, verified=False)
    if errors:
        notes.append(f"{errors} question(s) raised in Assistant.ask; they are left out of answer metrics.")
    return True


def evidence_ceiling(items: Sequence[GoldItem], texts: Sequence[str]) -> float | None:
    """Share of answerable items whose evidence occurs in some chunk at all (recall's upper bound)."""
    norm = [M.normalize_for_match(t) for t in texts]
    answerable = [it for it in items if it.answerable]
    if not answerable:
        return None
    found = sum(
        any(n and n in t for t in norm for n in (M.normalize_for_match(e) for e in it.evidence))
        for it in answerable
    )
    return found / len(answerable)


# --- aggregation -------------------------------------------------------------------------


def summarize(records: Sequence[Mapping[str, Any]], answers_run: bool) -> dict[str, Any]:
    """Aggregate per-item records into retrieval, answer and latency sections plus flat metrics."""
    answerable = [r for r in records if r["answerable"]]
    retrieval: dict[str, Any] = {}
    for system in SYSTEMS:
        have = [r for r in answerable if system in r["retrieval"]]
        if have:
            retrieval[system] = M.grouped(
                have,
                lambda rows, s=system: M.aggregate_ranking(
                    [(r["retrieval"][s]["relevant"], r["n_evidence"]) for r in rows]
                ),
            )
    answers: dict[str, Any] = {}
    if answers_run:
        for system in ("ours", BASELINE):
            ok = [r for r in records if "score" in r["answers"].get(system, {})]
            answers[system] = M.grouped(
                ok, lambda rows, s=system: M.aggregate_answers([(r, r["answers"][s]["score"]) for r in rows])
            )
            answers[system]["errors"] = sum("error" in r["answers"].get(system, {}) for r in records)
    samples = latency_samples(records)
    latency = {group: M.latency_summary(stages) for group, stages in samples.items()}
    out = {"retrieval": retrieval, "answers": answers or None, "latency": latency}
    out["metrics"] = flat_metrics(out)
    return out


def latency_samples(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """Raw milliseconds per stage: search per system, and each answer stage plus end-to-end."""
    search = {s: [r["retrieval"][s]["ms"] for r in records if s in r["retrieval"]] for s in SYSTEMS}
    out: dict[str, dict[str, list[float]]] = {"search": {s: v for s, v in search.items() if v}}
    for system in ("ours", BASELINE):
        stages: dict[str, list[float]] = {}
        for r in records:
            a = r["answers"].get(system)
            if not a or "error" in a:
                continue
            for stage, ms in a["timings_ms"].items():
                stages.setdefault(stage, []).append(ms)
            stages.setdefault("end_to_end", []).append(a["total_ms"])
        if stages:
            out[f"ask_{system}"] = stages
    return out


def flat_metrics(summary: Mapping[str, Any]) -> dict[str, float | None]:
    """The gate's namespace: ``hybrid_recall_at_5``, ``hybrid_zh_mrr_at_10``, ``answer_citation_recall``,
    ``baseline_answer_key_fact_match``, ``latency_search_hybrid_p95_ms``, ``answer_errors``..."""
    flat: dict[str, float | None] = {}
    for system, groups in summary["retrieval"].items():
        scopes = [("", groups["all"])]
        scopes += [(f"{lang}_", m) for lang, m in groups["by_lang"].items()]
        scopes += [(f"{sc}_", m) for sc, m in groups["by_script"].items() if sc != "english"]
        for prefix, m in scopes:
            for key, name in RANK_METRICS.items():
                flat[f"{system}_{prefix}{name}"] = m[key]
    for system, groups in (summary.get("answers") or {}).items():
        prefix = "answer_" if system == "ours" else f"{system}_answer_"
        for key in ANSWER_METRICS:
            flat[prefix + key] = groups["all"][key]
        for lang, m in groups["by_lang"].items():
            for key in ANSWER_METRICS:
                flat[f"{prefix}{lang}_{key}"] = m[key]
        flat[prefix + "errors"] = float(groups["errors"])
        for kind, value in groups["all"].get("refusal_by_near_miss", {}).items():
            flat[f"{prefix}refusal_accuracy_{kind.replace('-', '_')}"] = value
    for group, stages in summary["latency"].items():
        for stage, s in stages.items():
            flat[f"latency_{group}_{stage}_p50_ms"] = s["p50"]
            flat[f"latency_{group}_{stage}_p95_ms"] = s["p95"]
    return flat


# --- gate --------------------------------------------------------------------------------


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def check_gate(
    metrics: Mapping[str, float | None],
    thresholds: Mapping[str, Any],
    split: str,
    *,
    answers_run: bool,
    generator: str | None,
) -> dict[str, Any]:
    """Compare flat metrics with ``[split]`` minimums and ``[split.max]`` maximums.

    Answer thresholds are calibrated for one generator (``[gate] answer_generator``); they
    are skipped, with a note, on retrieval-only runs and for other generators. A threshold
    naming a metric the run does not know fails, so a typo cannot silently disable a check.
    """
    section = dict(thresholds.get(split, {}))
    maxima = dict(section.pop("max", {}))
    calibrated = thresholds.get("gate", {}).get("answer_generator")
    checks: list[dict[str, Any]] = []
    skipped: list[str] = []
    failures: list[str] = []
    for kind, table in (("min", section), ("max", maxima)):
        for name, limit in sorted(table.items()):
            is_answer = "answer_" in name or name.startswith("latency_ask_")
            if is_answer and not answers_run:
                skipped.append(f"{name} (no answer metrics in this run)")
                continue
            if is_answer and calibrated and generator != calibrated:
                skipped.append(f"{name} (calibrated for generator {calibrated!r}, ran {generator!r})")
                continue
            value = metrics.get(name)
            if name not in metrics:
                ok, why = False, "unknown metric"
            elif value is None:
                skipped.append(f"{name} (no data)")
                continue
            elif kind == "min":
                ok, why = value >= float(limit), f"{value:.4f} < min {float(limit):.4f}"
            else:
                ok, why = value <= float(limit), f"{value:.4f} > max {float(limit):.4f}"
            checks.append({"metric": name, "kind": kind, "threshold": float(limit), "value": value, "ok": ok})
            if not ok:
                failures.append(f"{name}: {why}")
    return {
        "split": split,
        "passed": not failures,
        "failures": failures,
        "skipped": skipped,
        "checks": checks,
    }
