"""``goldloop status``: every run in flight, the slots, the queue, what may run now."""

from __future__ import annotations

import typer

from goldloop.cli.common import console, emit, workspace


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
        """Runs in flight (all of them), slots per backend and accelerator, the queue, next steps."""
        from goldloop.status import overview

        emit(overview(workspace()), as_json, _print)


def _print(data: dict) -> None:
    from rich.table import Table

    from goldloop.status import slot_line

    out = console()
    current = data["current"]
    out.print(f"status: [bold]{data['status']}[/] (last step: {current['feature']} attempt {current['attempt']})")
    driver = data["driver"]
    out.print(f"driver: pid {driver['pid']}, up to {driver['parallel']} in flight" if driver
              else "driver: none running")
    out.print(slot_line(data["slots"]))
    if data["in_flight"]:
        table = Table("feature", "attempt", "kernel", "backend", "accelerator", "running", title="in flight")
        for r in data["in_flight"]:
            table.add_row(r["feature"], str(r["attempt"]), f"{r['kernel']} v{r['version']}", str(r["backend"]),
                          str(r["accelerator"]), f"{r['running_s']:.0f} s" if r["running_s"] is not None else "?")
        out.print(table)
    else:
        out.print("in flight: none")
    for q in data["queue"]:
        out.print(f"queued: {q['feature']} attempt {q['attempt']} — {q['reason']}")
    for a in data["next_actions"]:
        if a["kind"] == "done":
            out.print(f"nothing left to do: {a['reason']}")
            continue
        who = a["agent"] or "a person"
        target = f"{a['feature']} attempt {a['attempt']}" if a["feature"] else ""
        out.print(f"may run now: {a['kind']} {target} ({who})")
