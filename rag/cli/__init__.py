"""The ``rag`` command: a thin shell over ``rag.assistant.Assistant``. One module per command group."""

from rag.cli import answer_cmds, eval_cmd, index_cmds, migrate_cmd, serve_cmd  # noqa: F401  (registers commands)
from rag.cli._app import app

__all__ = ["app"]
