"""The attempts table: one row per attempt of every feature and of the meta-model.

Like an experiment tracker's runs table: feature, attempt, params, stage, the gate figures
(the primary test's statistic and p-value, ΔDA, ΔSharpe, MI gain, max VIF), the verdict and
the run time; exported as JSON or CSV (``goldloop attempts --csv`` round-trips through
``read_csv``). State is read only through the accessors at the top, so a change of how state
stores attempts touches them alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from goldloop.names import META

COLUMNS = ["feature", "attempt", "params", "stage", "gate1", "gate2", "gate3", "primary_stat",
           "primary_p", "delta_da_pp", "delta_sharpe", "mi_gain", "max_vif", "score", "verdict",
           "started_at", "run_seconds"]
NUMERIC = {"attempt", "primary_stat", "primary_p", "delta_da_pp", "delta_sharpe", "mi_gain", "max_vif",
           "score", "run_seconds"}


# -- accessors: the only places that know how state keeps attempts --------------------------
def feature_records(state: Any) -> Iterator[tuple[str, Any]]:
    """(feature name, record) for every feature, then the meta-model."""
    yield from state.features.items()
    yield META, state.meta


def attempts_of(record: Any) -> list[Any]:
    return list(getattr(record, "attempts", None) or getattr(record, "runs", None) or [])


def attempt_fields(attempt: Any) -> dict[str, Any]:
    data = attempt.model_dump(mode="json") if hasattr(attempt, "model_dump") else dict(attempt)
    return {"number": data.get("number") or data.get("attempt"), "stage": data.get("stage"),
            "params": data.get("params") or {}, "metrics": data.get("metrics") or {},
            "gates": data.get("gates") or {}, "verdict": data.get("verdict"),
            "started_at": data.get("started_at"), "finished_at": data.get("finished_at")}


# -- the rows ----------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _seconds(start: str | None, end: str | None) -> float | None:
    if not (start and end):
        return None
    try:
        return (datetime.fromisoformat(end.replace("Z", "+00:00"))
                - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return None


def _gate_pass(gates: dict[str, Any], name: str) -> str:
    gate = gates.get(name)
    return "" if not isinstance(gate, dict) else ("pass" if gate.get("pass") else "fail")


def _primary(gate3: dict[str, Any]) -> tuple[float | None, float | None]:
    """The primary test of Gate 3: its own 'primary' entry, else Diebold-Mariano on MSE."""
    primary = gate3.get("primary")
    if isinstance(primary, dict):
        return _num(primary.get("statistic", primary.get("stat"))), _num(primary.get("p_value"))
    dm = (gate3.get("diebold_mariano") or {}).get("mse") or {}
    return _num(dm.get("dm_stat", dm.get("statistic"))), _num(dm.get("p_value"))


def row(feature: str, attempt: Any) -> dict[str, Any]:
    f = attempt_fields(attempt)
    gates = f["gates"]
    gate2, gate3 = gates.get("gate2") or {}, gates.get("gate3") or {}
    deltas = gate3.get("deltas") or {}
    stat, p_value = _primary(gate3)
    vifs = [_num(v) for v in (gate2.get("vif") or {}).values()]
    return {
        "feature": feature,
        "attempt": f["number"],
        "params": json.dumps(f["params"], sort_keys=True, separators=(",", ":")),
        "stage": f["stage"],
        "gate1": _gate_pass(gates, "gate1"),
        "gate2": _gate_pass(gates, "gate2"),
        "gate3": _gate_pass(gates, "gate3"),
        "primary_stat": stat,
        "primary_p": p_value,
        "delta_da_pp": _num((deltas.get("direction_accuracy_pp") or {}).get("value")),
        "delta_sharpe": _num((deltas.get("sharpe") or {}).get("value")),
        "mi_gain": _num((gate2.get("mutual_information") or {}).get("mi_increase")),
        "max_vif": max((v for v in vifs if v is not None), default=None),
        "score": _num(f["metrics"].get("score")),
        "verdict": f["verdict"] or "",
        "started_at": f["started_at"],
        "run_seconds": _seconds(f["started_at"], f["finished_at"]),
    }


def attempt_table(state: Any, feature: str | None = None) -> list[dict[str, Any]]:
    """Every attempt as a row, features in state order, then the meta-model."""
    return [row(name, att) for name, record in feature_records(state)
            if feature in (None, name) for att in attempts_of(record)]


# -- export -------------------------------------------------------------------------------
def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r.get(k) is None else r.get(k) for k in COLUMNS})
    return buffer.getvalue()


def from_csv(text: str) -> list[dict[str, Any]]:
    """The rows ``to_csv`` wrote, with numbers and empty cells (None) restored."""
    out = []
    for raw in csv.DictReader(io.StringIO(text)):
        parsed: dict[str, Any] = {}
        for key in COLUMNS:
            value = raw.get(key, "")
            if value == "":
                parsed[key] = "" if key in ("gate1", "gate2", "gate3", "verdict") else None
            elif key == "attempt":
                parsed[key] = int(value)
            elif key in NUMERIC:
                parsed[key] = float(value)
            else:
                parsed[key] = value
        out.append(parsed)
    return out
