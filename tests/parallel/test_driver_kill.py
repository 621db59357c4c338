"""SIGKILL the parallel driver with two runs in flight; a new driver watches both to the end
and pushes neither again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from goldloop.state.model import Status
from goldloop.workspace import init_workspace
from tests.conftest import REPO
from tests.kaggle.conftest import read_state, wait_for
from tests.parallel import scripted_loop


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_sigkill_with_two_runs_in_flight_then_restart(tmp_path, slot_emulator):
    slot_emulator.run_seconds = 8.0  # long enough to kill the driver while both train
    workspace, _ = init_workspace(tmp_path / "ws", name="gold", owner="tester")
    root = workspace.root
    scripted_loop.configure(root, features=["vix", "regime"])
    driver = subprocess.Popen([sys.executable, "-m", "tests.parallel.scripted_loop", str(root), "2"],
                              cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        wait_for(lambda: len(read_state(root).in_flight()) == 2, timeout=240, every=0.2)
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(10)
    flying = {(f, a.number): a.kernel for f, a in read_state(root).in_flight()}
    assert set(flying) == {("vix", 1), ("regime", 1)}
    assert all(slot_emulator.pushes[k] == 1 for k in flying.values())

    scripted_loop.drive(root, parallel=2)  # the restart, in this process

    state = read_state(root)
    assert state.status is Status.COMPLETED
    assert all(count == 1 for count in slot_emulator.pushes.values()), slot_emulator.pushes
    for feature in ("vix", "regime"):
        first = state.features[feature].attempt(1)
        assert first.verdict == "fail" and first.run.state == "complete" and first.run.finished_at
