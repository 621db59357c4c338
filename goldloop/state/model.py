"""The state model: what ``shared/state.json`` holds.

The original kept ``{"status", "current_feature", "current_attempt", "resume_from",
"kaggle_kernel"}``; we keep those names at the top level and add per-feature records,
the meta-model record, the final decision and an append-only history.

Since schema 2 several attempts may be in flight at once, so each attempt carries its own
``status`` (the loop status of *that* attempt) and its own ``run`` record (where and how its
kernel runs). The top-level fields keep the original's names and mean **the most recent
step**: ``status``/``current_feature``/``current_attempt``/``resume_from`` are those of the
attempt that changed last, ``kaggle_kernel`` is the kernel of that attempt while it trains.
A sequential run therefore reads exactly as before; a parallel one is read per attempt
(:meth:`State.open_attempts`, :meth:`State.in_flight`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from goldloop.names import FEATURE_RE, Stage

SCHEMA_VERSION = 2


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Status(StrEnum):
    """The loop's global status. Allowed moves between them: ``transitions.TRANSITIONS``."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    WAITING_TRAINING = "waiting_training"
    TRAINING_COMPLETE = "training_complete"
    TRAINING_FAILED = "training_failed"
    EVALUATED = "evaluated"
    COMPLETED = "completed"


class FeatureStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FAILED = "failed"
    ABANDONED = "abandoned"


Agent = Literal[
    "orchestrator",
    "entrance",
    "researcher",
    "architect",
    "builder_data",
    "datachecker",
    "builder_model",
    "evaluator",
]
AGENTS: tuple[str, ...] = Agent.__args__  # type: ignore[attr-defined]

Verdict = Literal["pass", "fail"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# owner/slug; both parts name local folders too, so no path tricks ("..", "/", "\\")
KERNEL_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}/[A-Za-z0-9_.-]{1,100}$")


def _kernel_ref(value: str | None) -> str | None:
    if value is not None and (not KERNEL_RE.fullmatch(value) or ".." in value):
        raise ValueError(f"{value[:80]!r} is not a Kaggle kernel reference (owner/slug)")
    return value
# The statuses an attempt itself can be in (the global ones minus not_started/completed).
ATTEMPT_STATUSES = frozenset({
    Status.IN_PROGRESS, Status.WAITING_TRAINING, Status.TRAINING_COMPLETE,
    Status.TRAINING_FAILED, Status.EVALUATED,
})

Accelerator = Literal["gpu", "cpu"]


class RunRecord(_Model):
    """One attempt's kernel run: where it runs, which version, and how it ended.

    ``state`` is the backend's run state in lower case (queued, running, complete, error,
    cancelled); ``error_class`` the classifier's verdict for a failed run.
    """

    backend: str
    kernel: str
    version: int | None = None
    accelerator: Accelerator = "cpu"
    submitted_at: str = Field(default_factory=utcnow)
    finished_at: str | None = None
    state: Literal["queued", "running", "complete", "error", "cancelled"] = "queued"
    error_class: str | None = None

    @field_validator("kernel")
    @classmethod
    def _kernel(cls, value: str) -> str:
        return _kernel_ref(value)


class Attempt(_Model):
    number: int = Field(ge=1)
    # this attempt's own loop status; the top-level status mirrors the most recent step's
    status: Status = Status.IN_PROGRESS
    stage: Stage = Stage.ENTRANCE
    resume_from: Agent | None = None  # the agent that continues this attempt
    started_at: str = Field(default_factory=utcnow)
    finished_at: str | None = None
    kernel: str | None = None
    kernel_version: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    gates: dict[str, Any] = Field(default_factory=dict)
    verdict: Verdict | None = None
    plan: str | None = None
    error_type: str | None = None
    error_context: str | None = None
    retries: int = Field(0, ge=0)
    # goldloop, kaggle, xgboost, pandas, python when the attempt started (goldloop.versions)
    versions: dict[str, str] = Field(default_factory=dict)

    @field_validator("kernel")
    @classmethod
    def _kernel(cls, value: str | None) -> str | None:
        return _kernel_ref(value)
    run: RunRecord | None = None

    @property
    def open(self) -> bool:
        """Not evaluated yet: some step of this attempt is still to do."""
        return self.status is not Status.EVALUATED


class FeatureRecord(_Model):
    name: str = Field(pattern=FEATURE_RE.pattern)
    status: FeatureStatus = FeatureStatus.PENDING
    attempts: list[Attempt] = Field(default_factory=list)
    best_attempt: int | None = None
    # meta-model stop rule: attempts in a row that did not beat the best
    attempts_since_best: int = Field(0, ge=0)
    reason: str | None = None

    def attempt(self, number: int) -> Attempt | None:
        return next((a for a in self.attempts if a.number == number), None)

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None


class FinalDecision(_Model):
    attempt: int = Field(ge=1)
    summary: str
    metrics: dict[str, Any] = Field(default_factory=dict)
    waivers: dict[str, str] = Field(default_factory=dict)
    decided_at: str = Field(default_factory=utcnow)


class Event(_Model):
    at: str = Field(default_factory=utcnow)
    actor: str
    stage: Stage | None = None
    status: Status
    feature: str | None = None
    attempt: int | None = None
    summary: str


class State(_Model):
    schema_version: int = SCHEMA_VERSION
    project: str = "gold"
    status: Status = Status.NOT_STARTED
    current_feature: str | None = Field(None, pattern=FEATURE_RE.pattern)
    current_attempt: int | None = Field(None, ge=1)
    resume_from: Agent | None = None
    kaggle_kernel: str | None = None
    error_type: str | None = None
    error_context: str | None = None
    features: dict[str, FeatureRecord] = Field(default_factory=dict)
    meta: FeatureRecord = Field(default_factory=lambda: FeatureRecord(name="meta"))
    final: FinalDecision | None = None
    updated_at: str = Field(default_factory=utcnow)
    history: list[Event] = Field(default_factory=list)

    @field_validator("kaggle_kernel")
    @classmethod
    def _kernel(cls, value: str | None) -> str | None:
        return _kernel_ref(value)

    @model_validator(mode="after")
    def _feature_keys(self) -> State:
        # the keys name folders (data/<feature>_<n>, results/…): the same rule as feature names
        for key, rec in self.features.items():
            if not FEATURE_RE.fullmatch(key) or key == "meta" or key != rec.name:
                raise ValueError(f"features key {key[:80]!r} must be a feature name ([a-z0-9_]) equal "
                                 f"to its record's name {rec.name!r}")
        return self

    def record(self, feature: str) -> FeatureRecord:
        """The record of a feature, or of the meta-model for ``"meta"``."""
        if feature == "meta":
            return self.meta
        if feature not in self.features:
            self.features[feature] = FeatureRecord(name=feature)
        return self.features[feature]

    def records(self) -> list[FeatureRecord]:
        """Every feature record, then the meta-model's."""
        return [*self.features.values(), self.meta]

    def open_attempts(self) -> list[tuple[str, Attempt]]:
        """(feature, attempt) of every attempt not evaluated yet, in record order."""
        return [(rec.name, att) for rec in self.records() for att in rec.attempts if att.open]

    def attempt_status(self, feature: str, number: int) -> Status | None:
        """The own status of ``feature`` attempt ``number`` (None when it does not exist)."""
        rec = self.meta if feature == "meta" else self.features.get(feature)
        att = rec.attempt(number) if rec else None
        return att.status if att else None

    def in_flight(self) -> list[tuple[str, Attempt]]:
        """(feature, attempt) of every attempt whose kernel is pushed and not finished."""
        return [(name, att) for name, att in self.open_attempts() if att.status is Status.WAITING_TRAINING]

    def summary(self) -> dict[str, Any]:
        """The compact, original-style view (no history)."""
        return {
            "status": self.status.value,
            "current_feature": self.current_feature,
            "current_attempt": self.current_attempt,
            "resume_from": self.resume_from,
            "kaggle_kernel": self.kaggle_kernel,
            "error_type": self.error_type,
            "features": {
                name: {
                    "status": rec.status.value,
                    "attempts": len(rec.attempts),
                    "best_attempt": rec.best_attempt,
                }
                for name, rec in self.features.items()
            },
            "meta": {
                "status": self.meta.status.value,
                "attempts": len(self.meta.attempts),
                "best_attempt": self.meta.best_attempt,
                "attempts_since_best": self.meta.attempts_since_best,
            },
            "in_flight": [
                {"feature": name, "attempt": att.number, "kernel": att.kernel,
                 "backend": att.run.backend if att.run else None,
                 "accelerator": att.run.accelerator if att.run else None,
                 "submitted_at": att.run.submitted_at if att.run else None}
                for name, att in self.in_flight()
            ],
            "open_attempts": [
                {"feature": name, "attempt": att.number, "status": att.status.value, "stage": att.stage.value}
                for name, att in self.open_attempts()
            ],
            "final": self.final.model_dump() if self.final else None,
            "events": len(self.history),
        }
