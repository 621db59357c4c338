"""``next_action``: what happens now, derived from state alone.

Used by the orchestrator agent, the /resume skill, the SessionStart hook and the autopilot,
so "resume from last time" means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from goldloop.config import Config
from goldloop.names import META
from goldloop.routes import route_for
from goldloop.state.model import FeatureRecord, FeatureStatus, State, Status

# Which agent takes over after each stage of an attempt is finished.
NEXT_AGENT_AFTER_STAGE = {
    "entrance": "researcher",
    "research": "architect",
    "design": "builder_data",
    "data": "datachecker",
    "datacheck": "builder_model",
    "model": "orchestrator",  # submits through kaggle_submit
    "kaggle": "orchestrator",
    "eval": "orchestrator",
}


@dataclass(frozen=True)
class Action:
    agent: str | None
    feature: str | None
    attempt: int | None
    instruction: str
    reason: str
    kind: str  # a stable machine name for the step, e.g. "start_attempt", "check_monitor"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _next_pending(state: State, config: Config) -> str | None:
    for name in config.features:
        rec = state.features.get(name)
        if rec is None or rec.status in (FeatureStatus.PENDING, FeatureStatus.IN_PROGRESS):
            return name
    return None


def _start(feature: str, attempt: int, reason: str, plan: str | None = None) -> Action:
    instruction = f"Start {feature} attempt {attempt}: define requirements and what to research."
    if plan:
        instruction += f" Apply the evaluator's improvement plan: {plan}"
    return Action("entrance", feature, attempt, instruction, reason, "start_attempt")


def _after_settled_features(state: State, config: Config, reason: str) -> Action:
    feature = _next_pending(state, config)
    if feature is not None:
        rec = state.features.get(feature)
        attempt = len(rec.attempts) + 1 if rec else 1
        return _start(feature, attempt, reason)
    return _meta_next(state, config, reason + "; all submodels are settled")


def _meta_next(state: State, config: Config, reason: str) -> Action:
    meta: FeatureRecord = state.meta
    tried = len(meta.attempts)
    stop_after = config.limits.meta_stop_after
    if meta.best_attempt is not None and (
        meta.attempts_since_best >= stop_after or tried >= config.limits.max_meta_attempts
    ):
        why = (
            f"{meta.attempts_since_best} meta-model attempts in a row did not beat attempt "
            f"{meta.best_attempt} (stop rule: {stop_after})"
            if meta.attempts_since_best >= stop_after
            else f"the meta-model attempt limit ({config.limits.max_meta_attempts}) is reached"
        )
        return Action(
            "evaluator", META, meta.best_attempt,
            f"Run the final evaluation of meta-model attempt {meta.best_attempt} and confirm it as final.",
            why, "finalize",
        )
    if tried >= config.limits.max_meta_attempts:
        return Action(
            None, META, None,
            "No meta-model attempt passed within the limit; a person must decide (raise the limit or change the plan).",
            f"{tried} meta-model attempts and none kept", "needs_human",
        )
    plan = meta.latest.plan if meta.latest else None
    return _start(META, tried + 1, reason, plan)


def next_action(state: State, config: Config) -> Action:
    status = state.status
    feature, attempt = state.current_feature, state.current_attempt

    if status is Status.COMPLETED:
        final = state.final
        return Action(None, None, None, "Nothing left to do.",
                      f"project completed with meta-model attempt {final.attempt if final else '?'}", "done")

    if status is Status.NOT_STARTED:
        return _after_settled_features(state, config, "nothing has started yet")

    if status is Status.WAITING_TRAINING:
        return Action(
            "orchestrator", feature, attempt,
            f"Kernel {state.kaggle_kernel} is training. Check `kaggle_monitor status`; do not poll Kaggle by hand. "
            "When it finishes the monitor fetches the outputs and updates state.",
            "a kernel was submitted and its result is not in yet", "check_monitor",
        )

    if status is Status.TRAINING_COMPLETE:
        return Action(
            "evaluator", feature, attempt,
            f"Run the gates on {feature} attempt {attempt} (run_gates) and decide: pass, next attempt, abandon.",
            "training outputs are fetched", "run_gates",
        )

    if status is Status.TRAINING_FAILED:
        route = route_for(state.error_type)
        rec = state.record(feature) if feature else None
        retries = rec.attempt(attempt).retries if rec and attempt and rec.attempt(attempt) else 0
        if route.auto_resubmit and retries < config.kaggle.auto_retry_network:
            return Action("orchestrator", feature, attempt,
                          f"Resubmit the same kernel unchanged (retry {retries + 1} of {config.kaggle.auto_retry_network}).",
                          f"training failed with {state.error_type}", "resubmit")
        context = f" Context: {state.error_context}" if state.error_context else ""
        return Action(route.agent, feature, attempt, route.instruction + context,
                      f"training failed with {state.error_type or 'unknown'}", "fix_and_resubmit")

    if status is Status.IN_PROGRESS:
        rec = state.record(feature) if feature else None
        att = rec.attempt(attempt) if rec and attempt else None
        agent = state.resume_from or (NEXT_AGENT_AFTER_STAGE.get(att.stage.value) if att else "entrance")
        stage = att.stage.value if att else "entrance"
        return Action(agent, feature, attempt,
                      f"Continue {feature} attempt {attempt} (last stage: {stage}).",
                      f"work in progress; resume_from={state.resume_from}", "continue")

    # EVALUATED: the evaluator's decision is recorded; pick the next attempt or feature.
    if feature == META:
        return _meta_next(state, config, f"meta-model attempt {attempt} evaluated")
    rec = state.record(feature) if feature else None
    if rec is None or rec.status in (FeatureStatus.PASSED, FeatureStatus.ABANDONED, FeatureStatus.FAILED):
        settled = f"{feature} {rec.status.value}" if rec else "no current feature"
        return _after_settled_features(state, config, settled)
    latest = rec.latest
    next_attempt = len(rec.attempts) + 1
    return _start(feature, next_attempt, f"{feature} attempt {attempt} failed its gates",
                  latest.plan if latest else None)


def next_action_dict(state: State, config: Config) -> dict[str, object]:
    return next_action(state, config).to_dict()
