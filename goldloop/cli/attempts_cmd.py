"""``goldloop attempts``: one row per attempt, filterable, as a table, JSON or CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from goldloop.cli.common import console, emit, workspace


def register(app: typer.Typer) -> None:
    @app.command("attempts")
    def attempts(
        feature: list[str] = typer.Option([], "--feature", "-f", help="Only these features (repeatable; 'meta' for the meta-model)."),
        as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
        as_csv: bool = typer.Option(False, "--csv", help="Print the rows as CSV."),
        out: Path | None = typer.Option(None, "--out", help="Write the CSV (or JSON with --json) to this file."),
    ) -> None:
        """Compare attempts: feature, attempt, params, stage, gate figures, verdict, run time."""
        from goldloop.attempts import attempt_table, to_csv
        from goldloop.errors import GoldloopError
        from goldloop.names import check_feature
        from goldloop.state.store import StateStore

        if as_json and as_csv:
            raise GoldloopError("choose one of --json and --csv", "--json for tools, --csv for spreadsheets")
        for name in feature:
            check_feature(name)
        every = attempt_table(StateStore(workspace()).read())
        known = list(dict.fromkeys(r["feature"] for r in every))
        missing = [f for f in feature if f not in known]
        if missing:
            raise GoldloopError(f"no attempts of {', '.join(missing)}",
                                f"features with attempts: {', '.join(known) or 'none yet'}")
        rows = [r for r in every if not feature or r["feature"] in feature]
        if as_csv or (out and not as_json):
            text = to_csv(rows)
            if out:
                out.write_text(text, encoding="utf-8", newline="")
                return console().print(f"{len(rows)} attempt(s) written to {out}", highlight=False)
            return typer.echo(text, nl=False)
        if out:
            import json

            out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
            return console().print(f"{len(rows)} attempt(s) written to {out}", highlight=False)
        emit(rows, as_json, _table)


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or value == "":
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


HEADERS = (("feature", "feature", 0), ("#", "attempt", 0), ("stage", "stage", 0), ("G1", "gate1", 0),
           ("G2", "gate2", 0), ("G3", "gate3", 0), ("stat", "primary_stat", 2), ("p", "primary_p", 3),
           ("dDA pp", "delta_da_pp", 2), ("dSharpe", "delta_sharpe", 3), ("MI gain", "mi_gain", 3),
           ("VIF", "max_vif", 2), ("score", "score", 4), ("verdict", "verdict", 0), ("run s", "run_seconds", 0),
           ("params", "params", 0))


def _table(rows: list[dict]) -> None:
    """Plain aligned columns: never truncated by a narrow terminal, easy to grep."""
    if not rows:
        return typer.echo("no attempts yet (`goldloop run` starts the loop)")
    cells = [[h for h, _, _ in HEADERS]]
    cells += [[_fmt(r[key], digits) for _, key, digits in HEADERS] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS) - 1)]
    for row in cells:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1])
