"""``goldloop run``: the main job."""

from __future__ import annotations

from pathlib import Path

import typer

from goldloop.cli.common import console, emit


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_cmd(
        workspace_dir: Path | None = typer.Option(
            None, "--workspace-dir", "-d",
            help="Workspace to create or reuse (default: --workspace, GOLDLOOP_WORKSPACE, CLAUDE_PROJECT_DIR, "
            "the workspace around the current folder; only if none names one, ./workspace)."),
        backend: str | None = typer.Option(None, metavar="local|kaggle", help="local (default, this machine) or kaggle."),
        features: list[str] = typer.Option([], "--features", "-f", metavar="FAMILY",
                                           help="Feature families to try, repeatable (default, or `--features all`: "
                                           "every configured one with data)."),
        max_attempts: int | None = typer.Option(None, min=0, help="Attempts per feature before abandoning it "
                                                "(0: back to the default)."),
        fast: bool | None = typer.Option(None, "--fast/--no-fast", help="Trim folds, seeds, search budgets and "
                                         "meta attempts (--no-fast: the full run)."),
        data: str | None = typer.Option(None, "--data", metavar="offline|live", help="offline (default: real data shipped with the "
                                        "packages, no keys) or live (FRED + Yahoo; FRED_API_KEY and internet). "
                                        "Chosen when the workspace is created."),
        parallel: int | None = typer.Option(None, "--parallel", "-j", min=1,
                                            help="Attempts in flight at once (default: runs in the parallel table of goldloop.toml, 1). "
                                            "Kept within the backend's slots and the weekly GPU quota."),
        agents: bool = typer.Option(False, "--agents", help="Hand each step to the plugin's agents through headless Claude Code."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (progress goes to stderr)."),
    ) -> None:
        """Run the whole loop on the embedded defaults: no keys, no internet. Resumable.

        Flags are remembered in the workspace (.goldloop/autopilot.json): a plain `goldloop run`
        resumes with the same choices, and says which it uses."""
        from goldloop.autopilot.progress import Progress
        from goldloop.cli.common import OPTIONS
        from goldloop.workspace import run_location

        workspace_dir = run_location(workspace_dir, OPTIONS.workspace)

        flags = {"backend": backend, "features": list(features), "max_attempts": max_attempts, "fast": fast,
                 "data": data, "parallel": parallel}
        if agents:
            from goldloop.autopilot.agents import run_with_agents

            summary = run_with_agents(workspace_dir, flags, say=lambda m: console(stderr=as_json).print(m))
        else:
            import sys

            from goldloop.autopilot.runner import run

            with Progress(stream=sys.stderr if as_json else sys.stdout) as progress:
                summary = run(workspace_dir, flags, say=progress.say, on_step=progress.on_step)
        emit(summary, as_json, _print_summary)


def _print_summary(summary: dict) -> None:
    from rich.table import Table

    from goldloop.autopilot.report import headline_table

    out = console()
    evaluation = summary.get("evaluation")
    if evaluation:
        header, rows = headline_table(evaluation)
        table = Table(*header, title=f"final meta-model attempt {summary['final_attempt']} on the test split "
                      "(Sharpe after costs; DSR: Deflated Sharpe probability)")
        for row in rows:
            table.add_row(*row)
        out.print(table)
    out.print("features: " + ", ".join(f"{k} {v}" for k, v in summary["features"].items()))
    out.print(f"report: {summary['report']}")
