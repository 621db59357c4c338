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
    wait_for(lambda: (j := _job(kws.root)) and j["alive"] and j["phase"] != "starting")  # it holds the lock
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


def test_detached_monitor_survives_the_whole_fault_menu_and_ends_with_state_right(kaggle_ws, emulator):
    """Every fault the emulator knows, fed to a real detached monitor process (no SIGKILL): it
    records each, keeps polling, and ends with the results and state right, nothing lost."""
    from goldloop.kaggle.emulator import FAULT_KINDS
    from goldloop.kaggle.jobs import context, load_job

    emulator.output_page_size = 1
    emulator.script_next_run(seconds=6, files={"output.csv": b"date,x\n2024-01-02,1\n",
                                               "metrics.json": b'{"val_loss": 0.6}'}, log="ok")
    submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1), "vix", 1, start_monitor=False)
    for kind in FAULT_KINDS:  # on the status polls, in this order
        if kind not in ("expired_url", "evil_name"):
            emulator.inject(kind, method="GetKernelSessionStatus", seconds=4)  # hang > the 3 s client timeout
    emulator.inject("server_error", count=2, status=502, method="ListKernelSessionOutput")
    emulator.inject("cut", method="ListKernelSessionOutput")
    emulator.inject("expired_url", count=2)
    emulator.inject("cut", method="DownloadBlob")
    emulator.inject("evil_name", count=50)  # the server lists it every time
    started = monitor.start(kaggle_ws.root, "vix", 1)
    assert started["started"]
    wait_for(lambda: read_state(kaggle_ws.root).status.value != "waiting_training", timeout=150)
    state = read_state(kaggle_ws.root)
    assert state.status.value == "training_complete", state.error_context
    results = kaggle_ws.root / "results" / "vix_1"
    assert (results / "output.csv").read_bytes() == b"date,x\n2024-01-02,1\n"
    assert (results / "metrics.json").is_file() and not (results.parent / "escape.txt").exists()
    job = wait_for(lambda: (j := load_job(context(kaggle_ws.root), "tester/gold-vix-1"))["phase"] == "done" and j)
    assert job["outcome"]["outcome"] == "complete"
    assert job["poll_errors"] >= 8 and job["unknown_status"] == "PREEMPTED"
    assert job["refused_outputs"][0]["name"] == "../escape.txt"
    assert all(f.remaining == 0 for f in emulator.faults if f.kind != "evil_name")  # every fault was served
    wait_for(lambda: not _job(kaggle_ws.root)["alive"], timeout=20)  # the process ended by itself


def test_a_monitor_spawned_but_not_yet_locked_is_starting_not_dead(kws):
    """Right after submit the monitor's pid is live but its lock not yet taken (issue #14)."""
    import time

    from goldloop.kaggle.jobs import context, save_job

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        save_job(context(kws.root), "tester/gold-vix-9", pid=sleeper.pid, phase="starting", feature="vix",
                 attempt=9, started_epoch=time.time())
        row = next(r for r in monitor.status(kws.root) if r["kernel"] == "tester/gold-vix-9")
        assert row["alive"] and row["phase"] == "starting"
    finally:
        sleeper.kill()
        sleeper.wait()
    row = next(r for r in monitor.status(kws.root) if r["kernel"] == "tester/gold-vix-9")
    assert not row["alive"] and row["phase"] == "dead"  # the pid is gone: dead after all
