"""Answer commands: ``rag ask`` (one question, or a batch) and ``rag chat`` (an interactive REPL).

Results go to stdout, diagnostics (warnings, unsupported sentences, progress) to stderr, so
``--json`` output and piped chat transcripts stay clean. Every ``RagError`` becomes a one-line
message and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.text import Text

from rag.answer.chain import MAX_K
from rag.answer.citations import display_quote
from rag.answer.generators import GENERATORS
from rag.assistant import Assistant
from rag.cli._app import app, console, err_console, fail, write_json_line
from rag.config import Settings
from rag.errors import RagError
from rag.store.factory import store_exists
from rag.types import Answer, Hit

CHAT_HELP = (
    "Commands: /sources [N] shows passage N in full, /reset clears the history, /quit exits (or Ctrl-D)."
)
MAX_HISTORY_TURNS = 6  # question/answer pairs kept for follow-up rewriting


def _ready_assistant(*, quiet: bool) -> Assistant:
    """The assistant with an index: one is built from the corpus when none exists yet."""
    assistant = Assistant(Settings())
    try:
        if not quiet and not store_exists(assistant.settings):
            err_console.print(f"no index yet: indexing {assistant.settings.corpus_dir} …", highlight=False)
        assistant.ensure_index()
    except RagError as exc:
        fail(str(exc))
    return assistant


def _check_options(generator: str | None, k: int | None) -> None:
    """Cheap checks before the index and the embedder load (a typo should fail in a second)."""
    if generator is not None and generator.strip().lower() not in (*GENERATORS, "llama-cpp", "llama_cpp"):
        fail(f"unknown generator {generator!r}; valid generators: {', '.join(GENERATORS)}")
    if k is not None and not 1 <= k <= MAX_K:
        fail(f"k must be between 1 and {MAX_K}, got {k}")


def _read_lines(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read batch file {path}: {exc.strerror or exc}")
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- human-readable output -------------------------------------------------------------


def print_sources(answer: Answer) -> None:
    """Numbered sources under an answer: title, section, location, and the verbatim quote."""
    if not answer.citations:
        return
    console.print()
    console.print(Text("Closest passages" if answer.refused else "Sources", style="bold"))
    for c in answer.citations:
        head = Text(f"[{c.n}] ", style="bold cyan")
        head.append(f"《{c.title or c.source}》")
        if c.section:
            head.append(f" — {c.section}", style="dim")
        head.append(f"  ({c.source}:{c.start}-{c.end})", style="dim")
        console.print(head, soft_wrap=True)
        console.print(Text(f"    “{display_quote(c.quote)}”", style="green"), soft_wrap=True)


def print_diagnostics(answer: Answer) -> None:
    for s in answer.sentences:
        if not s.supported and not answer.refused:
            err_console.print(
                Text(f"unsupported: {s.text.strip()} ({'; '.join(s.reasons)})", style="yellow"),
                soft_wrap=True,
            )
    for w in answer.warnings:
        err_console.print(Text(f"warning: {w}", style="yellow"), soft_wrap=True)


def print_answer(answer: Answer) -> None:
    console.print(Text(answer.answer, style="bold" if answer.refused else ""), soft_wrap=True)
    print_sources(answer)
    print_diagnostics(answer)


def print_passage(n: int, hit: Hit) -> None:
    c = hit.chunk
    head = Text(f"[{n}] ", style="bold cyan")
    head.append(f"《{c.title or c.source}》")
    if c.section:
        head.append(f" — {c.section}", style="dim")
    console.print(head, soft_wrap=True)
    console.print(Text(f"{c.source}  [{c.start}, {c.end})  {c.chunk_id}", style="dim"), soft_wrap=True)
    console.print(Text(c.text), soft_wrap=True)


# --- ask -------------------------------------------------------------------------------


@app.command()
def ask(
    question: str = typer.Argument(None, help="The question (中文 or English); omit with --batch"),
    json_out: bool = typer.Option(False, "--json", help="Print the answer object as JSON"),
    generator: str = typer.Option(None, "--generator", "-g", help="extractive | openai | llamacpp"),
    k: int = typer.Option(None, "-k", help="Passages given to the generator (1-20)"),
    batch: str = typer.Option(None, "--batch", help="A file with one question per line ('-' = stdin)"),
) -> None:
    """Answer a question from the documents, with verified citations (or say they do not contain it)."""
    if batch is None and (question is None or not question.strip()):
        fail("give a QUESTION (it is empty), or --batch FILE")
    if batch is not None and question:
        fail("give either a QUESTION or --batch FILE, not both")
    _check_options(generator, k)
    questions = _read_lines(batch) if batch is not None else [question]
    assistant = _ready_assistant(quiet=json_out)
    errors = 0
    for i, q in enumerate(questions):
        try:
            answer = assistant.ask(q, k=k, generator=generator)
        except RagError as exc:
            if batch is None:
                fail(str(exc))
            errors += 1
            if json_out:
                write_json_line({"question": q, "error": str(exc), "kind": exc.kind})
            else:
                err_console.print(Text(f"error: {q}: {exc}", style="red"), soft_wrap=True)
            continue
        if json_out:
            write_json_line(answer.to_dict())
        else:
            if batch is not None:
                if i:
                    console.rule()
                console.print(Text(f"Q: {q}", style="bold magenta"), soft_wrap=True)
            print_answer(answer)
    if errors:
        raise typer.Exit(1)


# --- chat ------------------------------------------------------------------------------


def _stream_answer(
    assistant: Assistant, question: str, k: int | None, generator: str | None, history: list
) -> Answer:
    streamed: list[str] = []
    final: Answer | None = None
    for item in assistant.stream(question, k=k, generator=generator, history=history):
        if isinstance(item, Answer):
            final = item
        else:
            streamed.append(item)
            sys.stdout.write(item)
            sys.stdout.flush()
    sys.stdout.write("\n")
    sys.stdout.flush()
    assert final is not None
    if final.answer.strip() != "".join(streamed).strip():
        # Verification changed the text (a removed marker, a refusal, a fallback): show what stands.
        err_console.print(Text("(revised after verification)", style="yellow"))
        console.print(Text(final.answer), soft_wrap=True)
    return final


def _command(line: str, last: Answer | None, history: list) -> bool:
    """Handle a /command; False means quit."""
    cmd, _, arg = line.partition(" ")
    cmd = cmd.lower()
    if cmd in ("/quit", "/exit", "/q"):
        return False
    if cmd == "/reset":
        history.clear()
        err_console.print("history cleared")
    elif cmd in ("/sources", "/source", "/s"):
        if last is None or not last.passages:
            err_console.print("no passages yet: ask a question first")
        elif not arg.strip():
            for n, hit in enumerate(last.passages, 1):
                c = hit.chunk
                console.print(Text(f"[{n}] 《{c.title or c.source}》 {c.section}".rstrip()), soft_wrap=True)
        elif not arg.strip().isdigit() or not 1 <= int(arg) <= len(last.passages):
            err_console.print(f"usage: /sources N with N between 1 and {len(last.passages)}")
        else:
            print_passage(int(arg), last.passages[int(arg) - 1])
    elif cmd == "/help":
        err_console.print(CHAT_HELP)
    else:
        err_console.print(f"unknown command {cmd}. {CHAT_HELP}")
    return True


@app.command()
def chat(
    generator: str = typer.Option(None, "--generator", "-g", help="extractive | openai | llamacpp"),
    k: int = typer.Option(None, "-k", help="Passages given to the generator (1-20)"),
) -> None:
    """Interactive questions and follow-ups, with streamed answers and numbered sources."""
    _check_options(generator, k)
    assistant = _ready_assistant(quiet=False)
    history: list[dict[str, str]] = []
    last: Answer | None = None
    err_console.print(f"Ask about the documents (中文 / English). {CHAT_HELP}", highlight=False)
    while True:
        sys.stderr.write("\n> ")
        sys.stderr.flush()
        try:
            line = input()
        except EOFError:
            sys.stderr.write("\n")
            break
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            break
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            if not _command(line, last, history):
                break
            continue
        try:
            answer = _stream_answer(assistant, line, k, generator, history)
        except RagError as exc:
            sys.stdout.write("\n")
            err_console.print(Text(f"error: {exc}", style="red"), soft_wrap=True)
            continue
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            err_console.print("(interrupted)")
            continue
        print_sources(answer)
        print_diagnostics(answer)
        last = answer
        history.extend([{"role": "user", "content": line}, {"role": "assistant", "content": answer.answer}])
        del history[: max(0, len(history) - 2 * MAX_HISTORY_TURNS)]
