"""``goldloop init``."""

from __future__ import annotations

from pathlib import Path

import typer

from goldloop.cli.common import console, emit


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        directory: Path = typer.Argument(Path("."), help="Folder to scaffold (created if missing)."),
        name: str | None = typer.Option(None, help="Project name (default: the folder's name)."),
        owner: str | None = typer.Option(None, help="Your Kaggle username (default: KAGGLE_USERNAME, else 'goldloop')."),
        data_source: str = typer.Option("offline", "--data",
                                        help="offline (the shipped real panel, no keys) or live (FRED + Yahoo)."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Scaffold a workspace: goldloop.toml, shared/state.json, MEMORY.md, knowledge/, git."""
        from goldloop.errors import ConfigError
        from goldloop.workspace import init_workspace

        if data_source not in ("offline", "live"):
            raise ConfigError(f"unknown data source {data_source!r}", "use --data offline or --data live")
        ws, created = init_workspace(directory, name=name, owner=owner, data_source=data_source)
        data = {"workspace": str(ws.root), "created": created}

        def human(d: dict) -> None:
            out = console()
            out.print(f"workspace: {d['workspace']}")
            for item in d["created"] or ["(everything existed already)"]:
                out.print(f"  + {item}")
            out.print("next: `goldloop next` shows what to do, `goldloop run` runs the loop")

        emit(data, as_json, human)
