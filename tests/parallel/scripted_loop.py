"""The autopilot's driver over the real submit / monitor / state / planner / scheduler, with
scripted agents: each attempt's notebook is the tests' tiny kernel and the evaluator's verdict
comes from a fixed table of seeds. What is under test is the orchestration (slots, pushes,
resume), not the gates, which have their own tests; the verdicts are the same in every run.

Also a command line, so a test can SIGKILL a real driver process:
``python -m tests.parallel.scripted_loop WORKSPACE PARALLEL``.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path
from typing import Any

from goldloop.names import META

FEATURES = ["vix", "dxy", "regime", "real_rate", "cross_asset"]
CONFIG = """\
features = {features}
[kaggle]
owner = "tester"
backend = "kaggle"
poll_seconds = 0.2
max_wait_minutes = 5
run_timeout_minutes = {run_timeout}
[limits]
max_attempts_per_feature = 2
max_meta_attempts = 2
meta_stop_after = 1
[parallel]
kaggle_gpu_slots = 2
"""


def configure(root: Path, features: list[str] = FEATURES, run_timeout: float = 2) -> None:
    text = CONFIG.format(features="[" + ", ".join(f'"{f}"' for f in features) + "]", run_timeout=run_timeout)
    (root / "goldloop.toml").write_text(text, encoding="utf-8")


def verdict(feature: str, attempt: int) -> str:
    """Attempt 1 of a submodel always fails (so every feature takes two attempts); attempt 2
    by seed. Meta-model attempt 1 is the best, attempt 2 does not beat it (the stop rule)."""
    if feature == "meta":
        return "pass" if attempt == 1 else "fail"
    if attempt == 1:
        return "fail"
    return "pass" if zlib.crc32(f"{feature}-{attempt}".encode()) % 3 else "fail"


def gpu_of(feature: str) -> bool:
    return feature != "dxy"


def _build(ctx: Any, feature: str, attempt: int, sleep: float = 0.0) -> None:
    from goldloop.state.ops import transition
    from tests.kaggle.kernels import make_kernel

    make_kernel(ctx.root, feature, attempt, gpu=gpu_of(feature), sleep=sleep)
    transition(ctx.store, "in_progress", actor="autopilot", summary="notebook generated", stage="model",
               feature=feature, attempt=attempt, resume_from="orchestrator")
    ctx.commit("model", feature, attempt, "notebook generated")


def handlers() -> dict[str, Any]:
    from goldloop.autopilot import runner
    from goldloop.state.ops import decide, finalize, start_attempt, update_attempt

    def start(ctx, action, stop_before=None):
        start_attempt(ctx.store, action.feature, action.attempt, actor="autopilot",
                      summary=f"entrance: {action.feature} attempt {action.attempt}")
        ctx.commit("entrance", action.feature, action.attempt)
        _build(ctx, action.feature, action.attempt)

    def resume(ctx, action, stop_before=None):
        _build(ctx, action.feature, action.attempt)

    def evaluate(ctx, action):
        limit = 2
        passed = verdict(action.feature, action.attempt) == "pass"
        # a pass carries its evidence: gate results for a feature, a validation score for the meta-model
        evidence = ({"metrics": {"score": 1.0 if passed else 0.0}} if action.feature == META
                    else {"gates": {"gate3": {"pass": passed, "scripted": True}}})
        update_attempt(ctx.store, action.feature, action.attempt, actor="evaluator", summary="scripted evidence",
                       **evidence)
        decide(ctx.store, action.feature, action.attempt, verdict(action.feature, action.attempt),
               max_attempts=limit, plan="scripted plan", actor="evaluator")
        ctx.commit("eval", action.feature, action.attempt, verdict(action.feature, action.attempt).upper())

    def final(ctx, action):
        finalize(ctx.store, action.attempt, summary="scripted final")
        return {"attempt": action.attempt}

    return {**runner.HANDLERS, "start_attempt": start, "continue": resume, "run_gates": evaluate,
            "finalize": final}


def drive(root: Path, parallel: int) -> dict[str, Any]:
    from goldloop.autopilot.context import RunContext
    from goldloop.autopilot.options import RunOptions
    from goldloop.autopilot.parallel import ParallelDriver
    from goldloop.autopilot.runner import run_sequential
    from goldloop.config import load_config
    from goldloop.workspace import Workspace

    ws = Workspace(Path(root).resolve())
    config = load_config(ws.root)
    ctx = RunContext(ws, config, RunOptions(backend="kaggle", poll_seconds=0.2), say=lambda m: None)
    if parallel > 1:
        driver = ParallelDriver(ctx, parallel, handlers())
        driver.run(500)
        return {"peak_in_flight": driver.peak_in_flight}
    run_sequential(ctx, config, None, handlers())
    return {}


def decisions(root: Path) -> dict[str, Any]:
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    state = StateStore(Workspace(Path(root))).read()
    return {rec.name: (rec.status.value, [a.verdict for a in rec.attempts]) for rec in state.records()}


if __name__ == "__main__":
    drive(Path(sys.argv[1]), int(sys.argv[2]))
