"""One driver per workspace (issue #11, item 4): a second `goldloop run` is refused at once with
the pid and command of the first; the lock dies with its process, however it dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import PYTHON

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")]


def _run(workspace: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "goldloop.cli", "run", "--fast", "--features", "regime",
                             "--workspace-dir", str(workspace)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _driver(workspace: Path, proc: subprocess.Popen, timeout: float = 300) -> dict:
    """Wait until ``proc`` holds the workspace and return what driver.json says."""
    path = workspace / ".goldloop" / "driver.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()[-3000:]
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            if info.get("pid") == proc.pid:
                return info
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError("the run never took the driver lock")


def test_a_second_run_is_refused_naming_the_first_and_the_lock_dies_with_it(tmp_path, clean_env):
    workspace = tmp_path / "workspace"
    first = _run(workspace, clean_env)
    try:
        info = _driver(workspace, first)
        assert "goldloop.cli run" in info["command"]
        start = time.monotonic()
        second = subprocess.run([PYTHON, "-m", "goldloop.cli", "run", "--workspace-dir", str(workspace)],
                                env=clean_env, capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert second.returncode == 2, second.stderr
        assert time.monotonic() - start < 60  # at once: no waiting for the first to finish
        assert f"already driven by pid {first.pid}" in second.stderr
        assert "goldloop.cli run --fast --features regime" in second.stderr
        assert "Traceback" not in second.stderr
        assert first.poll() is None  # the first run goes on undisturbed
        assert "workspace:" not in second.stdout  # refused before its first step
    finally:
        first.send_signal(signal.SIGKILL)  # the hardest death: no cleanup at all
        first.wait()
    # the OS released the lock with the process: the next run drives (and resumes), a plain
    # `goldloop run` saying which remembered flags it uses
    third = subprocess.Popen([PYTHON, "-m", "goldloop.cli", "run", "--workspace-dir", str(workspace)],
                             env=clean_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             encoding="utf-8")
    try:
        assert _driver(workspace, third)["pid"] == third.pid
        lines = []
        while not any("remembered flags" in line for line in lines) and third.poll() is None:
            lines.append(third.stdout.readline())
    finally:
        third.send_signal(signal.SIGINT)
        third.communicate(timeout=120)
    assert third.returncode == 130
    line = next(line for line in lines if "remembered flags" in line)
    assert str(Path(".goldloop") / "autopilot.json") in line
    assert "--features regime --fast (undo: --features all, --no-fast)" in line, line
