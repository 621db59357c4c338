"""``goldloop state show|set|history|accept|recover|schema|transitions`` and ``goldloop next``."""

from __future__ import annotations

import json

import typer

from goldloop.cli.common import console, emit, for_people, styled, workspace


def _store():
    from goldloop.state.store import StateStore

    return StateStore(workspace())


def register(app: typer.Typer) -> None:
    state_app = typer.Typer(help="Read and change shared/state.json (always through the store).",
                            no_args_is_help=True)
    app.add_typer(state_app, name="state")

    @state_app.command("show")
    def show(
        as_json: bool = typer.Option(False, "--json"),
        full: bool = typer.Option(False, "--full", help="Include the whole history."),
    ) -> None:
        """The current state (summary, or everything with --full)."""
        state = _store().read()
        data = state.model_dump(mode="json") if full else state.summary()

        def human(d: dict) -> None:
            from rich.table import Table

            out = console()
            out.print(styled("status: ", (d["status"], "bold"), f"  feature: {d.get('current_feature')}  "
                             f"attempt: {d.get('current_attempt')}  resume_from: {d.get('resume_from')}"))
            if d.get("kaggle_kernel"):
                out.print(f"kernel: {d['kaggle_kernel']}")
            if d.get("error_type"):
                out.print(f"error: {d['error_type']}")
            table = Table("feature", "status", "attempts", "best")
            for name, rec in d["features"].items():
                table.add_row(name, rec["status"], str(rec["attempts"]), str(rec["best_attempt"]))
            meta = d["meta"]
            table.add_row("meta", meta["status"], str(meta["attempts"]), str(meta["best_attempt"]))
            out.print(table)

        emit(data, as_json, None if full else human)

    @state_app.command("set")
    def set_status(
        status: str = typer.Argument(..., help="Target status (see `goldloop state transitions`)."),
        summary: str = typer.Option(..., "--summary", "-m", help="What happened, for the history."),
        actor: str = typer.Option("user", help="Who makes the change."),
        stage: str | None = typer.Option(None),
        feature: str | None = typer.Option(None),
        attempt: int | None = typer.Option(None),
        resume_from: str | None = typer.Option(None, "--resume-from"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Move to another status; illegal transitions are refused."""
        from goldloop.state.ops import transition

        kwargs = {"resume_from": resume_from} if resume_from else {}
        state = transition(_store(), status, actor=actor, summary=summary, stage=stage,
                           feature=feature, attempt=attempt, **kwargs)
        emit(state.summary(), as_json, lambda d: console().print(f"status is now {d['status']}"))

    @state_app.command("history")
    def history(
        limit: int = typer.Option(20, help="How many of the newest events."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """The append-only history of state events."""
        events = [e.model_dump(mode="json") for e in _store().read().history[-limit:]]

        def human(rows: list) -> None:
            from rich.table import Table

            table = Table("at", "actor", "stage", "status", "feature", "att", "summary")
            for e in rows:
                table.add_row(e["at"], e["actor"], e["stage"] or "", e["status"],
                              e["feature"] or "", str(e["attempt"] or ""), e["summary"])
            console().print(table)

        emit(events, as_json, human)

    @state_app.command("recover")
    def recover(as_json: bool = typer.Option(False, "--json"),
                redact: bool = typer.Option(False, "--redact", help="mask credentials in state.json and "
                                            "its backups (records an event) and list commits that hold one")) -> None:
        """Restore the newest valid state from backups or git history (the broken file is kept)."""
        if redact:
            from goldloop.state.scrub import redact_workspace_state

            result = redact_workspace_state(_store())
        else:
            result = _store().recover()
        emit(result, as_json, lambda d: console().print(json.dumps(d, indent=2)))

    @state_app.command("accept")
    def accept(as_json: bool = typer.Option(False, "--json")) -> None:
        """Take a state.json edited outside the store as the new state (records a history event)."""
        result = _store().accept()
        emit(result, as_json, lambda d: console().print(
            f"accepted: {d['change']}" if d["accepted"] else d["reason"]))

    @state_app.command("schema")
    def schema(as_json: bool = typer.Option(False, "--json", help="Accepted for symmetry: the schema is JSON.")) -> None:
        """Print the JSON Schema that state.json must match."""
        from goldloop.state.store import SCHEMA_FILE

        typer.echo(SCHEMA_FILE.read_text(encoding="utf-8"))

    @state_app.command("transitions")
    def transitions(as_json: bool = typer.Option(False, "--json")) -> None:
        """The table of allowed status changes."""
        from goldloop.state.transitions import MEANING, TRANSITIONS

        data = {s.value: {"meaning": MEANING[s], "to": sorted(t.value for t in TRANSITIONS[s])}
                for s in TRANSITIONS}

        def human(d: dict) -> None:
            from rich.table import Table

            table = Table("status", "may move to", "meaning")
            for name, row in d.items():
                table.add_row(name, ", ".join(row["to"]) or "—", row["meaning"])
            console().print(table)

        emit(data, as_json, human)

    @app.command("next")
    def next_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
        """What happens next: the agent, feature, attempt, instruction and why."""
        from goldloop.config import load_config
        from goldloop.state.planner import next_action

        ws = workspace()
        action = next_action(_store().read(), load_config(ws.root)).to_dict()

        def human(d: dict) -> None:
            out = console()
            out.print(styled("next: ", (d["agent"] or "—", "bold"), f" ({d['kind']})  feature: {d['feature']}  "
                             f"attempt: {d['attempt']}"))
            out.print(f"  {for_people(d['instruction'])}")
            out.print(f"  why: {for_people(d['reason'])}", style="dim")

        emit(action, as_json, human)
