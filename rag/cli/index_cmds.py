"""Index commands: ingest, search, docs, remove."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from rag.assistant import Assistant
from rag.cli._app import app, console, err_console, fail, write_json_line
from rag.config import Settings
from rag.errors import IndexMismatchError, IndexMissingError, RagError
from rag.types import Hit


def _assistant() -> Assistant:
    return Assistant(Settings())


def _read_batch(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read batch file {path}: {exc.strerror or exc}")
    return [line.strip() for line in text.splitlines() if line.strip()]


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: the corpus dir, seeds/)"),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and build it again from scratch"),
    rebuild_if_stale: bool = typer.Option(
        False,
        "--rebuild-if-stale",
        help="Rebuild when the index was made by another embedder or pipeline version",
    ),
    sync: bool = typer.Option(
        False,
        "--sync",
        help="Make the index match the corpus folder: index new or changed files, drop documents whose file is gone",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Add documents to the index (unchanged files are skipped; changed ones replace their chunks)."""
    assistant = _assistant()
    started = time.perf_counter()
    if rebuild_if_stale and not rebuild:
        try:
            _ = assistant.index
        except IndexMismatchError as exc:
            err_console.print(f"[yellow]rebuilding:[/] {exc}", highlight=False)
            rebuild = True
        except IndexMissingError:
            pass
    try:
        with Progress(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files  {task.fields[chunks]} chunks  {task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=json_out,
        ) as progress:
            task = progress.add_task("ingest", total=None, chunks=0, rate="")
            done = {"chunks": 0}

            def chunks_done(n: int) -> None:
                done["chunks"] += n
                seconds = time.perf_counter() - started
                rate = f"{done['chunks'] / seconds:.0f} chunks/s" if seconds > 0 else ""
                progress.update(task, chunks=done["chunks"], rate=rate)

            report = assistant.ingest(
                list(paths) if paths else None,
                rebuild=rebuild,
                sync=sync,
                on_total=lambda n: progress.update(task, total=n),
                on_progress=lambda n: progress.advance(task, n),
                on_chunks=chunks_done,
            )
    except RagError as exc:
        fail(str(exc))
    elapsed = time.perf_counter() - started
    if json_out:
        write_json_line({**report.to_dict(), "total_seconds": round(elapsed, 3)})
    else:
        for _path, reason in report.skipped:
            err_console.print(f"[yellow]skipped[/] {reason}", highlight=False)
        console.print(
            f"[bold]{len(report.added)}[/] added, [bold]{len(report.updated)}[/] updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
            f"{f', {len(report.removed)} removed (file gone)' if sync else ''}; "
            f"{report.chunks} chunks in {elapsed:.1f}s "
            f"(index: {assistant.index.stats().documents} documents, {len(assistant.index)} chunks)"
        )
    if report.skipped and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


def _print_hits(query: str, hits: list[Hit]) -> None:
    table = Table(title=f"{query}", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("source / section")
    table.add_column("text")
    for h in hits:
        snippet = h.chunk.text if len(h.chunk.text) <= 240 else h.chunk.text[:240] + "…"
        table.add_row(
            str(h.rank),
            f"{h.score:.4f}",
            f"{h.chunk.source} [{h.chunk.start}:{h.chunk.end}]\n{h.chunk.section}",
            snippet,
        )
    console.print(table)


@app.command()
def search(
    query: str = typer.Argument(None, help="The query (omit with --batch)"),
    k: int = typer.Option(10, "-k", "--k", help="Number of hits (1-100)"),
    json_out: bool = typer.Option(False, "--json", help="Print JSON"),
    batch: str = typer.Option(None, "--batch", help="File with one query per line ('-' for stdin)"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | dense | keyword"),
) -> None:
    """Search the index (hybrid dense + keyword)."""
    if (query is None) == (batch is None):
        fail("give either a QUERY or --batch FILE")
    queries = _read_batch(batch) if batch else [query]
    assistant = _assistant()
    try:
        assistant.ensure_index()
        for q in queries:
            hits = assistant.search(q, k, mode)
            if json_out:
                write_json_line({"query": q, "hits": [h.to_dict() for h in hits]})
            else:
                _print_hits(q, hits)
    except RagError as exc:
        fail(str(exc))


@app.command()
def docs(json_out: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """List the documents in the index with their chunk counts."""
    try:
        assistant = _assistant()
        documents = assistant.documents()
        stats = assistant.index.stats()
    except RagError as exc:
        fail(str(exc))
    store = {
        "store": stats.store,
        "keyword_engine": stats.keyword_engine,
        "chunks": stats.chunks,
        "generation": stats.generation,
        **stats.extra,
    }
    if json_out:
        write_json_line({"documents": documents, "store": store})
        return
    where = stats.extra.get("uri") or str(assistant.settings.index_dir)
    table = Table(
        title="documents",
        caption=f"store: {stats.store} ({where}), keyword search: {stats.keyword_engine}, {stats.chunks} chunks",
    )
    for col in ("source", "title", "chunks"):
        table.add_column(col)
    for d in documents:
        table.add_row(d["source"], d["title"], str(d["chunks"]))
    console.print(table)


@app.command()
def remove(source: str = typer.Argument(..., help="The source as `rag docs` lists it")) -> None:
    """Drop one document (its vectors, keyword entries and chunks) from the index."""
    try:
        n = _assistant().remove(source)
    except RagError as exc:
        fail(str(exc))
    console.print(f"removed {source} ({n} chunks)")


@app.command()
def compact(json_out: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Merge the index's segments into one and drop removed chunks (the index stays searchable meanwhile)."""
    try:
        report = _assistant().compact()
    except RagError as exc:
        fail(str(exc))
    if json_out:
        write_json_line(report)
    else:
        console.print(
            f"compacted: {report['segments_before']} segments → {report['segments_after']} in {report['seconds']}s"
        )


@app.command()
def status(json_out: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """The index (store, generation, segments) and how the corpus folder differs from it."""
    assistant = _assistant()
    try:
        stats = assistant.index.stats().to_dict()
        drift = assistant.reconcile()
    except RagError as exc:
        fail(str(exc))
    if json_out:
        write_json_line({"index": stats, "corpus": drift})
        return
    console.print(
        f"{stats['store']} store, generation {stats['generation']}: {stats['documents']} documents, "
        f"{stats['chunks']} chunks in {len(stats['extra'].get('segments', []))} segments"
    )
    for key, label in (
        ("unindexed", "on disk, not indexed"),
        ("changed", "changed since indexed"),
        ("missing", "indexed, file gone"),
    ):
        for source in drift[key]:
            console.print(f"  {label}: {source}", highlight=False)
    if any(drift.values()):
        console.print("run `rag ingest --sync` to make the index match the corpus folder")
