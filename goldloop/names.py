"""Validation of the names that cross adapter boundaries (feature names, attempts, stages)."""

from __future__ import annotations

import re
from enum import StrEnum

from goldloop.errors import GoldloopError

CONFIG_FILE = "goldloop.toml"  # marks a workspace root (here, not in config: no pydantic import)

FEATURE_RE = re.compile(r"^[a-z0-9_]{1,48}$")
META = "meta"  # the meta-model is recorded like a feature under this reserved name


class Stage(StrEnum):
    """The steps of one attempt, in order, as they appear in commit messages."""

    ENTRANCE = "entrance"
    RESEARCH = "research"
    DESIGN = "design"
    DATA = "data"
    DATACHECK = "datacheck"
    MODEL = "model"
    KAGGLE = "kaggle"
    EVAL = "eval"
    FINAL = "final"


def check_feature(name: str) -> str:
    if not isinstance(name, str) or not FEATURE_RE.fullmatch(name):
        raise GoldloopError(
            f"invalid feature name {name!r}",
            "use 1-48 characters from a-z, 0-9 and _ (for example 'vix' or 'real_rate')",
        )
    return name


def check_attempt(attempt: int) -> int:
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise GoldloopError(f"invalid attempt {attempt!r}", "attempts are whole numbers from 1")
    return attempt


def check_stage(stage: str) -> Stage:
    try:
        return Stage(stage)
    except ValueError:
        allowed = ", ".join(s.value for s in Stage)
        raise GoldloopError(f"unknown stage {stage!r}", f"use one of: {allowed}") from None
