"""The stages of one attempt before training, each playing one agent's part by rules.

Each stage does its work, records the stage in state (``resume_from`` names the next agent)
and commits with the original's message, so a killed run resumes at the first stage not done.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from goldloop.autopilot.context import RunContext
from goldloop.names import META
from goldloop.state.ops import decide, transition, update_attempt

STAGE_ORDER = ("entrance", "research", "design", "data", "datacheck", "model", "kaggle")


def params_for(root: Path, feature: str, attempt: int, fast: bool = False) -> dict[str, Any]:
    """The predefined variation an attempt tries: attempt n takes the n-th, cycling."""
    if feature == META:
        from goldloop.models.meta import VARIATIONS

        chosen = dict(VARIATIONS[(attempt - 1) % len(VARIATIONS)])
        return {**chosen, "fast": True} if fast else chosen
    from goldloop.project import load_project

    return load_project(root).family(feature).params_for_attempt(attempt)


def _design_dir(ctx: RunContext, feature: str, attempt: int) -> Path:
    folder = ctx.root / "designs" / f"{feature}_{attempt}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _advance(ctx: RunContext, feature: str, attempt: int, stage: str, next_agent: str, summary: str) -> None:
    transition(ctx.store, "in_progress", actor="autopilot", summary=summary, stage=stage,
               feature=feature, attempt=attempt, resume_from=next_agent)


def research(ctx: RunContext, feature: str, attempt: int) -> None:
    """researcher: read the knowledge base first and keep what it says for this family."""
    from goldloop.knowledge import search
    from goldloop.project import load_project

    description = load_project(ctx.root).family(feature).description if feature != META \
        else "meta-model XGBoost overfitting"
    hits = search(ctx.root, f"{feature.replace('_', ' ')} {description}", limit=3)
    lines = [f"# Research: {feature} attempt {attempt}", "", f"Family: {description}", "",
             "Knowledge base entries consulted:"]
    lines += [f"- {h['question']} ({h['path']})" for h in hits] or ["- (none matched)"]
    (_design_dir(ctx, feature, attempt) / "research.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _advance(ctx, feature, attempt, "research", "architect", f"research: {len(hits)} knowledge entries")
    ctx.commit("research", feature, attempt, f"{len(hits)} knowledge entries")


def design(ctx: RunContext, feature: str, attempt: int) -> None:
    """architect: the design doc — the variation tried and why (the previous plan)."""
    state = ctx.store.read()
    record = state.record(feature)
    current = record.attempt(attempt)
    params = current.params if current else {}
    previous = record.attempt(attempt - 1) if attempt > 1 else None
    doc = [f"# Design: {feature} attempt {attempt}", "", "Parameters:", "",
           "```json", json.dumps(params, indent=2, sort_keys=True), "```", ""]
    if previous and previous.plan:
        doc += ["Why: the evaluator's plan after the previous attempt:", "", previous.plan, ""]
    (_design_dir(ctx, feature, attempt) / "design.md").write_text("\n".join(doc), encoding="utf-8")
    _advance(ctx, feature, attempt, "design", "builder_data", "design written")
    ctx.commit("design", feature, attempt, ", ".join(f"{k}={v}" for k, v in sorted(params.items())) or "defaults")


def data(ctx: RunContext, feature: str, attempt: int) -> None:
    """builder_data: the attempt's input table, published as the kernel's dataset."""
    from goldloop.data import write_attempt_data
    from goldloop.kaggle.datasets import push_dataset

    params = ctx.store.read().record(feature).attempt(attempt).params
    folder = write_attempt_data(ctx.workspace, feature, attempt, params)
    push_dataset(ctx.workspace, feature, attempt, backend=ctx.options.backend)
    files = sorted(p.name for p in folder.glob("*.csv"))
    _advance(ctx, feature, attempt, "data", "datachecker", f"data: {', '.join(files)}")
    ctx.commit("data", feature, attempt, f"{len(files)} file(s) published")


def datacheck(ctx: RunContext, feature: str, attempt: int) -> bool:
    """datachecker: the fixed 7 steps; a FAIL ends the attempt with its reason."""
    import pandas as pd

    from goldloop.data import datacheck as check
    from goldloop.project import load_project

    folder = ctx.root / "data" / f"{feature}_{attempt}"
    table = folder / ("base.csv" if feature == META else "input.csv")
    frame = pd.read_csv(table, index_col="date", parse_dates=True)
    target = load_project(ctx.root).target_column
    report = check(frame, target=target if target in frame.columns else None)
    (folder / "datacheck.md").write_text(report.to_markdown(), encoding="utf-8")
    verdict = "PASS" if report.passed else "FAIL"
    update_attempt(ctx.store, feature, attempt, actor="datachecker", summary=f"datacheck {verdict}",
                   metrics={"datacheck": verdict})
    if report.passed:
        _advance(ctx, feature, attempt, "datacheck", "builder_model", f"datacheck: {verdict}")
        ctx.commit("datacheck", feature, attempt, verdict)
        return True
    failed = [s["name"] for s in report.to_dict().get("steps", []) if s.get("status") == "FAIL"]
    decide(ctx.store, feature, attempt, "fail", max_attempts=ctx.config.limits.max_attempts_per_feature,
           plan=f"fix the data: datacheck failed at {', '.join(failed) or 'a step'}", actor="datachecker")
    ctx.commit("datacheck", feature, attempt, verdict)
    return False


def model(ctx: RunContext, feature: str, attempt: int) -> Path:
    """builder_model: render the kernel folder from its template."""
    from goldloop.notebooks import build_kernel

    params = ctx.store.read().record(feature).attempt(attempt).params
    folder = build_kernel(ctx.workspace, feature, attempt, params=params)
    _advance(ctx, feature, attempt, "model", "orchestrator", "notebook generated")
    ctx.commit("model", feature, attempt, "notebook generated")
    return folder


def submit(ctx: RunContext, feature: str, attempt: int) -> None:
    """orchestrator: validate + push + record + commit (one call, like submit_and_monitor)."""
    from goldloop.kaggle.submit import submit as kaggle_submit

    folder = ctx.root / "notebooks" / f"{feature}_{attempt}"
    result = kaggle_submit(ctx.workspace, folder, feature, attempt, backend=ctx.options.backend,
                           start_monitor=False)
    ctx.say(f"  submitted {result.get('kernel')} to the {ctx.options.backend} backend")
