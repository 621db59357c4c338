"""``goldloop validate PATH... [--json] [--select] [--ignore]``.

Exit codes: 0 clean, 1 warnings only, 3 errors, 2 a path could not be read / bad usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goldloop.cli import common


def _workspace_root() -> Path | None:
    from goldloop.errors import WorkspaceError

    try:
        return common.workspace().root
    except WorkspaceError:
        if common.OPTIONS.workspace:
            raise
        return None  # validating a loose notebook outside any workspace is fine


def _print_human(results: list[dict]) -> None:
    out = common.console()
    for item in results:
        if "error" in item:
            out.print(f"[bold red]{item['path']}[/]: could not validate: {item['message']}")
            continue
        verdict = "[green]ok[/]" if item["ok"] else "[bold red]errors[/]"
        out.print(f"[bold]{item['path']}[/]: {verdict}, {len(item['findings'])} finding(s)")
        for f in item["findings"]:
            style = "red" if f["severity"] == "error" else "yellow"
            out.print(f"  [{style}]{f['rule']}[/] {f['severity']:<7} {f['message']}",
                      highlight=False)
            out.print(f"          fix: {f['hint']}", style="dim", highlight=False)
        for note in item["skipped"]:
            out.print(f"  note: {note}", style="dim", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        paths: Annotated[list[Path], typer.Argument(
            help="Kernel folders, .ipynb or .py files.")],
        as_json: Annotated[bool, typer.Option(
            "--json", help="A JSON list, one object per path.")] = False,
        select: Annotated[list[str] | None, typer.Option(
            "--select", help="Only these rule codes or categories (comma-separated, "
            "repeatable).")] = None,
        ignore: Annotated[list[str] | None, typer.Option(
            "--ignore", help="Skip these rule codes or categories (comma-separated, "
            "repeatable).")] = None,
    ) -> None:
        """Static pre-push checks for Kaggle kernel folders (exit 0 clean, 1 warnings, 3 errors,
        2 unreadable)."""
        from goldloop.errors import GoldloopError
        from goldloop.validate import validate_path

        root = _workspace_root()
        results: list[dict] = []
        code = 0
        for path in paths:
            try:
                report = validate_path(path, select=select or None, ignore=ignore or None,
                                       workspace_root=root)
            except GoldloopError as exc:
                if len(paths) == 1 and not as_json:
                    raise
                results.append({"path": str(path), **exc.to_dict()})
                code = max(code, 2)
                continue
            results.append(report.to_dict())
            if not report.ok:
                code = 3
            elif report.findings and code == 0:
                code = 1
        common.emit(results, as_json, _print_human)
        common.OPTIONS.exit_code = code
