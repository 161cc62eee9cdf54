"""The typer app and the helpers every command shares (console, error exit)."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    help="Bilingual (中文/English) question answering with verified citations over S&T policy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()  # stdout: results
err_console = Console(stderr=True)  # diagnostics


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a user-facing error on stderr and exit non-zero (never a stack trace)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def write_json_line(obj: object) -> None:
    import json

    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
