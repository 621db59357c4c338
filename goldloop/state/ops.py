"""The operations that change state. Each is one locked update with one history event."""

from __future__ import annotations

from typing import Any

from goldloop.errors import StateError
from goldloop.names import META, Stage, check_attempt, check_feature, check_stage
from goldloop.state.model import (
    AGENTS,
    Attempt,
    Event,
    FeatureStatus,
    FinalDecision,
    RunRecord,
    State,
    Status,
    utcnow,
)
from goldloop.state.store import StateStore
from goldloop.state.transitions import check_transition
from goldloop.versions import versions

_UNSET: Any = object()


def _clean(store: StateStore, *values: Any) -> Any:
    """Text from logs, errors, tool arguments and models is redacted before it enters state
    (strings anywhere inside; None, numbers and _UNSET pass through)."""
    from goldloop.redaction import redact_data

    cleaned = redact_data(values, root=store.workspace.root)
    return cleaned if len(values) > 1 else cleaned[0]


def _event(state: State, actor: str, summary: str, stage: Stage | None = None) -> None:
    state.history.append(
        Event(
            actor=actor,
            stage=stage,
            status=state.status,
            feature=state.current_feature,
            attempt=state.current_attempt,
            summary=summary,
        )
    )


def _check_feature_or_meta(feature: str) -> str:
    return META if feature == META else check_feature(feature)


def transition(
    store: StateStore,
    status: str,
    *,
    actor: str,
    summary: str,
    stage: str | None = None,
    feature: str | None = None,
    attempt: int | None = None,
    resume_from: str | None = _UNSET,
    kaggle_kernel: str | None = _UNSET,
    error_type: str | None = _UNSET,
    error_context: str | None = _UNSET,
    attempt_fields: dict[str, Any] | None = None,
) -> State:
    """Move the loop to ``status`` (checked against the transition table) and log it.

    ``attempt_fields`` are merged into the current attempt in the same write, so a kill
    can never leave the status saying one thing and the attempt record another.
    """
    try:
        target = Status(status)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise StateError(f"unknown status {status!r}", f"use one of: {allowed}") from None
    stage_v = check_stage(stage) if stage else None
    if feature is not None:
        _check_feature_or_meta(feature)
    if attempt is not None:
        check_attempt(attempt)
    if resume_from not in (_UNSET, None) and resume_from not in AGENTS:
        raise StateError(f"unknown agent {resume_from!r}", f"use one of: {', '.join(AGENTS)}")
    _check_attempt_fields(attempt_fields or {})
    summary, error_context, attempt_fields = _clean(store, summary, error_context, attempt_fields)

    def change(state: State) -> None:
        name = feature if feature is not None else state.current_feature
        number = attempt if attempt is not None else state.current_attempt
        att = state.record(name).attempt(number) if name and number else None
        # The move is checked on the attempt's own status (others may be in flight at once);
        # without an attempt, on the global one.
        if att is not None:
            check_transition(Status.COMPLETED if state.status is Status.COMPLETED else att.status, target)
        elif name and number and target is Status.IN_PROGRESS and state.status is not Status.COMPLETED:
            pass  # the attempt's first step creates it below
        else:
            check_transition(state.status, target)
        state.status = target
        switched = (name, number) != (state.current_feature, state.current_attempt)
        if feature is not None:
            state.current_feature = feature
        if attempt is not None:
            state.current_attempt = attempt
        if switched and kaggle_kernel is _UNSET:  # the top-level kernel follows the most recent step
            state.kaggle_kernel = att.kernel if att is not None and att.kernel else None
        for field_name, value in (
            ("resume_from", resume_from),
            ("kaggle_kernel", kaggle_kernel),
            ("error_type", error_type),
            ("error_context", error_context),
        ):
            if value is not _UNSET:
                setattr(state, field_name, value)
        if state.current_feature and state.current_attempt:
            rec = state.record(state.current_feature)
            if target is Status.IN_PROGRESS and rec.status is FeatureStatus.PENDING:
                rec.status = FeatureStatus.IN_PROGRESS
            if target is Status.IN_PROGRESS or att is not None or stage_v is not None or attempt_fields:
                current = _ensure_attempt(rec, state.current_attempt)
                current.status = target
                if target is Status.WAITING_TRAINING and kaggle_kernel not in (_UNSET, None) and not current.kernel:
                    current.kernel = kaggle_kernel  # the top-level kernel of a waiting attempt is its own
                if resume_from is not _UNSET:
                    current.resume_from = resume_from
                if stage_v is not None:
                    current.stage = stage_v
        if attempt_fields:
            if not (state.current_feature and state.current_attempt):
                raise StateError("attempt fields given but no attempt is current", "start an attempt first")
            _merge_fields(_ensure_attempt(state.record(state.current_feature), state.current_attempt), attempt_fields)
        _event(state, actor, summary, stage_v)

    new_state, _ = store.update(change)
    return new_state


def _check_attempt_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(Attempt.model_fields)
    if unknown:
        raise StateError(f"unknown attempt fields: {', '.join(sorted(unknown))}")


def _merge_fields(att: Attempt, fields: dict[str, Any]) -> None:
    """Dict fields (metrics, gates, params) merge key by key; the rest are replaced."""
    for name, value in fields.items():
        current = getattr(att, name)
        if isinstance(current, dict) and isinstance(value, dict):
            setattr(att, name, {**current, **value})
        elif name == "run" and isinstance(value, dict):  # the run record merges field by field
            merged = {**(current.model_dump() if current is not None else {}), **value}
            setattr(att, name, RunRecord.model_validate(merged))
        else:
            setattr(att, name, value)


def _ensure_attempt(record: Any, number: int) -> Attempt:
    existing = record.attempt(number)
    if existing is not None:
        return existing
    expected = len(record.attempts) + 1
    if number != expected:
        raise StateError(
            f"{record.name} has {len(record.attempts)} attempt(s); the next one is {expected}, not {number}",
            "attempts are numbered 1, 2, 3… without gaps",
        )
    attempt = Attempt(number=number)
    record.attempts.append(attempt)
    return attempt


def start_attempt(
    store: StateStore, feature: str, attempt: int, *, actor: str = "orchestrator",
    params: dict[str, Any] | None = None, summary: str | None = None,
) -> State:
    """Begin (or resume) ``feature`` attempt ``attempt`` at the entrance stage."""
    _check_feature_or_meta(feature)
    check_attempt(attempt)
    params, summary = _clean(store, params, summary)

    def change(state: State) -> None:
        if state.status is Status.COMPLETED:
            check_transition(state.status, Status.IN_PROGRESS)
        rec = state.record(feature)
        if rec.status in (FeatureStatus.PASSED, FeatureStatus.ABANDONED) and feature != META:
            raise StateError(f"{feature} is {rec.status.value}; it takes no more attempts")
        existing = rec.attempt(attempt)
        closed = ""
        if existing is None:
            closed = _close_previous_attempt(rec)
        elif existing.status is not Status.IN_PROGRESS:
            check_transition(existing.status, Status.IN_PROGRESS)
        att = _ensure_attempt(rec, attempt)
        if params:
            att.params.update(params)
        att.versions = versions()
        att.status, att.resume_from = Status.IN_PROGRESS, "entrance"
        rec.status = FeatureStatus.IN_PROGRESS
        state.status = Status.IN_PROGRESS
        state.current_feature, state.current_attempt = feature, attempt
        state.resume_from = "entrance"
        state.error_type = state.error_context = state.kaggle_kernel = None
        _event(state, actor, (summary or f"{feature} attempt {attempt} started") + closed, Stage.ENTRANCE)

    new_state, _ = store.update(change)
    return new_state


def _close_previous_attempt(record: Any) -> str:
    """One open attempt per feature: starting attempt n+1 closes attempt n when it has no
    verdict (someone moved on by hand), but never while its kernel is still training."""
    latest = record.latest
    if latest is None or not latest.open:
        return ""
    if latest.status is Status.WAITING_TRAINING:
        raise StateError(
            f"{record.name} attempt {latest.number} is still training; attempt {latest.number + 1} "
            "starts after its result and verdict",
            "wait for the monitor (`goldloop monitor status`) or cancel the run first",
        )
    was = latest.status.value
    latest.status, latest.resume_from = Status.EVALUATED, None
    return f" (attempt {latest.number} closed without a verdict; it was {was})"


def update_attempt(
    store: StateStore, feature: str, attempt: int, *, actor: str, summary: str, **fields: Any
) -> State:
    """Merge fields (metrics, gates, kernel, params, error_type, …) into an attempt record."""
    _check_feature_or_meta(feature)
    check_attempt(attempt)
    _check_attempt_fields(fields)
    summary, fields = _clean(store, summary, fields)

    def change(state: State) -> None:
        att = state.record(feature).attempt(attempt)
        if att is None:
            raise StateError(f"{feature} has no attempt {attempt}", "start it first")
        _merge_fields(att, fields)
        _event(state, actor, summary, att.stage)

    new_state, _ = store.update(change)
    return new_state


def decide(
    store: StateStore,
    feature: str,
    attempt: int,
    verdict: str,
    *,
    max_attempts: int,
    plan: str | None = None,
    score: float | None = None,
    actor: str = "evaluator",
) -> State:
    """Record the evaluator's verdict; settle the feature when it passed or ran out of attempts.

    For the meta-model, ``verdict == "pass"`` means the attempt beat the best so far; the
    stop-rule counter ``attempts_since_best`` is kept here.
    """
    _check_feature_or_meta(feature)
    check_attempt(attempt)
    if verdict not in ("pass", "fail"):
        raise StateError(f"verdict must be 'pass' or 'fail', not {verdict!r}")
    plan = _clean(store, plan)

    def change(state: State) -> None:
        rec = state.record(feature)
        att = rec.attempt(attempt)
        if att is None:
            raise StateError(f"{feature} has no attempt {attempt}", "start it first")
        check_transition(Status.COMPLETED if state.status is Status.COMPLETED else att.status, Status.EVALUATED)
        att.verdict, att.plan, att.finished_at, att.stage = verdict, plan, utcnow(), Stage.EVAL
        att.status, att.resume_from = Status.EVALUATED, None
        if score is not None:
            att.metrics = {**att.metrics, "score": score}
        if feature == META:
            if verdict == "pass":
                rec.best_attempt, rec.attempts_since_best = attempt, 0
            else:
                rec.attempts_since_best += 1
        elif verdict == "pass":
            rec.status, rec.best_attempt = FeatureStatus.PASSED, attempt
        elif attempt >= max_attempts:
            rec.status = FeatureStatus.ABANDONED
            rec.reason = f"no pass in {attempt} attempts (limit {max_attempts})"
        state.status = Status.EVALUATED
        state.current_feature, state.current_attempt = feature, attempt
        state.resume_from = "orchestrator"
        state.kaggle_kernel = None
        outcome = {"pass": "PASS", "fail": "FAIL"}[verdict]
        _event(state, actor, f"{feature} attempt {attempt} - {outcome}" + (f": {plan}" if plan else ""), Stage.EVAL)

    new_state, _ = store.update(change)
    return new_state


def finalize(
    store: StateStore, attempt: int, *, summary: str, metrics: dict[str, Any] | None = None,
    waivers: dict[str, str] | None = None, actor: str = "evaluator",
) -> State:
    """Confirm a meta-model attempt as final and complete the project."""
    check_attempt(attempt)
    summary, metrics, waivers = _clean(store, summary, metrics, waivers)

    def change(state: State) -> None:
        check_transition(state.status, Status.COMPLETED)
        if state.meta.attempt(attempt) is None:
            raise StateError(f"the meta-model has no attempt {attempt}")
        state.final = FinalDecision(attempt=attempt, summary=summary, metrics=metrics or {}, waivers=waivers or {})
        state.meta.status = FeatureStatus.PASSED
        state.status = Status.COMPLETED
        state.resume_from = None
        _event(state, actor, f"project completed - attempt {attempt} confirmed as final meta-model", Stage.FINAL)

    new_state, _ = store.update(change)
    return new_state
