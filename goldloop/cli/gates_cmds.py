"""``goldloop gates run|check|final``: thin wrappers over goldloop.gates."""

from __future__ import annotations

from typing import Any

import typer

from goldloop.cli.common import console, emit, styled, workspace


def _human_gates(d: dict[str, Any]) -> None:
    out = console()
    out.print(styled((d["summary"], "bold")))
    for name in ("gate1", "gate2", "gate3"):
        if name not in d:
            continue
        for c in d[name]["checks"]:
            mark = ("pass", "green") if c["pass"] else ("FAIL", "red")
            out.print(styled(f"  {name} {c['name']}: ", mark,
                             f" value={c['value']} threshold={c['threshold']}  {c['detail']}"))
    if d.get("inputs", {}).get("report"):
        out.print(f"report: {d['inputs']['report']}")


def register(app: typer.Typer) -> None:
    gates_app = typer.Typer(help="Gate 1/2/3 for a submodel, and the final evaluation of the meta-model.",
                            no_args_is_help=True)
    app.add_typer(gates_app, name="gates")

    @gates_app.command("run")
    def run(
        feature: str = typer.Option(..., "--feature", "-f"),
        attempt: int = typer.Option(..., "--attempt", "-a"),
        gates: str = typer.Option("1,2,3", "--gates", help="Which gates, e.g. 1,3."),
        fast: bool = typer.Option(False, "--fast", help="Fewer folds, one seed, smaller models."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Gates for results/<feature>_<attempt>/: stores the verdict in state, writes gates.md + plots."""
        from goldloop.gates import run_for_attempt

        result = run_for_attempt(workspace(), feature, attempt, gates=gates, fast=fast)
        emit(result.to_dict(), as_json, _human_gates)

    @gates_app.command("check")
    def check_cmd(
        new: str = typer.Option(..., "--new", help="CSV: date, then the new columns."),
        base: str = typer.Option(..., "--base", help="CSV: date, then the base feature columns."),
        target: str = typer.Option(..., "--target", help="CSV: date, target (next-day return, %)."),
        metrics: str | None = typer.Option(None, "--metrics", help="metrics.json with train_loss, val_loss."),
        gates: str = typer.Option("1,2,3", "--gates"),
        fast: bool = typer.Option(False, "--fast"),
        report: str | None = typer.Option(None, "--report", help="Folder for gates.md and the plots."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Gates on files outside any loop (no workspace or state needed)."""
        from goldloop.config import GateSettings
        from goldloop.gates import check
        from goldloop.gates.inputs import read_metrics, read_table, read_target
        from goldloop.gates.report import write_gate_report

        result = check(read_table(new, "new"), read_table(base, "base"), read_target(target),
                       metrics=read_metrics(metrics) if metrics else None, settings=_settings(GateSettings),
                       gates=gates, fast=fast)
        if report:
            result.inputs["report"] = str(write_gate_report(report, result, title="gates check"))
        emit(result.to_dict(), as_json, _human_gates)

    @gates_app.command("final")
    def final(
        attempt: int = typer.Option(..., "--attempt", "-a", help="The meta-model attempt to evaluate."),
        predictions: str | None = typer.Option(None, "--predictions", help="Default: results/meta_<attempt>/predictions.csv."),
        n_trials: int | None = typer.Option(None, "--n-trials", help="Default: meta-model attempts in state."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Final evaluation: metrics vs targets, baselines, Deflated Sharpe Ratio; writes final.md."""
        from goldloop.gates import final_for_attempt

        evaluation = final_for_attempt(workspace(), attempt, n_trials=n_trials, predictions_path=predictions)
        shown = {k: v for k, v in evaluation.items() if k != "curves"}

        def human(d: dict[str, Any]) -> None:
            out = console()
            for name, row in d["verdicts"].items():
                out.print(f"{name}: {row['value']:.4f} (target {row['comparison']} {row['target']}) "
                          f"{row['status']}" + (f" — {row['reason']}" if row.get("reason") else ""))
            dsr = d["deflated_sharpe"]
            out.print(f"deflated Sharpe ratio: {dsr['dsr']} over {int(dsr['n_trials'])} trial(s)")
            out.print(f"report: {d['report']}")

        emit(shown, as_json, human)


def _settings(default: Any) -> Any:
    """Workspace gate settings when inside a workspace, else the defaults."""
    from goldloop.config import load_config
    from goldloop.errors import WorkspaceError

    try:
        return load_config(workspace().root).gates
    except WorkspaceError:
        return default()
