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
    # typer.secho (click) rather than rich: this command runs before every push, and rich
    # adds ~30 ms of import to a process budgeted at 0.5 s.
    for item in results:
        if "error" in item:
            typer.secho(f"{item['path']}: could not validate: {item['message']}", fg="red")
            continue
        verdict = "ok" if item["ok"] else "errors"
        typer.secho(f"{item['path']}: {verdict}, {len(item['findings'])} finding(s)", bold=True,
                    fg=None if item["ok"] else "red")
        for f in item["findings"]:
            colour = "red" if f["severity"] == "error" else "yellow"
            typer.echo(f"  {typer.style(f['rule'], fg=colour)} {f['severity']:<7} {f['message']}")
            typer.secho(f"          fix: {f['hint']}", dim=True)
        for note in item["skipped"]:
            typer.secho(f"  note: {note}", dim=True)


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
