"""Compact views of the state for tool answers that must fit Claude Code's output limit.

``state.json`` of a finished project holds every gate's checks (~7k characters an attempt)
and the whole history; an agent needs the table (/status), one attempt in detail, or a page
of history — never all of it at once.
"""

from __future__ import annotations

from typing import Any

from goldloop.state.model import Attempt, FeatureRecord, State

GATES = ("gate1", "gate2", "gate3")
HEADLINE_METRICS = ("overfit_ratio", "score", "direction_accuracy", "sharpe", "mae", "datacheck")


def gate_marks(att: Attempt) -> str:
    """'G1 PASS · G2 PASS · G3 FAIL' (— for a gate not run)."""
    marks = []
    for i, name in enumerate(GATES, start=1):
        gate = att.gates.get(name)
        mark = "—" if not isinstance(gate, dict) or "pass" not in gate else ("PASS" if gate["pass"] else "FAIL")
        marks.append(f"G{i} {mark}")
    return " · ".join(marks)


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in HEADLINE_METRICS:
        value = metrics.get(key)
        if isinstance(value, float):
            value = round(value, 4)
        if value is not None and not isinstance(value, dict | list):
            out[key] = value
    return out


def attempt_row(att: Attempt) -> dict[str, Any]:
    row: dict[str, Any] = {"n": att.number, "stage": att.stage.value, "verdict": att.verdict,
                           "gates": gate_marks(att)}
    headline = _headline(att.metrics)
    if headline:
        row["metrics"] = headline
    if att.error_type:
        row["error_type"] = att.error_type
    return row


def _record_row(name: str, rec: FeatureRecord, state: State) -> dict[str, Any]:
    row: dict[str, Any] = {"feature": name, "status": rec.status.value, "best": rec.best_attempt,
                           "attempts": [attempt_row(a) for a in rec.attempts]}
    if name == state.current_feature:
        row["current_attempt"] = state.current_attempt
    if rec.reason:
        row["reason"] = rec.reason
    return row


def status_table(state: State, order: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per feature (``order`` first, e.g. goldloop.toml's), then ``meta``."""
    names = [n for n in (order or []) if n in state.features]
    names += [n for n in state.features if n not in names]
    rows = [_record_row(n, state.features[n], state) for n in names]
    if state.meta.attempts or state.current_feature == "meta":
        rows.append(_record_row("meta", state.meta, state))
    return rows


def compact_gates(gates: dict[str, Any]) -> dict[str, Any]:
    """Each gate's verdict and its checks as name → value (pass/fail), without the per-column
    detail (that stays in state.json and results/<feature>_<attempt>/gates.md)."""
    out: dict[str, Any] = {k: v for k, v in gates.items() if k not in GATES and not isinstance(v, dict | list)}
    for name in GATES:
        gate = gates.get(name)
        if not isinstance(gate, dict):
            continue
        checks = {}
        for check in gate.get("checks") or []:
            if isinstance(check, dict) and "name" in check:
                checks[check["name"]] = [check.get("value"), "pass" if check.get("pass") else "FAIL"]
        out[name] = {"pass": gate.get("pass"), "checks": checks}
    return out


def attempt_detail(state: State, feature: str, attempt: int | None = None) -> dict[str, Any] | None:
    """One attempt (default: the latest) with its params, metrics and compact gates."""
    rec = state.meta if feature == "meta" else state.features.get(feature)
    if rec is None or not rec.attempts:
        return None
    att = rec.attempt(attempt) if attempt else rec.latest
    if att is None:
        return None
    data = att.model_dump(mode="json")
    data["gates"] = compact_gates(att.gates)
    data["feature"] = feature
    return data


def history_page(state: State, page: int = 1, size: int = 20) -> dict[str, Any]:
    """Events newest first, ``size`` a page."""
    size = max(1, min(size, 100))
    total = len(state.history)
    pages = max(1, -(-total // size))
    page = max(1, min(page, pages))
    newest_first = state.history[::-1][(page - 1) * size : page * size]
    return {"events": [e.model_dump(mode="json", exclude_none=True) for e in newest_first],
            "page": page, "pages": pages, "total": total}


def full_view(state: State) -> dict[str, Any]:
    """Every record without the history and with each attempt's gates as marks and its
    metrics as headline numbers (view=attempt has one attempt's details)."""
    data = state.model_dump(mode="json", exclude={"history"})
    records = [*data["features"].values(), data["meta"]]
    for rec in records:
        for att, model in zip(rec["attempts"], _attempts(state, rec["name"]), strict=True):
            att["gates"] = gate_marks(model)
            att["metrics"] = _headline(model.metrics)
    data["history"] = f"{len(state.history)} events: state_get view=history pages them"
    return data


def _attempts(state: State, name: str) -> list[Attempt]:
    return (state.meta if name == "meta" else state.features[name]).attempts
