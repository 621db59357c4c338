"""A SlotEmulator; the kaggle client is pointed at it (credentials and HOME come from the
Kaggle tests' ``emulator`` fixture, whose plain emulator then stays idle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kaggle.conftest import KEY, emulator  # noqa: F401 - the fixture this one builds on
from tests.parallel.slot_emulator import SlotEmulator


@pytest.fixture()
def slot_emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator):  # noqa: F811
    em = SlotEmulator(tmp_path / "slot-emulator", users={"tester": KEY}, gpu_slots=2, run_seconds=1.5).start()
    monkeypatch.setenv("GOLDLOOP_KAGGLE_API_URL", em.url)
    monkeypatch.setenv("GOLDLOOP_KAGGLE_TIMEOUT", "5")
    yield em
    from goldloop.kaggle import monitor

    for ws in tmp_path.iterdir():  # no monitor outlives the test
        if (ws / "goldloop.toml").is_file():
            monitor.stop(ws)
    em.stop()
