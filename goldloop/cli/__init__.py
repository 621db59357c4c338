"""The ``goldloop`` command. Every MCP tool is also a subcommand; logic lives in goldloop/.

Exit codes: 0 success; 1 unexpected failure (a bug: traceback shown); 2 a problem you can fix
(the message says what and how); ``goldloop validate`` adds 1 = warnings only, 3 = errors.
"""

from __future__ import annotations

import importlib
import sys

import typer

from goldloop.cli import common
from goldloop.errors import GoldloopError

app = typer.Typer(
    name="goldloop",
    help="Run an ML research loop: design → data → notebook → Kaggle → gates → improve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each module has ``register(app)``; later capabilities add their module here.
COMMAND_MODULES = (
    "workspace_cmds",
    "state_cmds",
    "gates_cmds",
    "knowledge_cmds",
    "validate_cmds",
    "kaggle_cmds",
    "data_cmds",
    "notebook_cmds",
    "run_cmd",
    "attempts_cmd",
    "project_cmd",
)


@app.callback()
def _root(
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Workspace folder (default: GOLDLOOP_WORKSPACE, "
        "CLAUDE_PROJECT_DIR, or the nearest goldloop.toml above the current folder)."
    ),
) -> None:
    common.OPTIONS.workspace = workspace


def build_app() -> typer.Typer:
    for name in COMMAND_MODULES:
        importlib.import_module(f"goldloop.cli.{name}").register(app)
    return app


def _utf8_stdio() -> None:
    """Print UTF-8 whatever the locale: a Windows pipe (cp1252 / cp932) or a C locale would
    otherwise crash on the first '×' or '✓' of a table."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and callable(getattr(stream, "reconfigure", None)):
            stream.reconfigure(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    build_app()
    try:
        app(args=argv, standalone_mode=False)
    except GoldloopError as exc:
        common.print_error(exc)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Usage errors from typer's (vendored) click: duck-typed, as the class moved between versions.
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return 2
        raise
    return common.OPTIONS.exit_code


if __name__ == "__main__":
    sys.exit(main())
