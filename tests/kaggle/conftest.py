"""Fixtures for the Kaggle tests: a workspace with a started attempt and fast polling, the
API emulator, and an environment whose kaggle client talks to it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from goldloop.kaggle.emulator import KaggleEmulator

KEY = "0123456789abcdef0123456789abcdef"
CONFIG = """\
features = ["vix", "gold_technicals"]
[project]
name = "gold"
[kaggle]
owner = "tester"
backend = "{backend}"
poll_seconds = 0.2
max_wait_minutes = 3
run_timeout_minutes = {run_timeout}
{kaggle_extra}
"""


def configure(root: Path, backend: str = "local", run_timeout: float = 2, kaggle_extra: str = "") -> None:
    """goldloop.toml for the tests; ``kaggle_extra`` lines go into the [kaggle] table."""
    text = CONFIG.format(backend=backend, run_timeout=run_timeout, kaggle_extra=kaggle_extra)
    (root / "goldloop.toml").write_text(text, encoding="utf-8")


def start(root: Path, feature: str = "vix", attempt: int = 1) -> None:
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    start_attempt(StateStore(Workspace(root)), feature, attempt)


def wait_for(predicate: Callable[[], object], timeout: float = 60.0, every: float = 0.1) -> object:
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s")


def read_state(root: Path):
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    return StateStore(Workspace(root)).read()


@pytest.fixture()
def kws(ws, monkeypatch):
    """A workspace (local backend, 0.2 s polls) with vix attempt 1 started; monitors stopped after."""
    configure(ws.root)
    start(ws.root)
    yield ws
    from goldloop.kaggle import monitor

    monitor.stop(ws.root)


@pytest.fixture()
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A running emulator, with the process environment pointing the kaggle client at it."""
    em = KaggleEmulator(tmp_path / "emulator", users={"tester": KEY}).start()
    for name in ("KAGGLE_API_TOKEN", "KAGGLE_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAGGLE_USERNAME", "tester")
    monkeypatch.setenv("KAGGLE_KEY", KEY)
    monkeypatch.setenv("GOLDLOOP_KAGGLE_API_URL", em.url)
    monkeypatch.setenv("GOLDLOOP_KAGGLE_TIMEOUT", "3")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no real ~/.kaggle
    yield em
    em.stop()


@pytest.fixture()
def kaggle_ws(kws, emulator):
    configure(kws.root, backend="kaggle")
    return kws


def env_for_subprocess() -> dict[str, str]:
    return dict(os.environ)
