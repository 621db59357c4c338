"""The validator's result types: one :class:`Finding` per problem, one :class:`Report` per path."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from goldloop.errors import GoldloopError

Severity = Literal["error", "warning"]

# Fixed category names: tools and people filter on them (see the table).
CATEGORIES = (
    "syntax",
    "method_case",
    "shap_xgboost",
    "dataset_path",
    "kernel_metadata",
    "undefined_name",
    "pandas_api",
    "optuna_space",
    "yfinance_empty",
    "gpu_consistency",
    "secret",
    "internet",
    "saved_outputs",
    "output_path",
    "imports",
    "keras_api",
)


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    message: str
    cell: int | None  # 1-based index among code cells; None for scripts and metadata
    line: int | None  # 1-based line inside the cell (or the script)
    hint: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    path: str
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "skipped": list(self.skipped),
        }


def errors(report: Report) -> list[Finding]:
    """The findings that block a push."""
    return [f for f in report.findings if f.severity == "error"]


def location(cell: int | None, line: int | None) -> str:
    parts = []
    if cell is not None:
        parts.append(f"cell {cell}")
    if line is not None:
        parts.append(f"line {line}")
    return ", ".join(parts) or "kernel"


class ValidationInputError(GoldloopError):
    """The path cannot be validated at all (missing, not a notebook, a folder without one)."""
