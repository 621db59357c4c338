"""GateResult: the verdicts, their figures, and the daily series the plots need."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

GATE_NAMES = ("gate1", "gate2", "gate3")


def jsonable(value: Any) -> Any:
    """Plain JSON types only: numpy scalars become floats, NaN/inf become None."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    return value


@dataclass
class GateResult:
    gates: dict[str, dict[str, Any]]
    inputs: dict[str, Any] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict, repr=False)  # for plots, not stored

    @property
    def passed(self) -> bool:
        return bool(self.gates) and all(g["pass"] for g in self.gates.values())

    def summary(self) -> str:
        parts = []
        for name, gate in self.gates.items():
            word = gate.get("verdict") or ("pass" if gate["pass"] else "fail")
            parts.append(f"{name} {word}")
        return ("PASS" if self.passed else "FAIL") + " (" + ", ".join(parts) + ")"

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"pass": self.passed, "summary": self.summary(), **self.gates, "inputs": self.inputs})
