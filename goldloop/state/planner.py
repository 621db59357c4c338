"""``next_actions`` / ``next_action``: what may happen now, derived from state alone.

Used by the orchestrator agent, the /resume skill, the SessionStart hook and the autopilot,
so "resume from last time" means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from goldloop.config import Config
from goldloop.names import META
from goldloop.routes import route_for
from goldloop.state.model import Attempt, FeatureRecord, FeatureStatus, State, Status

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


def _start(feature: str, attempt: int, reason: str, plan: str | None = None) -> Action:
    instruction = f"Start {feature} attempt {attempt}: define requirements and what to research."
    if plan:
        instruction += f" Apply the evaluator's improvement plan: {plan}"
    return Action("entrance", feature, attempt, instruction, reason, "start_attempt")


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


def _attempt_action(state: State, config: Config, feature: str, att: Attempt) -> Action:
    """The one step an open attempt waits for, from its own status."""
    number, status = att.number, att.status
    is_current = (state.current_feature, state.current_attempt) == (feature, number)
    if status is Status.WAITING_TRAINING:
        kernel = att.kernel or (state.kaggle_kernel if is_current else None)
        return Action(
            "orchestrator", feature, number,
            f"Kernel {kernel} is training. Check `kaggle_monitor status`; do not poll Kaggle by hand. "
            "When it finishes the monitor fetches the outputs and updates state.",
            "a kernel was submitted and its result is not in yet", "check_monitor",
        )
    if status is Status.TRAINING_COMPLETE:
        return Action(
            "evaluator", feature, number,
            f"Run the gates on {feature} attempt {number} (run_gates) and decide: pass, next attempt, abandon.",
            "training outputs are fetched", "run_gates",
        )
    if status is Status.TRAINING_FAILED:
        error_type = att.error_type or (state.error_type if is_current else None)
        error_context = att.error_context or (state.error_context if is_current else None)
        route = route_for(error_type)
        if route.auto_resubmit and att.retries < config.kaggle.auto_retry_network:
            return Action("orchestrator", feature, number,
                          f"Resubmit the same kernel unchanged (retry {att.retries + 1} of {config.kaggle.auto_retry_network}).",
                          f"training failed with {error_type}", "resubmit")
        context = f" Context: {error_context}" if error_context else ""
        return Action(route.agent, feature, number, route.instruction + context,
                      f"training failed with {error_type or 'unknown'}", "fix_and_resubmit")
    # IN_PROGRESS
    if att.stage.value in ("model", "kaggle"):  # the notebook is built: the next step needs a run slot
        return Action("orchestrator", feature, number,
                      f"Submit notebooks/{feature}_{number} with kaggle_submit (validates, pushes, starts the monitor).",
                      f"the notebook of {feature} attempt {number} is built", "submit")
    resume = att.resume_from or (state.resume_from if is_current else None)
    agent = resume or NEXT_AGENT_AFTER_STAGE.get(att.stage.value, "entrance")
    return Action(agent, feature, number,
                  f"Continue {feature} attempt {number} (last stage: {att.stage.value}).",
                  f"work in progress; resume_from={resume}", "continue")


# When several steps may run, the order one-at-a-time callers see them in: finish what is
# furthest along first (it frees a slot or settles a feature), start new work last.
_KIND_ORDER = ("run_gates", "resubmit", "fix_and_resubmit", "submit", "continue", "check_monitor", "start_attempt")


def next_actions(state: State, config: Config) -> list[Action]:
    """Every independent step that may run now, at most one per attempt and one start per feature.

    Features are independent of each other: feature B may start while A trains, A may be
    evaluated while B trains. Attempts of one feature follow each other (attempt n+1 needs
    attempt n's verdict and plan). The meta-model waits until every configured submodel is
    settled, and the final evaluation until nothing else is open.
    """
    if state.status is Status.COMPLETED:
        final = state.final
        return [Action(None, None, None, "Nothing left to do.",
                       f"project completed with meta-model attempt {final.attempt if final else '?'}", "done")]
    actions = [_attempt_action(state, config, name, att) for name, att in state.open_attempts()]
    busy = {a.feature for a in actions}
    for name in config.features:
        rec = state.features.get(name)
        if name in busy or (rec is not None and rec.status not in (FeatureStatus.PENDING, FeatureStatus.IN_PROGRESS)):
            continue
        latest = rec.latest if rec else None
        if latest is None:
            actions.append(_start(name, 1, "nothing has started yet" if not state.features
                                  else f"{name} has not started"))
        else:
            actions.append(_start(name, latest.number + 1, f"{name} attempt {latest.number} failed its gates",
                                  latest.plan))
    if not actions:
        actions.append(_meta_next(state, config, _why_meta(state)))
    current = (state.current_feature, state.current_attempt)
    actions.sort(key=lambda a: ((a.feature, a.attempt) != current, _KIND_ORDER.index(a.kind)
                                if a.kind in _KIND_ORDER else len(_KIND_ORDER)))
    return actions


def _why_meta(state: State) -> str:
    latest = state.meta.latest
    if latest is not None:
        return f"meta-model attempt {latest.number} evaluated"
    return "all submodels are settled"


def next_action(state: State, config: Config) -> Action:
    """The first of :func:`next_actions`: for callers that do one step at a time."""
    return next_actions(state, config)[0]


def next_action_dict(state: State, config: Config) -> dict[str, object]:
    return next_action(state, config).to_dict()
