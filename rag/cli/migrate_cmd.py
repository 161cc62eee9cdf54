"""`rag migrate`: copy the index between stores (FAISS files ↔ Milvus) with its vectors."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.cli._app import app, console, err_console, fail, write_json_line
from rag.config import Settings
from rag.errors import RagError
from rag.store.factory import STORES, make_store, store_exists


def _describe(settings: Settings) -> str:
    if settings.store == "milvus":
        return f"milvus ({settings.milvus_location}, collection {settings.milvus_collection}, corpus {settings.milvus_corpus})"
    return f"faiss ({settings.index_dir})"


@app.command()
def migrate(
    to: str = typer.Option(..., "--to", help=f"Destination store: {' | '.join(STORES)}"),
    from_: str = typer.Option(None, "--from", help="Source store (default: the other one)"),
    replace: bool = typer.Option(False, "--replace", help="Overwrite an index already at the destination"),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Copy the index to another store without re-embedding (then set RAG_STORE to the destination).

    Source and destination use the same settings otherwise (RAG_INDEX_DIR, RAG_MILVUS_*). The
    source is left as it was."""
    to = to.strip().lower()
    if to not in STORES:
        fail(f"--to must be one of {', '.join(STORES)}, not {to!r}")
    source_kind = (from_ or next(s for s in STORES if s != to)).strip().lower()
    if source_kind not in STORES:
        fail(f"--from must be one of {', '.join(STORES)}, not {from_!r}")
    if source_kind == to:
        fail("--from and --to name the same store")
    base = Settings()
    src_settings = base.model_copy(update={"store": source_kind})
    dst_settings = base.model_copy(update={"store": to})

    from rag.ingest.migrate import MigrationError, copy_store

    try:
        if not store_exists(src_settings):
            fail(f"no index to migrate in {_describe(src_settings)}; run `rag ingest` first")
        if store_exists(dst_settings) and not replace:
            fail(f"{_describe(dst_settings)} already holds an index; pass --replace to overwrite it")
        source = make_store(src_settings)
        source.load()
        dest = make_store(dst_settings)
        with Progress(
            TextColumn("copying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=json_out,
        ) as progress:
            task = progress.add_task("copy", total=None)
            report = copy_store(
                source,
                dest,
                on_total=lambda n: progress.update(task, total=n),
                on_progress=lambda n: progress.advance(task, n),
            )
    except (RagError, MigrationError, ValueError) as exc:
        fail(str(exc))
    if json_out:
        write_json_line({"from": source_kind, "to": to, **report.to_dict()})
        return
    console.print(
        f"copied {report.documents} documents, {report.chunks} chunks from {_describe(src_settings)} "
        f"to {_describe(dst_settings)} in {report.seconds:.1f}s (vectors copied, nothing re-embedded).\n"
        f"Use it with RAG_STORE={to}.",
        highlight=False,
    )
