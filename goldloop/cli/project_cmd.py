"""``goldloop project``: the workspace's project spec as goldloop reads it."""

from __future__ import annotations

import typer

from goldloop.cli.common import emit, workspace


def register(app: typer.Typer) -> None:
    @app.command("project")
    def project(
        data: bool = typer.Option(False, "--data", help="Also load the data: columns, span and split dates."),
        as_json: bool = typer.Option(False, "--json", help="Print the spec as JSON."),
    ) -> None:
        """What this project forecasts, from which data, with which feature families."""
        from goldloop.project import describe, validate_project

        ws = workspace()
        validate_project(ws)  # unknown features and bad family modules fail here, with the names
        emit(describe(ws, with_data=data), as_json, _human)


def _human(d: dict) -> None:
    target = d["target"]
    lines = [f"project: {d['name']}" + (f" (preset {d['preset']})" if d.get("preset") else ""),
             f"target:  {target['description']} — column {target['column']}, {target['derive']}, "
             f"unit {target['unit']}",
             f"panel:   {d['panel']}" + (f" ({d['data_source']} data)" if d["panel"].endswith(".panel") else "")]
    for name, spec in d["series"].items():
        lines.append(f"  series {name}: " + ", ".join(f"{k}={v}" for k, v in spec.items()))
    if d.get("data"):
        lines.append(f"data:    {d['data']['rows']} days {d['data']['first']} to {d['data']['last']}; "
                     f"split train ≤ {d['split']['train_end']}, validation ≤ {d['split']['val_end']}, test after")
    lines.append("features: " + (", ".join(d["features"]) or "none"))
    for name, fam in d["families"].items():
        mark = "*" if name in d["features"] else " "
        where = fam["file"] or "built-in"
        missing = " (not in this data)" if fam.get("has_data") is False else ""
        lines.append(f" {mark} {name:<24} {fam['submodel']:<16} {where:<28} inputs: "
                     f"{', '.join(fam['inputs']) or '(none on this source)'}{missing}")
    typer.echo("\n".join(lines))
