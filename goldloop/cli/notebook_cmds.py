"""``goldloop notebook build``: render a Kaggle-ready kernel folder from a template."""

from __future__ import annotations

import typer

from goldloop.cli.common import console, emit, workspace


def register(app: typer.Typer) -> None:
    nb_app = typer.Typer(help="Kernel folders: notebooks/<feature>_<attempt>/.", no_args_is_help=True)
    app.add_typer(nb_app, name="notebook")

    @nb_app.command("build")
    def build(
        feature: str = typer.Option(..., "--feature", help="Feature family (e.g. vix) or 'meta'."),
        attempt: int = typer.Option(..., "--attempt", help="Attempt number."),
        params: str | None = typer.Option(None, "--params", help="JSON object overriding the attempt's parameters."),
        owner: str | None = typer.Option(None, "--owner", help="Kaggle owner (default: goldloop.toml)."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Write notebook + kernel-metadata.json; the notebook inlines goldloop's code."""
        from goldloop.cli.data_cmds import _params
        from goldloop.notebooks import build_kernel

        folder = build_kernel(workspace(), feature, attempt, params=_params(params), owner=owner)
        data = {"folder": str(folder), "files": sorted(p.name for p in folder.iterdir())}
        emit(data, as_json, lambda d: console().print(f"built {d['folder']}: {', '.join(d['files'])}"))
