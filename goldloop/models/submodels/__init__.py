"""Submodels: one per feature family, looked up through the data catalog.

``for_feature('vix')`` gives the class; ``variations('vix')`` the parameter sets the
autopilot tries on attempts 1, 2, 3, … (attempt n uses entry (n-1) mod len).
"""

from __future__ import annotations

import importlib
from typing import Any

from goldloop.errors import GoldloopError

# class name -> module; modules import numpy/pandas/hmmlearn, so load them only when asked.
REGISTRY = {
    "HMMRegime": "hmm",
    "Persistence": "persistence",
    "VolatilityRegime": "volatility",
    "ZScoreState": "zscore",
    "GRUAutoencoder": "gru",
}


def submodel_class(name: str) -> type:
    if name not in REGISTRY:
        raise GoldloopError(f"unknown submodel {name!r}", f"use one of: {', '.join(REGISTRY)}")
    module = importlib.import_module(f"goldloop.models.submodels.{REGISTRY[name]}")
    return getattr(module, name)


def module_path(name: str) -> str:
    """The module that defines submodel class ``name`` (for inlining into notebooks)."""
    return f"goldloop.models.submodels.{REGISTRY[name]}"


def for_feature(feature: str) -> type:
    """The submodel class of a feature family (see goldloop/data/catalog.toml)."""
    from goldloop.data.catalog import catalog

    if feature == "meta":
        raise GoldloopError("'meta' is the meta-model, not a submodel",
                            "use goldloop.models.meta.fit_meta")
    return submodel_class(catalog().family(feature).submodel)


def variations(feature: str) -> list[dict[str, Any]]:
    """Full parameter sets (defaults merged) the autopilot tries, one per attempt."""
    cls = for_feature(feature)
    return [{**cls.DEFAULTS, **v} for v in cls.VARIATIONS]


def params_for_attempt(feature: str, attempt: int) -> dict[str, Any]:
    options = variations(feature)
    return options[(attempt - 1) % len(options)]


def available(feature: str) -> bool:
    """False when the family's submodel needs a package that is not installed (e.g. torch)."""
    import importlib.util

    return all(importlib.util.find_spec(p) is not None for p in for_feature(feature).REQUIRES)
