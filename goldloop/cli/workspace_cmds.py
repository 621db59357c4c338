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
                                        help="gold preset: offline (the shipped real panel, no keys) or live (FRED + Yahoo)."),
        preset: str = typer.Option("gold", "--preset",
                                   help="The project to start from: gold (default), oil, blank (a commented template)."),
        list_presets: bool = typer.Option(False, "--list-presets", help="Print the preset names, one per line."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Scaffold a workspace: goldloop.toml (from a preset), families/, shared/state.json, MEMORY.md, knowledge/, git."""
        from goldloop.errors import ConfigError
        from goldloop.presets import preset_names
        from goldloop.workspace import init_workspace

        if list_presets:
            names = preset_names()
            return emit(names, as_json, lambda d: typer.echo("\n".join(d)))
        if data_source not in ("offline", "live"):
            raise ConfigError(f"unknown data source {data_source!r}", "use --data offline or --data live")
        ws, created = init_workspace(directory, name=name, owner=owner, data_source=data_source,
                                     preset=preset)
        data = {"workspace": str(ws.root), "preset": preset, "created": created}

        def human(d: dict) -> None:
            out = console()
            out.print(f"workspace: {d['workspace']} (preset {d['preset']})")
            for item in d["created"] or ["(everything existed already)"]:
                out.print(f"  + {item}")
            out.print("next: `goldloop next` shows what to do, `goldloop run` runs the loop")

        emit(data, as_json, human)
