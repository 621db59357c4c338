"""``goldloop kaggle submit|monitor|fetch|cancel|dataset-push|classify|quota``: thin adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from goldloop.cli.common import emit, workspace

JSON = Annotated[bool, typer.Option("--json", help="Print JSON.")]
BACKEND = Annotated[str | None, typer.Option("--backend", help="local or kaggle (default: goldloop.toml).")]


def _say(data: Any) -> None:
    """A short human line per key; JSON holds everything."""
    if isinstance(data, list):
        for row in data:
            _say(row)
        if not data:
            typer.echo("nothing")
        return
    message = data.get("message") if isinstance(data, dict) else None
    typer.echo(message or ", ".join(f"{k}: {v}" for k, v in data.items() if v not in (None, [], {})))


def register(app: typer.Typer) -> None:
    kaggle = typer.Typer(help="Kaggle operations: submit kernels, monitor runs, fetch results.",
                         no_args_is_help=True)
    app.add_typer(kaggle, name="kaggle")
    mon = typer.Typer(help="The detached monitor of submitted kernels.", no_args_is_help=True)
    kaggle.add_typer(mon, name="monitor")
    app.add_typer(mon, name="monitor")  # `goldloop monitor status` too: the same commands, one level up

    @kaggle.command("submit")
    def submit_cmd(
        folder: Annotated[Path, typer.Argument(help="Kernel folder, e.g. notebooks/vix_1.")],
        feature: Annotated[str | None, typer.Option(help="Default: from the folder name.")] = None,
        attempt: Annotated[int | None, typer.Option(help="Default: from the folder name.")] = None,
        backend: BACKEND = None,
        monitor: Annotated[bool, typer.Option("--monitor/--no-monitor", help="Start the monitor.")] = True,
        as_json: JSON = False,
    ) -> None:
        """Validate, push, record in state, commit and start the monitor (exit 3: validator errors).

        Never pushes beside a queued or running session of the kernel (Kaggle would bill a second
        one): that session is adopted and monitored. All GPU slots busy: queued, pushed later."""
        from goldloop.cli import common
        from goldloop.kaggle.jobs import folder_names
        from goldloop.kaggle.submit import submit

        if feature is None or attempt is None:
            f, a = folder_names(folder)
            feature, attempt = feature or f, attempt or a
        result = submit(workspace(), folder, feature, attempt, backend=backend, start_monitor=monitor)
        if result.get("findings"):
            common.OPTIONS.exit_code = 3

        def human(r: dict) -> None:
            if r.get("findings"):
                typer.secho(f"not submitted: {r['reason']}", fg="red")
                for f in r["findings"]:
                    typer.echo(f"  {f.get('rule')} {f.get('message')}")
                return
            typer.echo(r["message"])
            for warning in r.get("warnings") or []:
                typer.secho(f"warning: {warning}", fg="yellow")
            if r.get("monitor"):
                typer.echo(r["monitor"]["message"])

        emit(result, as_json, human)

    @mon.command("start")
    def monitor_start(feature: str, attempt: int,
                      poll: Annotated[float | None, typer.Option(help="Seconds between polls.")] = None,
                      as_json: JSON = False) -> None:
        """Start the detached monitor (a no-op that says so when one runs)."""
        from goldloop.kaggle import monitor

        emit(monitor.start(workspace().root, feature, attempt, poll_seconds=poll), as_json, _say)

    @mon.command("status")
    def monitor_status(as_json: JSON = False) -> None:
        """List monitors: kernel, pid, alive, phase, polls, last error, outcome."""
        from goldloop.kaggle import monitor

        def human(rows: list) -> None:
            if not rows:
                typer.echo("no monitors")
            for r in rows:
                typer.echo(f"{r['kernel']}  {r['feature']} attempt {r['attempt']}  "
                           f"{'alive' if r['alive'] else 'not running'} ({r['phase']})  polls {r['polls']}  "
                           f"run {r['last_state'] or '?'}" + (f"  outcome {r['outcome']}" if r["outcome"] else "")
                           + (f"  last error: {r['last_error']}" if r["last_error"] else ""))

        def human_with_slots(rows: list) -> None:
            from goldloop.status import overview, slot_line

            human(rows)
            view = overview(workspace())
            typer.echo(slot_line(view["slots"]) + (f"  queued: {len(view['queue'])}" if view["queue"] else ""))

        emit(monitor.status(workspace().root), as_json, human_with_slots)

    @mon.command("stop")
    def monitor_stop(feature: Annotated[str | None, typer.Argument()] = None,
                     attempt: Annotated[int | None, typer.Argument()] = None, as_json: JSON = False) -> None:
        """Stop monitors (the kernel keeps running; restart with `monitor start`)."""
        from goldloop.kaggle import monitor

        emit(monitor.stop(workspace().root, feature, attempt), as_json, _say)

    @mon.command("restart")
    def monitor_restart(as_json: JSON = False) -> None:
        """Restart the monitor of the attempt state waits on, if it died."""
        from goldloop.kaggle import monitor

        emit(monitor.restart_dead(workspace().root), as_json, _say)

    @mon.command("watch")
    def monitor_watch(feature: str, attempt: int,
                      poll: Annotated[float | None, typer.Option(help="Seconds between polls.")] = None,
                      as_json: JSON = False) -> None:
        """Run the monitor loop in the foreground until the run ends."""
        from goldloop.kaggle import monitor

        emit(monitor.watch(workspace().root, feature, attempt, poll_seconds=poll), as_json, _say)

    @kaggle.command("fetch")
    def fetch_cmd(feature: str, attempt: int, as_json: JSON = False) -> None:
        """Download the attempt's outputs and log into results/<feature>_<attempt>/."""
        from goldloop.kaggle.fetch import fetch

        emit(fetch(workspace().root, feature, attempt), as_json,
             lambda r: typer.echo(f"{r['status']['state']}: {len(r['files'])} file(s) in {r['results']}"))

    @kaggle.command("cancel")
    def cancel_cmd(feature: Annotated[str | None, typer.Argument()] = None,
                   attempt: Annotated[int | None, typer.Argument()] = None,
                   kernel: Annotated[str | None, typer.Option(help="owner/slug instead of FEATURE ATTEMPT.")] = None,
                   delete_kernel: Annotated[bool, typer.Option(
                       "--delete-kernel", help="Kaggle: delete the kernel (its code, versions and outputs) — the "
                       "only way its API can stop a session. Without it you get the page to stop it by hand.")] = False,
                   backend: BACKEND = None, as_json: JSON = False) -> None:
        """Stop a kernel's run as far as the backend allows (Kaggle: only by deleting the kernel)."""
        from goldloop.kaggle.cancel import cancel

        emit(cancel(workspace().root, feature, attempt, kernel=kernel, delete_kernel=delete_kernel, backend=backend),
             as_json, _say)

    @kaggle.command("dataset-push")
    def dataset_push_cmd(feature: Annotated[str | None, typer.Argument()] = None,
                         attempt: Annotated[int | None, typer.Argument()] = None, backend: BACKEND = None,
                         path: Annotated[Path | None, typer.Option("-p", "--path", help="Publish this folder instead (like `kaggle datasets version -p DIR`).")] = None,
                         slug: Annotated[str | None, typer.Option(help="With -p and no dataset-metadata.json: owner/slug or slug.")] = None,
                         notes: Annotated[str, typer.Option(help="Version notes.")] = "",
                         as_json: JSON = False) -> None:
        """Publish data/<feature>_<attempt>/ as owner/<project>-<feature>-data, or -p DIR as its own dataset."""
        from goldloop.errors import GoldloopError
        from goldloop.kaggle.datasets import push_dataset, push_folder

        if path is not None:
            return emit(push_folder(workspace().root, path, slug, backend=backend, notes=notes), as_json, _say)
        if feature is None or attempt is None:
            raise GoldloopError("give FEATURE ATTEMPT, or -p DIR for a folder of your own",
                                "e.g. `goldloop kaggle dataset-push vix 1` or `goldloop kaggle dataset-push -p mydata --slug me/my-data`")
        emit(push_dataset(workspace().root, feature, attempt, backend=backend, notes=notes), as_json, _say)

    @kaggle.command("classify")
    def classify_cmd(logfile: Path, as_json: JSON = False, status: Annotated[str | None, typer.Option(
            help="The run's state if known (error, complete, cancelled): a failed run is never 'none'.")] = None,
    ) -> None:
        """Classify a kernel log: {"error_type", "route", "evidence"}."""
        from goldloop.errors import GoldloopError
        from goldloop.kaggle.classify import classify_log

        if not logfile.is_file():
            raise GoldloopError(f"{logfile} does not exist", "pass the path of a kernel log (JSON or text)")
        result = classify_log(logfile, status=status).to_dict()
        data = {k: result[k] for k in ("error_type", "route", "evidence")}
        emit(data, as_json, lambda d: typer.echo(
            f"{d['error_type']} → {d['route'].get('agent') if isinstance(d['route'], dict) else d['route']}"
            + (f"\n  evidence: {d['evidence']}" if d["evidence"] else "")))

    @kaggle.command("quota")
    def quota_cmd(backend: BACKEND = None, as_json: JSON = False) -> None:
        """Accelerator quota (hours) and which credentials were used."""
        from goldloop.config import load_config
        from goldloop.kaggle.backends import get_backend

        ws = workspace()
        chosen = get_backend(backend, ws, load_config(ws.root))
        data = {**chosen.describe(), "quota": chosen.quota()}
        emit(data, as_json, _say)
