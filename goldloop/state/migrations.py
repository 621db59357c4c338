"""Upgrade older state.json layouts to the current ``schema_version``, step by step."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from goldloop.errors import StateError

# The original project's flat layout had no schema_version: call it version 0.
_ORIGINAL_KEYS = {
    "status", "current_feature", "current_attempt", "resume_from",
    "kaggle_kernel", "error_type", "error_context",
}
_STATUS_FROM_ORIGINAL = {
    "waiting_training": "waiting_training",
    "training_complete": "training_complete",
    "training_failed": "training_failed",
    "in_progress": "in_progress",
    "completed": "completed",
    "not_started": "not_started",
}


def _v0_to_v1(raw: dict[str, Any]) -> dict[str, Any]:
    from goldloop.state.model import utcnow

    status = _STATUS_FROM_ORIGINAL.get(str(raw.get("status")), "in_progress")
    upgraded: dict[str, Any] = {k: raw[k] for k in _ORIGINAL_KEYS if raw.get(k) is not None}
    upgraded.update(schema_version=1, status=status)
    feature, attempt = raw.get("current_feature"), raw.get("current_attempt")
    if feature and feature != "meta" and isinstance(attempt, int) and attempt >= 1:
        upgraded["features"] = {
            feature: {
                "name": feature,
                "status": "in_progress",
                "attempts": [{"number": n} for n in range(1, attempt + 1)],
            }
        }
    extra = {k: v for k, v in raw.items() if k not in _ORIGINAL_KEYS}
    note = "migrated from the original flat state.json (schema 0)"
    if extra:  # nothing is dropped: unknown keys are kept verbatim in the history
        note += "; extra keys kept here: " + json.dumps(extra, ensure_ascii=False)
    upgraded["history"] = [{"at": utcnow(), "actor": "goldloop", "status": status, "summary": note}]
    return upgraded


# Schema 1 was sequential: one global status for the one attempt in flight.
_OPEN_STATUSES = {"in_progress", "waiting_training", "training_complete", "training_failed"}


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Give every attempt its own status (schema 2: several attempts in flight at once).

    The current attempt takes the global status; every other attempt was settled by the
    sequential loop (it moved on only after a verdict), so it is ``evaluated``. An attempt
    the old loop left without a verdict is named in the history, not silently reopened.
    """
    from goldloop.state.model import utcnow

    upgraded = {**raw, "schema_version": 2}
    status = str(raw.get("status"))
    current = (raw.get("current_feature"), raw.get("current_attempt"))
    records = [*(raw.get("features") or {}).values()]
    if isinstance(raw.get("meta"), dict):
        records.append(raw["meta"])
    closed = []
    for rec in records:
        if not isinstance(rec, dict):
            continue
        for att in rec.get("attempts") or []:
            if not isinstance(att, dict) or "status" in att:
                continue
            is_current = (rec.get("name"), att.get("number")) == current
            if is_current and status in _OPEN_STATUSES and att.get("verdict") is None:
                att["status"] = status
            else:
                att["status"] = "evaluated"
                if att.get("verdict") is None and not (is_current and status == "evaluated"):
                    closed.append(f"{rec.get('name')} attempt {att.get('number')}")
    note = "migrated to schema 2: every attempt carries its own status"
    if closed:
        note += "; closed without a verdict (the sequential loop had moved on): " + ", ".join(closed)
    upgraded["history"] = [*(raw.get("history") or []),
                           {"at": utcnow(), "actor": "goldloop", "status": status if status else "not_started",
                            "summary": note}]
    return upgraded


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1, 1: _v1_to_v2}


def migrate(raw: dict[str, Any], source: str) -> dict[str, Any]:
    from goldloop.state.model import SCHEMA_VERSION

    version = raw.get("schema_version", 0)
    if not isinstance(version, int) or version < 0:
        raise StateError(
            f"{source} has a bad schema_version {version!r}",
            "it must be an integer; or run `goldloop state recover` to restore a valid version",
        )
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{source} was written by a newer goldloop (schema {version} > {SCHEMA_VERSION})",
            "upgrade goldloop (pip install -U goldloop), or run `goldloop state recover` "
            "to go back to the newest version this goldloop can read",
        )
    while version < SCHEMA_VERSION:
        raw = MIGRATIONS[version](raw)
        version = raw["schema_version"]
    return raw
