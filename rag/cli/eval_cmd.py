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
    split: str = typer.Option("test", "--split", help="Gold split: dev (tune on it) or test (report on it)"),
    generator: str | None = typer.Option(
        None, "--generator", help="Answer generator (default: configured one)"
    ),
    retrieval_only: bool = typer.Option(False, "--retrieval-only", help="Skip answer metrics (fast)"),
    out: Path | None = typer.Option(None, "--out", help="Report directory (default: eval/reports/<split>/)"),
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
    from eval.harness import EvalConfig, check_gate, load_thresholds, run_eval
    from eval.report import COLUMNS_SHORT, comparison_rows, write_reports
    from rag.errors import IndexMismatchError, RagError

    if split not in SPLITS:
        fail(f"--split must be one of {sorted(SPLITS)}, not {split!r}")
    out_dir = out or REPO_ROOT / "eval" / "reports" / split
    config = EvalConfig(
        split=split,
        generator=generator,
        retrieval_only=retrieval_only,
        ids=only or None,
        rebuild_on_mismatch=rebuild_index,
    )

    gate_spec = None
    if not no_gate:  # read before the run: a broken gate file should not cost a full evaluation
        try:
            gate_spec = load_thresholds(thresholds) if thresholds else load_thresholds()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            fail(f"cannot read thresholds {thresholds or 'eval/thresholds.toml'}: {exc}")

    def log(msg: str) -> None:
        err_console.print(f"[dim]{msg}[/]", highlight=False)

    try:
        report = run_eval(config, log=log)
    except IndexMismatchError as exc:
        fail(f"{exc}; or run `rag eval --rebuild-index`")
    except (RagError, GoldError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    answers_run = not report["meta"]["retrieval_only"]
    if gate_spec is not None:
        report["gate"] = check_gate(
            report["metrics"],
            gate_spec,
            split,
            answers_run=answers_run,
            generator=report["meta"]["generator"],
        )
    paths = write_reports(report, out_dir)

    meta = report["meta"]
    table = Table(
        title=f"rag eval · {split} · {meta['n_items']} items · embedder {meta['embedder']} · "
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
    if not gate["passed"]:
        fail(
            f"evaluation gate failed on {split}: "
            + "; ".join(gate["failures"])
            + f" (thresholds in {thresholds or 'eval/thresholds.toml'})"
        )
    console.print(f"[green]gate passed[/] ({len(gate['checks'])} checks on {split})")
