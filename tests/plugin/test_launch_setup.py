"""hooks/launch.py's setup bookkeeping: a half-made environment never counts, a failed setup
waits out its pause and is reported with the log's last lines."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest
from conftest import LAUNCH


@pytest.fixture()
def launch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec = importlib.util.spec_from_file_location("goldloop_launch_setup", LAUNCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("GOLDLOOP_PYTHON", raising=False)
    monkeypatch.delenv("GOLDLOOP_SETUP_BACKOFF_S", raising=False)
    monkeypatch.setattr(module, "ROOT", str(tmp_path / "plugin"))  # no .venv there
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    return module


def _half_made_venv(launch) -> Path:
    python = Path(launch._venv_python(launch.venv_dir()))
    python.parent.mkdir(parents=True)
    python.write_text("", encoding="utf-8")
    return python


def test_a_half_made_environment_is_not_used_until_its_marker(launch) -> None:
    python = _half_made_venv(launch)
    assert str(python) not in list(launch.candidates())
    assert launch.setup_phase() == "needed"
    Path(launch.venv_dir(), launch.READY).write_text(json.dumps({"lock": launch.lock_hash()}), encoding="utf-8")
    assert str(python) in list(launch.candidates())
    assert launch.setup_phase() == "ready"


def test_an_older_lock_keeps_the_environment_but_asks_for_a_resync(launch) -> None:
    python = _half_made_venv(launch)
    Path(launch.venv_dir(), launch.READY).write_text(json.dumps({"lock": "older"}), encoding="utf-8")
    assert str(python) in list(launch.candidates())
    assert launch.setup_phase() == "needed"


def test_a_failed_setup_waits_and_reports_the_log_tail(launch) -> None:
    launch._save_status({"state": "failed", "finished": time.time(), "failures": 2,
                         "error": "installing uv 0.13.9 failed (CalledProcessError)"})
    Path(launch.data_dir(), "setup.log").write_text(
        "".join(f"line {i}\n" for i in range(30)) + "ERROR: No matching distribution found for uv\n",
        encoding="utf-8")
    assert launch.start_setup() == "waiting"  # 300 s after the 2nd failure: nothing started
    report = launch.setup_report("waiting")
    assert "setup failed 2 time(s)" in report and "No matching distribution found for uv" in report
    assert "line 23" in report and "line 22" not in report  # the last 8 lines only
    assert launch.backoff_s(1) < launch.backoff_s(2) < launch.backoff_s(9) == launch.BACKOFF_S[-1]


@pytest.mark.skipif(sys.platform == "win32", reason="pid liveness is checked on POSIX only")
def test_a_running_setup_whose_process_died_is_not_waited_for(launch) -> None:
    launch._save_status({"state": "running", "pid": 2**22 + 12345, "started": time.time()})
    assert launch.setup_phase() == "needed"
    launch._save_status({"state": "running", "pid": 1, "started": time.time()})  # init: alive
    assert launch.setup_phase() == "running"
