"""``goldloop data fetch|check|panel``: the data stage and the 7-step datacheck."""

from __future__ import annotations

import json

import typer

from goldloop.cli.common import OPTIONS, console, emit, workspace


def _params(text: str | None) -> dict | None:
    from goldloop.errors import DataError

    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"--params is not valid JSON: {exc}", 'for example --params \'{"submodels": {"vix": 2}}\'') from exc
    if not isinstance(value, dict):
        raise DataError("--params must be a JSON object", 'for example --params \'{"window": 60}\'')
    return value


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="Data: the offline panel, live FRED/Yahoo series, the datacheck.",
                           no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("fetch")
    def fetch(
        feature: str = typer.Argument(..., help="Feature family (e.g. vix) or 'meta'."),
        attempt: int = typer.Argument(..., help="Attempt number."),
        params: str | None = typer.Option(None, "--params", help="JSON object, e.g. submodels for meta."),
        live: bool = typer.Option(False, "--live", help="Also fetch the family's live FRED/Yahoo series into the cache."),
        start: str | None = typer.Option(None, help="Live data from this date."),
        end: str | None = typer.Option(None, help="Live data up to this date."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Write the attempt's input table to data/<feature>_<attempt>/ (with Kaggle dataset metadata)."""
        from goldloop.data import write_attempt_data
        from goldloop.data.live import fetch_family

        ws = workspace()
        result: dict = {}
        if live:
            result["live"] = fetch_family(feature, start, end)
        folder = write_attempt_data(ws, feature, attempt, _params(params))
        result.update(folder=str(folder), files=sorted(p.name for p in folder.iterdir()))
        emit(result, as_json, lambda d: console().print(f"wrote {d['folder']}: {', '.join(d['files'])}"))

    @data_app.command("check")
    def check(
        feature: str | None = typer.Argument(None, help="Feature family or 'meta' (checks data/<feature>_<attempt>/)."),
        attempt: int | None = typer.Argument(None),
        path: str | None = typer.Option(None, "--path", help="Check this CSV (first column date) instead."),
        target: str | None = typer.Option(None, "--target", help="Target column for the leakage step (with --path)."),
        as_of: str | None = typer.Option(None, "--as-of", help="No row may be dated after this."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """The 7-step datacheck. Exit 3 when a step FAILs (the attempt must stop)."""
        from goldloop.data.attempt import check_attempt_data
        from goldloop.data.datacheck import datacheck
        from goldloop.errors import DataError

        if path:
            import pandas as pd

            try:
                table = pd.read_csv(path)
            except (OSError, ValueError) as exc:
                raise DataError(f"cannot read {path}: {exc}", "pass a CSV file") from exc
            report = datacheck(table, target=target, as_of=as_of)
        elif feature and attempt:
            report = check_attempt_data(workspace(), feature, attempt, as_of=as_of)
        else:
            raise DataError("say what to check", "goldloop data check FEATURE ATTEMPT, or --path FILE.csv")
        emit(report.to_dict(), as_json, lambda _: console().print(report.to_markdown()))
        OPTIONS.exit_code = 0 if report.passed else 3

    @data_app.command("panel")
    def panel(
        families: bool = typer.Option(False, "--families", help="List feature families and their data."),
        live: bool = typer.Option(False, "--live", help="The live panel (FRED + Yahoo) for the workspace's "
                                  "[data] start/end: fetches what the cache lacks (FRED_API_KEY, internet)."),
        out: str | None = typer.Option(None, "--out", help="Write the panel to this CSV."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Summarise the offline panel of real data, the live one, or the catalog's families."""
        from goldloop.data import catalog, load_offline_panel

        if families:
            data = {n: {"offline": f.offline, "submodel": f.submodel, "inputs": f.inputs,
                        "live": f.live, "live_inputs": f.live_inputs, "note": f.note}
                    for n, f in catalog().families.items()}

            def human(d: dict) -> None:
                from rich.table import Table

                table = Table("family", "offline", "submodel", "offline inputs", "live series")
                for name, row in d.items():
                    table.add_row(name, "yes" if row["offline"] else "live-only", row["submodel"],
                                  ", ".join(row["inputs"]) or "—", ", ".join(row["live"]))
                console().print(table)

            return emit(data, as_json, human)
        if live:
            from goldloop.config import DataSettings, load_config
            from goldloop.data.live_panel import load_live_panel
            from goldloop.errors import WorkspaceError

            try:
                root = workspace().root
                settings = load_config(root).data
            except WorkspaceError:  # no workspace: the defaults and the environment's key
                root, settings = None, DataSettings()
            frame = load_live_panel(settings.start, settings.end, root=root)
        else:
            frame = load_offline_panel()
        if out:
            frame.to_csv(out, encoding="utf-8", lineterminator="\n")
        data = {"rows": len(frame), "first": str(frame.index[0].date()),
                "last": str(frame.index[-1].date()), "columns": list(frame.columns),
                "written": out}
        emit(data, as_json, lambda d: console().print(
            f"{d['rows']} gold trading days {d['first']} to {d['last']}; columns: {', '.join(d['columns'])}"))
