"""The loop: ask the planner what happens next, do it, repeat until done or stuck."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from goldloop import interrupts
from goldloop.autopilot import attempt_stages as stages
from goldloop.autopilot.context import RunContext
from goldloop.autopilot.evaluation import evaluate_meta, evaluate_submodel, finalize_best
from goldloop.autopilot.options import RunOptions, effective_config, remembered_line, resolve
from goldloop.errors import GoldloopError
from goldloop.names import META
from goldloop.state.ops import start_attempt, update_attempt
from goldloop.state.planner import Action, next_action

MAX_STEPS = 500  # a guard against a planner/step disagreement looping forever


def open_workspace(path: Path, data_source: str | None = None) -> Any:
    """Reuse the workspace at ``path`` or create it with ``data_source`` (default offline).

    The data source lives in goldloop.toml, where every tool reads it; a run that asks for
    another source than an existing workspace uses is refused, since its gate results and
    attempts were measured on the other data.
    """
    from goldloop.config import CONFIG_FILE, load_config
    from goldloop.errors import ConfigError
    from goldloop.workspace import Workspace, init_workspace

    if data_source not in (None, "offline", "live"):
        raise ConfigError(f"unknown data source {data_source!r}", "use --data offline or --data live")
    if (path / CONFIG_FILE).is_file():
        workspace = Workspace(path.resolve())
        current = load_config(workspace.root).data.source
        if data_source and data_source != current:
            raise ConfigError(
                f"{workspace.root} runs on {current} data, not {data_source}",
                f"use another --workspace-dir for {data_source} data, or change [data] source in "
                f"{workspace.config_path} if you mean to start over on it")
        return workspace
    workspace, _ = init_workspace(path, data_source=data_source or "offline")
    return workspace


def _pre_training(ctx: RunContext, feature: str, attempt: int, after: str, stop_before: str | None = None) -> None:
    """Run the stages after ``after`` up to and including the submission (or up to ``stop_before``)."""
    todo = stages.STAGE_ORDER[stages.STAGE_ORDER.index(after) + 1:]
    for stage in todo:
        if stage == stop_before:
            return
        with ctx.timed(stage), interrupts.doing(f"{feature} attempt {attempt}, stage {stage}"):
            if stage == "research":
                stages.research(ctx, feature, attempt)
            elif stage == "design":
                stages.design(ctx, feature, attempt)
            elif stage == "data":
                stages.data(ctx, feature, attempt)
            elif stage == "datacheck":
                if not stages.datacheck(ctx, feature, attempt):
                    return
            elif stage == "model":
                stages.model(ctx, feature, attempt)
            elif stage == "kaggle":
                stages.submit(ctx, feature, attempt)


def _start(ctx: RunContext, action: Action, stop_before: str | None = None) -> None:
    feature, attempt = action.feature, action.attempt
    params = stages.params_for(ctx.root, feature, attempt, fast=ctx.options.fast)
    ctx.say(f"▶ {feature} attempt {attempt}" + (f" {params}" if params else ""))
    start_attempt(ctx.store, feature, attempt, actor="autopilot", params=params,
                  summary=f"entrance: {feature} attempt {attempt}")
    ctx.commit("entrance", feature, attempt)
    _pre_training(ctx, feature, attempt, "entrance", stop_before)


def _continue(ctx: RunContext, action: Action, stop_before: str | None = None) -> None:
    att = ctx.store.read().record(action.feature).attempt(action.attempt)
    last = att.stage.value if att else "entrance"
    ctx.say(f"↻ resuming {action.feature} attempt {action.attempt} after stage {last}")
    if last in stages.STAGE_ORDER and last != "kaggle":
        _pre_training(ctx, action.feature, action.attempt, last, stop_before)
    else:  # submitted before the kill but state says in_progress: submit again
        stages.submit(ctx, action.feature, action.attempt)


def _watch(ctx: RunContext, action: Action) -> None:
    from goldloop.kaggle.monitor import watch

    with ctx.timed("training"):
        outcome = watch(ctx.workspace, action.feature, action.attempt, poll_seconds=ctx.options.poll_seconds)
    ctx.say(f"  training {outcome.get('outcome', '?')}" + (f": {outcome['error_type']}" if outcome.get("error_type") else ""))


def _evaluate(ctx: RunContext, action: Action) -> None:
    with ctx.timed("eval"):
        if action.feature == META:
            evaluate_meta(ctx, action.attempt)
        else:
            evaluate_submodel(ctx, action.feature, action.attempt)


def _resubmit(ctx: RunContext, action: Action) -> None:
    att = ctx.store.read().record(action.feature).attempt(action.attempt)
    update_attempt(ctx.store, action.feature, action.attempt, actor="autopilot",
                   summary="resubmit after a transient failure", retries=att.retries + 1)
    stages.submit(ctx, action.feature, action.attempt)


def _give_up_attempt(ctx: RunContext, action: Action) -> None:
    """The autopilot cannot rewrite code: a failed run ends the attempt; the next varies params."""
    from goldloop.state.ops import decide

    state = ctx.store.read()
    limit = (ctx.config.limits.max_meta_attempts if action.feature == META
             else ctx.config.limits.max_attempts_per_feature)
    decide(ctx.store, action.feature, action.attempt, "fail", max_attempts=limit,
           plan=f"training failed ({state.error_type}): {action.instruction}", actor="autopilot")
    ctx.commit("eval", action.feature, action.attempt, f"FAIL - training {state.error_type}")


def _finalize(ctx: RunContext, action: Action) -> dict[str, Any]:
    with ctx.timed("final"):
        return finalize_best(ctx, action.attempt)


HANDLERS = {
    "start_attempt": _start,
    "continue": _continue,
    "submit": _continue,
    "check_monitor": _watch,
    "run_gates": _evaluate,
    "resubmit": _resubmit,
    "fix_and_resubmit": _give_up_attempt,
    "finalize": _finalize,
}


def _describe(action: Action) -> str:
    """What an interrupt stops, in the words of the one line it prints."""
    if action.kind == "finalize":
        return "the final evaluation"
    where = f"{action.feature} attempt {action.attempt}"
    if action.kind == "check_monitor":
        return f"the wait for {where}'s training (the kernel keeps running; the next run picks up its results)"
    return f"{where} ({action.kind.replace('_', ' ')})"


def run(workspace_dir: Path, flags: dict[str, Any], say=print, on_step=None) -> dict[str, Any]:
    """Drive the loop to the end (or to a point that needs a person) and return a summary.

    One driver per workspace (``driver_lock``); an interrupt leaves state and the git log in step
    (``interrupted``), so the next run resumes at the first stage not done.
    """
    from goldloop.autopilot.driver_lock import driving
    from goldloop.autopilot.interrupted import commit_recorded_step

    flags = dict(flags)
    saved = RunOptions.load(Path(workspace_dir))
    if (flags.get("backend") or (saved.backend if saved else None)) == "kaggle":
        from goldloop.kaggle.credentials import check_run_ready

        check_run_ready(Path(workspace_dir))  # credentials and owner, before anything is committed
    workspace = open_workspace(Path(workspace_dir), flags.pop("data", None))
    with driving(workspace):
        try:
            return _drive(workspace, flags, say, on_step)
        except interrupts.Interrupted:
            commit_recorded_step(workspace)
            raise


def _drive(workspace: Any, flags: dict[str, Any], say, on_step) -> dict[str, Any]:
    from goldloop.project import load_project

    remembered = remembered_line(workspace.root, flags)
    options = resolve(workspace.root, flags)
    project = load_project(workspace.root)
    config = effective_config(project, options)
    project.check_features(config.features)
    if config.data.source == "live":  # fail before the first stage, not at the data stage
        from goldloop.data.live import fred_key

        fred_key(workspace.root)
    ctx = RunContext(workspace, config, options, say=say)
    say(f"project: {project.name} ({project.target_description})  workspace: {workspace.root}  "
        f"backend: {options.backend}  data: {config.data.source}  "
        f"features: {', '.join(config.features)}" + ("  (fast)" if options.fast else ""))
    if remembered:
        say(remembered)
    parallel = options.parallel or config.parallel.runs
    if parallel > 1:
        from goldloop.autopilot.parallel import ParallelDriver

        say(f"parallel: up to {parallel} attempts in flight")
        evaluation = ParallelDriver(ctx, parallel, HANDLERS, on_step=on_step).run(MAX_STEPS)
    else:
        evaluation = run_sequential(ctx, config, on_step)
    if on_step:
        on_step(ctx.store.read(), config)
    return summarize(ctx, evaluation)


def run_sequential(ctx: RunContext, config: Any, on_step=None, handlers: dict[str, Any] | None = None
                   ) -> dict[str, Any] | None:
    """One step at a time, in the planner's order (``--parallel 1``, the original loop)."""
    evaluation: dict[str, Any] | None = None
    for _ in range(MAX_STEPS):
        action = next_action(ctx.store.read(), config)
        if on_step:
            on_step(ctx.store.read(), config)
        if action.kind == "done":
            return evaluation
        if action.kind == "needs_human":
            raise GoldloopError(action.instruction, action.reason)
        with interrupts.doing(_describe(action)):
            result = (handlers or HANDLERS)[action.kind](ctx, action)
        if action.kind == "finalize":
            evaluation = result
    raise GoldloopError(f"the loop did not settle after {MAX_STEPS} steps",
                        "inspect `goldloop state history`; this is a bug worth reporting")


def summarize(ctx: RunContext, evaluation: dict[str, Any] | None) -> dict[str, Any]:
    import json

    from goldloop.autopilot.report import REPORT_DIR, write_run_report

    saved = ctx.root / REPORT_DIR / "final_evaluation.json"
    if evaluation is None and saved.is_file():  # a finished run, asked again
        evaluation = json.loads(saved.read_text(encoding="utf-8"))
    if evaluation is not None:
        evaluation = {k: v for k, v in evaluation.items() if k != "curves"}
    state = ctx.store.read()
    report = write_run_report(ctx.workspace, state, evaluation)
    if state.final is not None:  # written by the final step already; commits only a stale one
        ctx.commit("final", None, None, "run report")
    return {
        "workspace": str(ctx.root),
        "final_attempt": state.final.attempt if state.final else None,
        "metrics": state.final.metrics if state.final else {},
        "evaluation": evaluation,
        "features": {n: r.status.value for n, r in state.features.items()},
        "report": str(report),
        "timings": {k: round(v, 2) for k, v in ctx.timings.items()},
    }
