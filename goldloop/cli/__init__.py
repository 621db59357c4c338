"""The ``goldloop`` command. Every MCP tool is also a subcommand; logic lives in goldloop/.

Exit codes: 0 success; 1 unexpected failure (a bug: traceback shown); 2 a problem you can fix
(the message says what and how); ``goldloop validate`` adds 1 = warnings only, 3 = errors.
"""

from __future__ import annotations

import importlib
import shlex
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
    "status_cmd",
)


def _print_versions(value: bool) -> None:
    if value:
        from goldloop.versions import versions

        found = versions()
        print(f"goldloop {found.pop('goldloop')}")
        for name, version in found.items():
            print(f"  {name} {version}")
        raise typer.Exit()


@app.callback()
def _root(
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Workspace folder (default: GOLDLOOP_WORKSPACE, "
        "CLAUDE_PROJECT_DIR, or the nearest goldloop.toml above the current folder)."
    ),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_versions,
                                 help="Print the versions of goldloop, kaggle, xgboost, pandas and Python."),
) -> None:
    common.OPTIONS.workspace = workspace


def _flags_as_flags() -> None:
    """Help lists `--json`, not `--json <bool>`: typer 0.29's rich help prints a type for every
    option, flags included, which reads as if the flag took a value (tests/foundation/test_messages.py)."""
    from typer.core import TyperOption

    if getattr(TyperOption, "_goldloop_flags_as_flags", False):
        return
    typed = TyperOption.display_type_rich

    def display_type_rich(self, ctx):  # noqa: ANN001 - typer's signature
        return None if self.is_flag else typed(self, ctx)

    TyperOption.display_type_rich = display_type_rich
    TyperOption._goldloop_flags_as_flags = True


def build_app() -> typer.Typer:
    _flags_as_flags()
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


GLOBAL_OPTIONS = ("--workspace", "-w")  # the root callback's options that take a value


def _hoist_global_options(argv: list[str]) -> list[str]:
    """Accept ``goldloop state show --workspace X`` as ``goldloop --workspace X state show``:
    click only knows a group's options before the subcommand."""
    kept: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # options before the subcommand stay
        take = 2 if argv[i] in GLOBAL_OPTIONS else 1
        kept += argv[i:i + take]
        i += take
    hoisted: list[str] = []
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            kept += argv[i:]
            break
        if arg in GLOBAL_OPTIONS and i + 1 < len(argv):
            hoisted += argv[i:i + 2]
            i += 2
            continue
        (hoisted if arg.startswith("--workspace=") else kept).append(arg)
        i += 1
    return hoisted + kept


def _resume_hint(argv: list[str]) -> str:
    if "run" in argv:
        return "`goldloop run` (same workspace) resumes where it stopped."
    return "Run the command again; `goldloop state show` shows where the loop stands."


def main(argv: list[str] | None = None) -> int:
    from goldloop import interrupts

    _utf8_stdio()
    argv = list(sys.argv[1:] if argv is None else argv)
    build_app()
    try:
        with interrupts.handled():
            returned = app(args=_hoist_global_options(argv), standalone_mode=False)
    except interrupts.Interrupted as exc:
        command = shlex.join(["goldloop", *argv])
        print(interrupts.message(exc, command, _resume_hint(argv)), file=sys.stderr, flush=True)
        return exc.exit_code
    except GoldloopError as exc:
        common.print_error(exc)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):  # a prompt cut short
        print("aborted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Usage errors from typer's (vendored) click: duck-typed, as the class moved between versions.
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return 2
        raise
    if isinstance(returned, int) and returned:  # typer returns an Exit's code in non-standalone mode
        return returned
    return common.OPTIONS.exit_code


if __name__ == "__main__":
    sys.exit(main())
