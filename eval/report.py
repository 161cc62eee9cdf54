"""Render an evaluation result (``eval.harness.run_eval``) as report.json, report.md and report.html.

All three come from the same dict and the same comparison rows, so the terminal table,
the Markdown (pasted into the README) and the HTML page can never disagree. Plots are PNGs
embedded as base64, so the HTML is one self-contained file a CI job can archive.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.harness import ANSWER_METRICS, BASELINE, RANK_METRICS, SYSTEMS

COLUMNS = ("ours: hybrid", "ours: dense", "ours: keyword", "baseline", "Δ hybrid − baseline")
COLUMNS_SHORT = ("hybrid", "dense", "keyword", "baseline", "Δ vs base")  # fits 80 columns
LOWER_IS_BETTER = {"false_refusal_rate"}
ANSWER_LABELS = {
    "citation_precision_strict": "cite precision gold",
    "citation_precision_combined": "cite precision +verif",
    "citation_recall": "citation recall",
    "refusal_accuracy": "refusal accuracy",
    "false_refusal_rate": "false refusal rate ↓",
    "key_fact_match": "key-fact match",
    "key_fact_in_english": "key fact in English (en)",
    "language_match": "language match",
    "declared_language_match": "declared language",
    "script_match_zh": "script match (zh)",
    "supported_sentences": "supported sentences",
    "followup_right": "follow-up turns right",
    "multipart_all_parts": "multi-part: all parts",
    "multipart_parts": "multi-part: parts right",
}
GROUP_LABELS = {"simplified": "zh-Hans", "traditional": "zh-Hant"}

DEFINITIONS = [
    "Relevant chunk: contains a gold evidence string after NFKC, ％→% and removing all whitespace.",
    "Recall@k: share of answerable items with a relevant chunk in the top k. MRR@10: mean 1/rank of the "
    "first relevant chunk. nDCG@10: binary gains, ideal = min(10, max(#evidence, #relevant retrieved)).",
    "Citation precision (strict): cited passages holding gold evidence ÷ citations on answerable items; "
    "combined: also counts citations of sentences the verifier marked supported.",
    "Citation recall: answerable items with a citation on gold evidence (refusals count as misses).",
    "Refusal accuracy: unanswerable items refused. False-refusal rate: answerable items refused.",
    "Key-fact match: `number` items whose reference key figure (first figure, 万/亿 kept) appears in the answer.",
    "Language match: rag.text.detect_language(answer text) = question language (an English framing around "
    "Chinese quotes counts as zh); declared language: Answer.language = question language; "
    "script match: detect_script(answer) = question script, zh items only.",
    "Baseline: LangChain RecursiveCharacterTextSplitter(500, 50) over the raw seeds, same embedder, "
    "FAISS IndexFlatIP, dense only; answers = first two sentences of the top chunk cited [1], never refusing.",
    "Blind set: the answer metrics above count single questions; two-turn dialogues are scored on turn 2 "
    "(asked with [user q1, assistant a1] as history): right = refused if unanswerable, else a citation on "
    "gold evidence (+ key figure). Multi-part: a part is right when its own evidence is cited (answerable) "
    "or it is named missing (unanswerable); the item when every part is.",
]


# --- shared rows -------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _delta(ours: float | None, base: float | None) -> str:
    return "—" if ours is None or base is None else f"{ours - base:+.3f}"


def comparison_rows(report: Mapping[str, Any], *, full: bool = True) -> list[list[str]]:
    """``[metric, hybrid, dense, keyword, baseline, delta]`` rows; ``full=False`` = the key ones."""
    rows: list[list[str]] = []
    retrieval = report["retrieval"]

    def rank_row(label: str, scope: str, group: str | None, key: str) -> None:
        vals = []
        for system in SYSTEMS:
            m = retrieval.get(system, {})
            m = m.get("all") if scope == "all" else m.get(f"by_{scope}", {}).get(group or "")
            vals.append(None if not m else m[key])
        rows.append([label, *(fmt(v) for v in vals), _delta(vals[0], vals[3])])

    keys = list(RANK_METRICS) if full else ["recall@1", "recall@5", "recall@10", "mrr@10"]
    for key in keys:
        rank_row(key, "all", None, key)
    groups = [("lang", g) for g in ("zh", "en")] + [("script", g) for g in ("simplified", "traditional")]
    for scope, group in groups:
        if group in retrieval.get("hybrid", {}).get(f"by_{scope}", {}):
            for key in ("recall@1", "recall@5", "mrr@10") if full else ("recall@1", "recall@5"):
                rank_row(f"{key} · {GROUP_LABELS.get(group, group)}", scope, group, key)

    answers = report.get("answers")
    if answers:
        shown = ANSWER_METRICS if full else [k for k in ANSWER_METRICS if k != "declared_language_match"]
        for key in shown:
            ours = answers["ours"]["all"][key]
            base = answers[BASELINE]["all"][key]
            if ours is None and base is None:
                continue  # e.g. follow-up metrics on a set without dialogues
            rows.append([ANSWER_LABELS.get(key, key), fmt(ours), "", "", fmt(base), _delta(ours, base)])
    lat = report.get("latency", {})
    for system, col in (("ours", 0), (BASELINE, 3)):
        stage = lat.get(f"ask_{system}", {}).get("end_to_end")
        if stage:
            cells = ["", "", "", ""]
            cells[col] = f"{fmt(stage['p50'], 0)} / {fmt(stage['p95'], 0)}"
            rows.append(["answer p50/p95 ms", *cells, ""])
    search = lat.get("search", {})
    if search:
        rows.append(["search p50 ms", *(fmt(search.get(s, {}).get("p50"), 1) for s in SYSTEMS), ""])
    return rows


def _latency_rows(report: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for group, stages in report.get("latency", {}).items():
        for stage, s in stages.items():
            rows.append([group, stage, str(s["n"]), fmt(s["p50"], 1), fmt(s["p95"], 1), fmt(s["mean"], 1)])
    return rows


def _answer_breakdown_rows(report: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    answers = report.get("answers") or {}
    for system, groups in answers.items():
        for lang, m in groups.get("by_lang", {}).items():
            rows.append([system, lang, str(m["n"]), *(fmt(m[k]) for k in ANSWER_METRICS)])
    return rows


def _retrieval_breakdown_rows(report: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for system, groups in report["retrieval"].items():
        scopes = [("all", groups["all"])]
        scopes += [(g, m) for key in ("by_lang", "by_script") for g, m in groups.get(key, {}).items()]
        scopes = [(g, m) for g, m in scopes if g != "english"]  # same items as "en"
        for scope, m in scopes:
            rows.append([system, scope, str(m["n"]), *(fmt(m[k]) for k in RANK_METRICS)])
    return rows


def misses(report: Mapping[str, Any], system: str = "hybrid") -> list[list[str]]:
    """Answerable items with no relevant chunk in the top k: the first place to look when tuning."""
    out = []
    for r in report["items"]:
        ret = r["retrieval"].get(system)
        if r["answerable"] and ret and not any(ret["relevant"]):
            base = r["retrieval"].get(BASELINE, {}).get("first_relevant")
            out.append([r["id"], r["lang"], r["type"], "—" if base is None else str(base), r["question"]])
    return out


# --- plots -------------------------------------------------------------------------------


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_recall_curves(report: Mapping[str, Any]) -> str | None:
    """Recall@k for k = 1..10, one panel per language (plus all), one line per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    retrieval = report["retrieval"]
    if not retrieval:
        return None
    first = next(iter(retrieval.values()))
    panels = [("all", "all")] + [(lang, lang) for lang in first.get("by_lang", {})]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), sharey=True, squeeze=False)
    for ax, (label, key) in zip(axes[0], panels, strict=True):
        for system, groups in retrieval.items():
            m = groups["all"] if key == "all" else groups["by_lang"].get(key)
            if not m:
                continue
            curve = [float("nan") if v is None else v for v in m["recall_curve"]]
            style = "--" if system == BASELINE else "-"
            ax.plot(range(1, len(curve) + 1), curve, style, marker="o", ms=3, label=system)
        n = (first["all"] if key == "all" else first["by_lang"][key])["n"]
        ax.set_title(f"recall@k: {label} (n={n})")
        ax.set_xlabel("k")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("recall")
    axes[0][-1].legend(loc="lower right", fontsize=8)
    out = _png(fig)
    plt.close(fig)
    return out


def plot_latency(
    report: Mapping[str, Any], samples: Mapping[str, Mapping[str, Sequence[float]]]
) -> str | None:
    """Histograms: search latency per system, and each answer stage (ours and baseline)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [(g, stages) for g, stages in samples.items() if any(stages.values())]
    if not groups:
        return None
    import numpy as np

    fig, axes = plt.subplots(1, len(groups), figsize=(4.6 * len(groups), 3.2), squeeze=False)
    for ax, (group, stages) in zip(axes[0], groups, strict=True):
        every = [max(v, 0.01) for values in stages.values() for v in values]
        # log-spaced bins: stage times span 0.01 ms to seconds, and the tail is what matters
        bins = np.logspace(np.log10(min(every)), np.log10(max(every) * 1.01), 30)
        for stage, values in stages.items():
            if values:
                ax.hist([max(v, 0.01) for v in values], bins=bins, alpha=0.5, label=stage)
        ax.set_xscale("log")
        ax.set_title(f"{group} latency")
        ax.set_xlabel("ms (log scale)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    out = _png(fig)
    plt.close(fig)
    return out


# --- writers -----------------------------------------------------------------------------


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _title(report: Mapping[str, Any]) -> str:
    meta = report["meta"]
    gen = meta["generator"] or "retrieval only"
    return (
        f"set `{meta.get('set', 'v1')}`, split `{meta['split']}`, {meta['n_items']} items ({meta['n_answerable']} answerable), "
        f"embedder `{meta['embedder']}`, answers: {gen}, runtime {meta['runtime_s']:.0f}s"
    )


def _gate_lines(gate: Mapping[str, Any] | None) -> list[str]:
    if not gate:
        return ["Gate not evaluated (--no-gate)."]
    head = f"**Gate ({gate['split']}): {'PASSED' if gate['passed'] else 'FAILED'}**"
    lines = [head, ""]
    lines += [f"- FAILED {f}" for f in gate["failures"]]
    lines += [f"- skipped {s}" for s in gate["skipped"]]
    return lines


def _near_miss_lines(report: Mapping[str, Any]) -> list[str]:
    answers = report.get("answers") or {}
    by = (answers.get("ours") or {}).get("all", {}).get("refusal_by_near_miss") or {}
    if not by:
        return []
    return ["", "Refusal accuracy by near-miss kind: " + ", ".join(f"{k} {fmt(v)}" for k, v in by.items())]


SIDE_BY_SIDE_RETRIEVAL = ("recall@5", "mrr@10")


def side_by_side_rows(reports: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """``[metric, value per split...]``: our answers and hybrid retrieval, dev next to test."""
    splits = list(reports)
    rows: list[list[str]] = []

    def ours(r: Mapping[str, Any]) -> Mapping[str, Any]:
        return ((r.get("answers") or {}).get("ours") or {}).get("all") or {}

    for key in SIDE_BY_SIDE_RETRIEVAL:
        vals = [reports[s]["retrieval"].get("hybrid", {}).get("all", {}).get(key) for s in splits]
        rows.append([f"hybrid {key}", *(fmt(v) for v in vals)])
    for key in ANSWER_METRICS:
        vals = [ours(reports[s]).get(key) for s in splits]
        if any(v is not None for v in vals):
            rows.append([ANSWER_LABELS.get(key, key), *(fmt(v) for v in vals)])
    kinds = sorted({k for s in splits for k in (ours(reports[s]).get("refusal_by_near_miss") or {})})
    for kind in kinds:
        vals = [(ours(reports[s]).get("refusal_by_near_miss") or {}).get(kind) for s in splits]
        rows.append([f"refusal accuracy · {kind}", *(fmt(v) for v in vals)])
    counts = [
        f"{r['meta']['n_items']} items"
        + (f", {ours(r).get('n_unanswerable', 0)} unanswerable" if ours(r) else "")
        for r in reports.values()
    ]
    rows.append(["items", *counts])
    return rows


def render_side_by_side(reports: Mapping[str, Mapping[str, Any]]) -> str:
    first = next(iter(reports.values()))["meta"]
    head = f"# Evaluation: set `{first.get('set', 'v1')}`, answers {first['generator'] or 'skipped'}, dev and test side by side"
    lines = [head, "", _md_table(["metric", *reports], side_by_side_rows(reports)), ""]
    for split, r in reports.items():
        lines += _gate_lines(r.get("gate")) if r.get("gate") else [f"Gate ({split}) not evaluated."]
        lines.append("")
    return "\n".join(lines)


def render_markdown(report: Mapping[str, Any]) -> str:
    meta = report["meta"]
    parts = [
        "# Evaluation report",
        "",
        _title(report),
        "",
        "## Ours vs baseline (measured in the same run)",
        "",
        _md_table(["metric", *COLUMNS], comparison_rows(report)),
        *_near_miss_lines(report),
        "",
        *_gate_lines(report.get("gate")),
        "",
        "## Retrieval by language and script",
        "",
        _md_table(["system", "scope", "n", *RANK_METRICS], _retrieval_breakdown_rows(report)),
    ]
    if report.get("answers"):
        parts += [
            "",
            "## Answers by language",
            "",
            _md_table(["system", "lang", "n", *ANSWER_METRICS], _answer_breakdown_rows(report)),
        ]
    parts += [
        "",
        "## Latency (ms)",
        "",
        _md_table(["group", "stage", "n", "p50", "p95", "mean"], _latency_rows(report)),
        "",
        f"Baseline: {meta['baseline']['chunks']} chunks; evidence ceiling "
        f"(answerable items whose evidence is inside some baseline chunk) {fmt(meta['baseline']['evidence_ceiling'])}.",
        "",
        "## Hybrid misses (no relevant chunk in the top 10)",
        "",
        _md_table(["id", "lang", "type", "baseline rank", "question"], misses(report))
        if misses(report)
        else "None.",
        "",
        "## Notes",
        "",
        *([f"- {n}" for n in report.get("notes", [])] or ["- none"]),
        "",
        "## Definitions",
        "",
        *[f"- {d}" for d in DEFINITIONS],
        "",
    ]
    return "\n".join(parts)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Mapping[str, Any], samples: Mapping[str, Mapping[str, Sequence[float]]]) -> str:
    recall_png = plot_recall_curves(report)
    latency_png = plot_latency(report, samples)
    gate = report.get("gate")
    gate_html = "<p>Gate not evaluated (--no-gate).</p>"
    if gate:
        cls = "pass" if gate["passed"] else "fail"
        items = "".join(f"<li>FAILED {html.escape(f)}</li>" for f in gate["failures"])
        items += "".join(f"<li>skipped {html.escape(s)}</li>" for s in gate["skipped"])
        gate_html = f"<p class='{cls}'>Gate ({gate['split']}): {'PASSED' if gate['passed'] else 'FAILED'}</p><ul>{items}</ul>"
    imgs = "".join(
        f"<h2>{title}</h2><img alt='{title}' src='data:image/png;base64,{png}'>"
        for title, png in (("Recall@k per language", recall_png), ("Latency", latency_png))
        if png
    )
    answers = ""
    if report.get("answers"):
        answers = "<h2>Answers by language</h2>" + _html_table(
            ["system", "lang", "n", *ANSWER_METRICS], _answer_breakdown_rows(report)
        )
    miss = misses(report)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation report: {html.escape(report["meta"]["split"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.pass {{ color: #186a18; font-weight: bold; }} .fail {{ color: #b00020; font-weight: bold; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>Evaluation report</h1>
<p>{html.escape(_title(report))}</p>
<h2>Ours vs baseline (measured in the same run)</h2>
{_html_table(["metric", *COLUMNS], comparison_rows(report))}
{gate_html}
{imgs}
<h2>Retrieval by language and script</h2>
{_html_table(["system", "scope", "n", *RANK_METRICS], _retrieval_breakdown_rows(report))}
{answers}
<h2>Latency (ms)</h2>
{_html_table(["group", "stage", "n", "p50", "p95", "mean"], _latency_rows(report))}
<h2>Hybrid misses (no relevant chunk in the top 10)</h2>
{_html_table(["id", "lang", "type", "baseline rank", "question"], miss) if miss else "<p>None.</p>"}
<h2>Notes</h2><ul>{"".join(f"<li>{html.escape(n)}</li>" for n in report.get("notes", [])) or "<li>none</li>"}</ul>
<h2>Definitions</h2><ul>{"".join(f"<li>{html.escape(d)}</li>" for d in DEFINITIONS)}</ul>
</body></html>
"""


def write_reports(report: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.html into ``out_dir``; returns their paths."""
    from eval.harness import latency_samples

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / f"report.{name}" for name in ("json", "md", "html")}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report, latency_samples(report["items"])), encoding="utf-8")
    return paths
