"""The one table of allowed status changes, and how to apply one."""

from __future__ import annotations

from goldloop.errors import TransitionError
from goldloop.state.model import Status

S = Status

# from-status → the statuses it may move to. Staying put is allowed where a stage advances
# within the same status (in_progress → in_progress) or a kernel is resubmitted.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NOT_STARTED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.IN_PROGRESS, S.WAITING_TRAINING, S.EVALUATED}),
    S.WAITING_TRAINING: frozenset(
        {S.WAITING_TRAINING, S.TRAINING_COMPLETE, S.TRAINING_FAILED, S.IN_PROGRESS}
    ),
    S.TRAINING_COMPLETE: frozenset({S.IN_PROGRESS, S.EVALUATED}),
    S.TRAINING_FAILED: frozenset({S.IN_PROGRESS, S.WAITING_TRAINING, S.EVALUATED}),
    S.EVALUATED: frozenset({S.IN_PROGRESS, S.COMPLETED}),
    S.COMPLETED: frozenset(),
}

# Why each status exists — shown by `goldloop state transitions` and in the README.
MEANING: dict[Status, str] = {
    S.NOT_STARTED: "workspace scaffolded, no attempt begun",
    S.IN_PROGRESS: "an agent works on a stage of the current attempt (resume_from names it)",
    S.WAITING_TRAINING: "a kernel is pushed; the monitor polls it",
    S.TRAINING_COMPLETE: "outputs fetched; the evaluator runs the gates",
    S.TRAINING_FAILED: "the kernel failed; error_type picks the route",
    S.EVALUATED: "the evaluator decided; the planner picks the next attempt or feature",
    S.COMPLETED: "the final meta-model is confirmed; nothing left to do",
}


def check_transition(current: Status, target: Status) -> None:
    allowed = TRANSITIONS[current]
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none: the project is completed"
        raise TransitionError(
            f"cannot move from {current.value!r} to {target.value!r}",
            f"from {current.value!r} the allowed statuses are: {options}. "
            "Run `goldloop next` to see what should happen now.",
        )
