"""Fixtures for the gates' tests: a synthetic panel with known truth (goldloop.gates.synthetic)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def panel():
    from goldloop.gates import synthetic

    return synthetic.panel(rows=1200, base_columns=10, seed=0)


@pytest.fixture(scope="session")
def settings():
    from goldloop.config import GateSettings

    return GateSettings()


@pytest.fixture(scope="session", autouse=True)
def one_xgboost_thread():
    """pytest -n 2 already fills both cores; two OpenMP threads per worker would spin-wait."""
    import os

    old = os.environ.get("GOLDLOOP_NTHREAD")
    os.environ["GOLDLOOP_NTHREAD"] = "1"
    yield
    if old is None:
        os.environ.pop("GOLDLOOP_NTHREAD", None)
    else:
        os.environ["GOLDLOOP_NTHREAD"] = old
