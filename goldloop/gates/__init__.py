"""Gate 1/2/3 and the final evaluation: statistically honest verdicts with reports and plots.

Public API (imports are lazy so the CLI and MCP server start fast):
``check``, ``truncation_test``, ``run_for_attempt``, ``final_evaluation``, ``final_for_attempt``,
``GateResult``, ``GateInputError``.
"""

from __future__ import annotations

from typing import Any

from goldloop.errors import GateInputError

_EXPORTS = {
    "check": "goldloop.gates.runner",
    "run_for_attempt": "goldloop.gates.runner",
    "normalize_gates": "goldloop.gates.runner",
    "truncation_test": "goldloop.gates.gate1",
    "final_evaluation": "goldloop.gates.final",
    "final_for_attempt": "goldloop.gates.final",
    "GateResult": "goldloop.gates.result",
}

__all__ = ["GateInputError", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'goldloop.gates' has no attribute {name!r}")
