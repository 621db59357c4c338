"""States that cannot happen: checked on every read and every write of state.json.

The JSON Schema checks each field on its own; these rules tie fields together. A state
that breaks one was not made by the loop (a hand edit, a bug), so the store refuses it
rather than letting the planner act on it — a ``completed`` status with no final decision
would otherwise end the project silently.
"""

from __future__ import annotations

from goldloop.names import META
from goldloop.state.model import FeatureRecord, FeatureStatus, State, Status


def _record_problems(record: FeatureRecord) -> list[str]:
    problems = []
    numbers = {a.number for a in record.attempts}
    label = record.name
    if record.best_attempt is not None and record.best_attempt not in numbers:
        problems.append(f"{label}: best_attempt {record.best_attempt} is not one of its attempts")
    for att in record.attempts:
        if att.verdict != "pass":
            continue
        if label == META and "score" not in att.metrics:
            problems.append(f"meta attempt {att.number} has verdict pass but no validation score")
        elif label != META and not att.gates:
            problems.append(f"{label} attempt {att.number} has verdict pass but no gate results")
    if label != META and record.status is FeatureStatus.PASSED:
        best = record.attempt(record.best_attempt) if record.best_attempt else None
        if best is None or best.verdict != "pass":
            problems.append(f"{label} is passed but has no attempt with verdict pass as its best_attempt")
    return problems


def impossibilities(state: State) -> list[str]:
    """Readable problems; empty when the state is one the loop can reach."""
    problems: list[str] = []
    if state.status is Status.COMPLETED and state.final is None:
        problems.append("status is completed but there is no final decision "
                        "(only final_confirm completes a project)")
    if state.final is not None:
        if state.status is not Status.COMPLETED:
            problems.append(f"a final decision is recorded but status is {state.status.value}")
        if state.meta.attempt(state.final.attempt) is None:
            problems.append(f"the final decision names meta attempt {state.final.attempt}, which does not exist")
    if state.current_attempt is not None and state.current_feature is None:
        problems.append("current_attempt is set without a current_feature")
    for record in (*state.features.values(), state.meta):
        problems += _record_problems(record)
    for name, record in state.features.items():
        if record.name != name:
            problems.append(f"features.{name} holds the record of {record.name}")
    return problems
