"""The detached monitor as a process: SIGKILL mid-poll + restart finishes the job; two
monitors for one kernel are impossible; stop leaves the run and state alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from goldloop.gitlog import log_messages
from goldloop.kaggle import monitor
from goldloop.kaggle.submit import submit
from tests.kaggle.conftest import read_state, wait_for
from tests.kaggle.kernels import make_kernel


def _job(root):
    rows = [r for r in monitor.status(root) if r["kernel"] == "tester/gold-vix-1"]
    return rows[0] if rows else None


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_monitor_killed_mid_poll_and_restarted_finishes_the_job(kws):
    folder = make_kernel(kws.root, "vix", 1, sleep=4)
    submit(kws.root, folder, "vix", 1)
    first = wait_for(lambda: (j := _job(kws.root)) and j["alive"] and j["polls"] >= 2 and j)
    os.kill(first["pid"], signal.SIGKILL)
    dead = wait_for(lambda: (j := _job(kws.root)) and not j["alive"] and j)
    assert dead["phase"] == "dead" and read_state(kws.root).status.value == "waiting_training"
    restarted = monitor.restart_dead(kws.root)
    assert restarted and restarted[0]["started"] and restarted[0]["pid"] != first["pid"]
    assert monitor.restart_dead(kws.root) == []  # alive now: nothing to restart
    wait_for(lambda: read_state(kws.root).status.value == "training_complete", timeout=90)
    wait_for(lambda: log_messages(kws.root)[-1] == "kaggle: vix attempt 1 - results fetched", timeout=20)
    assert log_messages(kws.root).count("kaggle: vix attempt 1 - results fetched") == 1


def test_two_monitors_for_one_kernel_are_impossible(kws):
    folder = make_kernel(kws.root, "vix", 1, sleep=3)
    first = submit(kws.root, folder, "vix", 1)["monitor"]
    wait_for(lambda: (j := _job(kws.root)) and j["alive"])
    second = monitor.start(kws.root, "vix", 1)
    assert second["started"] is False and "already running" in second["message"]
    # Even a monitor process started by hand bows out at once.
    done = subprocess.run([sys.executable, "-m", "goldloop.kaggle.monitor", "run", "--workspace", str(kws.root),
                           "--feature", "vix", "--attempt", "1", "--poll", "0.2"],
                          capture_output=True, text=True, timeout=60, cwd=kws.root)
    assert done.returncode == 0 and "already running" in done.stdout
    wait_for(lambda: read_state(kws.root).status.value == "training_complete", timeout=90)
    wait_for(lambda: (j := _job(kws.root)) and j["outcome"] == "complete")
    assert log_messages(kws.root).count("kaggle: vix attempt 1 - results fetched") == 1
    assert _job(kws.root)["pid"] == first["pid"]


def test_stop_leaves_run_and_state_and_a_second_start_resumes(kws):
    folder = make_kernel(kws.root, "vix", 1, sleep=3)
    submit(kws.root, folder, "vix", 1)
    wait_for(lambda: (j := _job(kws.root)) and j["alive"])
    stopped = monitor.stop(kws.root, "vix", 1)
    assert stopped and stopped[0]["stopped"]
    assert not _job(kws.root)["alive"] and _job(kws.root)["phase"] == "stopped"
    assert read_state(kws.root).status.value == "waiting_training"
    outcome = monitor.watch(kws.root, "vix", 1)  # the autopilot's foreground loop
    assert outcome["outcome"] == "complete"
    assert read_state(kws.root).status.value == "training_complete"
