"""The evaluator's part by rules: gates for submodels, best-so-far for the meta-model, final."""

from __future__ import annotations

from typing import Any

from goldloop.autopilot.context import RunContext
from goldloop.names import META
from goldloop.state.ops import decide


def _plan_after_failure(ctx: RunContext, feature: str, attempt: int, why: str) -> str:
    from goldloop.autopilot.attempt_stages import params_for

    nxt = {k: v for k, v in params_for(ctx.root, feature, attempt + 1).items() if k != "fast"}
    change = ", ".join(f"{k}={v}" for k, v in sorted(nxt.items())) or "the default parameters"
    return f"{why}; next try {change}"


def evaluate_submodel(ctx: RunContext, feature: str, attempt: int) -> str:
    from goldloop.gates import run_for_attempt

    result = run_for_attempt(ctx.workspace, feature, attempt, fast=ctx.options.fast)
    verdict = "pass" if result.passed else "fail"
    failed = [name for name, gate in result.gates.items() if not gate.get("pass")]
    plan = None if verdict == "pass" else _plan_after_failure(ctx, feature, attempt, f"failed {', '.join(failed)}")
    decide(ctx.store, feature, attempt, verdict, max_attempts=ctx.config.limits.max_attempts_per_feature,
           plan=plan, actor="evaluator")
    summary = result.summary() if hasattr(result, "summary") else verdict
    ctx.say(f"  gates: {summary}")
    ctx.commit("eval", feature, attempt, f"{verdict.upper()}")
    return verdict


def meta_score(metrics: dict[str, Any]) -> float:
    """How meta-model attempts are compared: direction accuracy on the validation years
    (never the test years, which only the final evaluation looks at)."""
    value = (metrics.get("metrics") or {}).get("val", {}).get("direction_accuracy")
    return float(value) if isinstance(value, int | float) else float("nan")


def evaluate_meta(ctx: RunContext, attempt: int) -> str:
    folder = ctx.workspace.results / f"{META}_{attempt}"
    from goldloop.gates.inputs import read_metrics

    metrics = read_metrics(folder / "metrics.json")
    score = meta_score(metrics)
    state = ctx.store.read()
    best = state.meta.attempt(state.meta.best_attempt) if state.meta.best_attempt else None
    best_score = best.metrics.get("score") if best else None
    better = score == score and (best_score is None or score > best_score)  # NaN never wins
    plan = None if better else _plan_after_failure(
        ctx, META, attempt, f"validation DA {score:.4f} did not beat attempt {state.meta.best_attempt} ({best_score:.4f})"
        if best_score is not None else f"validation DA is {score}")
    decide(ctx.store, META, attempt, "pass" if better else "fail",
           max_attempts=ctx.config.limits.max_meta_attempts, plan=plan, score=score, actor="evaluator")
    ctx.say(f"  meta-model attempt {attempt}: validation DA {score:.4f}" + (" (new best)" if better else ""))
    ctx.commit("eval", META, attempt, "new best" if better else "not better")
    return "pass" if better else "fail"


def finalize_best(ctx: RunContext, attempt: int) -> dict[str, Any]:
    from goldloop.autopilot.report import write_run_report
    from goldloop.finalize import confirm_final

    evaluation = confirm_final(ctx.workspace, attempt)
    # the run report goes into the final commit: the next run or session finds a clean tree
    write_run_report(ctx.workspace, ctx.store.read(), {k: v for k, v in evaluation.items() if k != "curves"})
    ctx.commit("final", None, None, f"project completed - attempt {attempt} confirmed as final meta-model")
    return evaluation
