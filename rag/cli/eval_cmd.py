"""``rag eval``: run the gold set through our system and the baseline, report, and gate."""

from __future__ import annotations

import tomllib
from pathlib import Path

import typer
from rich.table import Table

from rag.cli._app import app, console, err_console, fail

REPO_ROOT = Path(__file__).resolve().parents[2]


@app.command("eval")
def eval_command(
    splits: list[str] = typer.Option(
        ["test"],
        "--split",
        help="Gold split: dev (tune on it) or test (report on it); repeat for both, side by side",
    ),
    gold_set: str = typer.Option(
        "v1", "--set", help="Gold set: v1 (eval/gold/) or blind (eval/gold/blind/, questions in other words)"
    ),
    generator: str | None = typer.Option(
        None, "--generator", help="Answer generator (default: configured one)"
    ),
    retrieval_only: bool = typer.Option(False, "--retrieval-only", help="Skip answer metrics (fast)"),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Report directory (default: eval/reports/<split>/, blind: eval/reports/blind/<split>/)",
    ),
    no_gate: bool = typer.Option(False, "--no-gate", help="Report only; never exit non-zero on thresholds"),
    thresholds: Path | None = typer.Option(
        None, "--thresholds", help="Gate file (default: eval/thresholds.toml)"
    ),
    only: list[str] | None = typer.Option(
        None, "--only", help="Evaluate just this gold id (repeatable; debugging)"
    ),
    rebuild_index: bool = typer.Option(
        False,
        "--rebuild-index",
        help="Rebuild the index first if it was made by other cleaning/chunking code",
    ),
) -> None:
    """Evaluate retrieval and answers on the gold set, ours vs the LangChain baseline, and gate on thresholds."""
    from eval.gold import SPLITS, GoldError
    from eval.harness import GOLD_SETS, EvalConfig, load_thresholds, run_eval
    from eval.report import render_side_by_side
    from rag.errors import IndexMismatchError, RagError

    splits = list(dict.fromkeys(splits))
    for split in splits:
        if split not in SPLITS:
            fail(f"--split must be one of {sorted(SPLITS)}, not {split!r}")
    if gold_set not in GOLD_SETS:
        fail(f"--set must be one of {sorted(GOLD_SETS)}, not {gold_set!r}")
    if out is not None and len(splits) > 1:
        fail("--out takes one split; with several, reports go to eval/reports/[blind/]<split>/")
    base = REPO_ROOT / "eval" / "reports" / ("blind" if gold_set == "blind" else "")

    gate_spec = None
    if not no_gate:  # read before the run: a broken gate file should not cost a full evaluation
        try:
            gate_spec = load_thresholds(thresholds) if thresholds else load_thresholds()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            fail(f"cannot read thresholds {thresholds or 'eval/thresholds.toml'}: {exc}")
        if gold_set != "v1":  # the blind set's minimums live in [blind.dev] / [blind.test]
            gate_spec = {"gate": gate_spec.get("gate", {}), **gate_spec.get(gold_set, {})}

    def log(msg: str) -> None:
        err_console.print(f"[dim]{msg}[/]", highlight=False)

    reports = {}
    assistant = None
    failed: list[str] = []
    for split in splits:
        config = EvalConfig(
            split=split,
            gold_set=gold_set,
            generator=generator,
            retrieval_only=retrieval_only,
            ids=only or None,
            rebuild_on_mismatch=rebuild_index,
        )
        try:
            if assistant is None:
                from eval.harness import build_assistant

                assistant = build_assistant(rebuild_on_mismatch=rebuild_index)
            report = run_eval(config, assistant=assistant, log=log)
        except IndexMismatchError as exc:
            fail(f"{exc}; or run `rag eval --rebuild-index`")
        except (RagError, GoldError, ValueError, FileNotFoundError) as exc:
            fail(str(exc))
        reports[split] = report
        _show(report, out or base / split, gate_spec)
        gate = report.get("gate")
        if gate is not None and not gate["passed"]:
            failed.append(f"{gold_set}/{split}: " + "; ".join(gate["failures"]))
    if len(reports) > 1:
        path = base / "side_by_side.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_side_by_side(reports), encoding="utf-8")
        console.print(f"dev and test side by side: {path}", highlight=False)
    if failed:
        fail(
            "evaluation gate failed on "
            + " | ".join(failed)
            + f" (thresholds in {thresholds or 'eval/thresholds.toml'})"
        )


def _show(report: dict, out_dir: Path, gate_spec: dict | None) -> None:
    from eval.harness import check_gate
    from eval.report import COLUMNS_SHORT, comparison_rows, write_reports

    meta = report["meta"]
    split = meta["split"]
    answers_run = not meta["retrieval_only"]
    if gate_spec is not None:
        report["gate"] = check_gate(
            report["metrics"], gate_spec, split, answers_run=answers_run, generator=meta["generator"]
        )
    paths = write_reports(report, out_dir)
    table = Table(
        title=f"rag eval · {meta.get('set', 'v1')} {split} · {meta['n_items']} items · embedder {meta['embedder']} · "
        f"answers: {meta['generator'] or 'skipped'} · {meta['runtime_s']:.0f}s\n"
        "ours = hybrid/dense/keyword; baseline = LangChain splitter + FAISS, dense only",
        title_justify="left",
    )
    table.add_column("metric", no_wrap=True)
    for col in COLUMNS_SHORT:
        table.add_column(col, justify="right")
    for row in comparison_rows(report, full=False):
        table.add_row(*row)
    console.print(table)
    for note in report["notes"]:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"reports: {paths['md']}  {paths['html']}  {paths['json']}", highlight=False)
    gate = report.get("gate")
    if gate is None:
        return
    for skipped in gate["skipped"]:
        console.print(f"[dim]gate skipped {skipped}[/]", highlight=False)
    if gate["passed"]:
        console.print(f"[green]gate passed[/] ({len(gate['checks'])} checks on {split})")
