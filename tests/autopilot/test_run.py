"""The main job end to end: `goldloop run --fast` on the embedded defaults, and resumption
after SIGKILL during a backend run and during a state write."""

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

FEATURES = ["gold_technicals", "regime"]
ATTEMPT_STAGES = ["entrance", "research", "design", "data", "datacheck", "model", "kaggle", "kaggle", "eval"]


def _run(workspace: Path, env: dict[str, str], *extra: str, features: list[str] = FEATURES,
         **popen) -> subprocess.Popen:
    args = [PYTHON, "-m", "goldloop.cli", "run", "--fast", "--workspace-dir", str(workspace), "--json"]
    for feature in features:
        args += ["--features", feature]
    return subprocess.Popen([*args, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", **popen)


def _finish(proc: subprocess.Popen, timeout: float = 600) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-4000:]
    return json.loads(out)


def _state(workspace: Path) -> dict:
    return json.loads((workspace / "shared" / "state.json").read_text(encoding="utf-8"))


def _decisions(workspace: Path) -> dict:
    state = _state(workspace)
    return {
        "features": {n: (r["status"], [a["verdict"] for a in r["attempts"]]) for n, r in state["features"].items()},
        "meta": (state["meta"]["best_attempt"], [a["verdict"] for a in state["meta"]["attempts"]]),
        "final": state["final"]["attempt"],
        "final_metrics": {k: round(v, 6) for k, v in state["final"]["metrics"].items() if isinstance(v, float)},
    }


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[Path, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLDLOOP_", "KAGGLE_", "CLAUDE_"))}
    workspace = tmp_path_factory.mktemp("run") / "workspace"
    summary = _finish(_run(workspace, env))
    return workspace, summary


def test_fast_run_completes_with_history_commits_gates_and_report(uninterrupted):
    workspace, summary = uninterrupted
    state = _state(workspace)
    assert state["status"] == "completed"
    assert set(state["features"]) == set(FEATURES)
    for name, record in state["features"].items():
        assert record["status"] in ("passed", "abandoned")
        for attempt in record["attempts"]:
            assert attempt["verdict"] in ("pass", "fail")
            gates = attempt["gates"]
            assert gates, f"{name} #{attempt['number']} has no gate results"
    assert state["meta"]["best_attempt"] == state["final"]["attempt"]
    # every attempt's commits appear in the original's order
    log = subprocess.run(["git", "log", "--reverse", "--format=%s"], cwd=workspace, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    first = [m.split(":")[0] for m in log if " gold_technicals attempt 1" in m]
    assert first == ATTEMPT_STAGES, log
    assert "kaggle: gold_technicals attempt 1 - submitted" in log
    assert "kaggle: gold_technicals attempt 1 - results fetched" in log
    assert log[-1] == f"final: project completed - attempt {state['final']['attempt']} confirmed as final meta-model"
    # the run report is part of the final commit: the next run or session finds a clean tree
    assert subprocess.run(["git", "status", "--porcelain"], cwd=workspace, capture_output=True, text=True,
                          check=True).stdout == ""
    tracked = subprocess.run(["git", "ls-files", "results/run"], cwd=workspace, capture_output=True, text=True,
                             check=True).stdout.split()
    assert "results/run/report.md" in tracked and "results/run/pipeline_progress.png" in tracked
    # history: append-only, starts with the first attempt, ends with the final decision
    history = state["history"]
    assert history[-1]["stage"] == "final"
    assert [e["at"] for e in history] == sorted(e["at"] for e in history)
    # numbers and report
    for key in ("direction_accuracy", "high_confidence_da", "mae", "sharpe"):
        assert key in summary["metrics"], summary["metrics"]
    report = Path(summary["report"])
    assert report.is_file()
    assert (report.parent / "pipeline_progress.png").stat().st_size > 1000
    assert (report.parent / "gates_per_feature.png").stat().st_size > 1000
    assert list(workspace.glob("results/**/*.png"))
    # the final report: one train and one validation DA per meta-model attempt for the
    # overfitting plot (it was empty), none of the test years, and the positions said plainly
    from goldloop.gates.final import history_from_state
    from goldloop.state.store import StateStore
    from goldloop.workspace import find_workspace

    points = history_from_state(StateStore(find_workspace(workspace)).read())
    assert len(points) == len(state["meta"]["attempts"]) >= 1
    assert all(0.3 < p["train_da"] < 0.8 and 0.3 < p["val_da"] < 0.8 for p in points), points
    assert all("test" not in (a["metrics"].get("metrics") or {}) for a in state["meta"]["attempts"])
    final_md = workspace / "results" / f"meta_{state['final']['attempt']}" / "final.md"
    assert "always-long on" in final_md.read_text(encoding="utf-8")


def test_a_second_run_has_nothing_to_redo(uninterrupted):
    workspace, _ = uninterrupted
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLDLOOP_", "KAGGLE_", "CLAUDE_"))}
    before = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=workspace, capture_output=True, text=True).stdout
    start = time.perf_counter()
    _finish(_run(workspace, env))
    assert time.perf_counter() - start < 60
    after = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=workspace, capture_output=True, text=True).stdout
    assert before == after


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"run ended before the kill point: {proc.stderr.read()[-3000:]}")
        try:
            if predicate():
                return
        except (OSError, ValueError, KeyError):
            pass  # state.json is being replaced; look again
        time.sleep(0.05)
    raise AssertionError("kill point never reached")


def test_killed_runs_resume_to_the_same_decisions(uninterrupted, tmp_path):
    reference, _ = uninterrupted
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLDLOOP_", "KAGGLE_", "CLAUDE_"))}
    workspace = tmp_path / "workspace"

    # 1. SIGKILL while a kernel runs on the backend
    proc = _run(workspace, env, start_new_session=True)
    _wait_for(lambda: _state(workspace)["status"] == "waiting_training", proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _state(workspace)["status"] == "waiting_training"

    # 2. SIGKILL inside a state write (between the temp file and the replace)
    proc = _run(workspace, {**env, "GOLDLOOP_FAULT_KILL_AT_WRITE": "7"})
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == -signal.SIGKILL, err[-3000:]
    _state(workspace)  # still readable

    # 3. resume to the end
    _finish(_run(workspace, env))
    assert _decisions(workspace) == _decisions(reference)


def _interrupt(proc: subprocess.Popen, sig: signal.Signals, workspace: Path) -> None:
    """Send ``sig``; the run must end with 128 + signal, one line, and state in step with git."""
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err[-3000:]
    assert "Traceback" not in err
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"interrupted by {sig.name}: `goldloop run --fast"), line
    assert "`goldloop run` (same workspace) resumes" in line
    state = _state(workspace)  # readable and valid
    status = subprocess.run(["git", "status", "--porcelain", "--", "shared/state.json"], cwd=workspace,
                            capture_output=True, text=True, check=True).stdout
    assert status == "", "state.json holds a step no commit records"
    last_commit = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=workspace, capture_output=True,
                                 text=True, check=True).stdout
    assert last_commit.startswith(state["history"][-1]["stage"] + ":"), (last_commit, state["history"][-1])


def test_interrupted_runs_exit_130_or_143_and_resume_to_the_same_decisions(tmp_path):
    """SIGINT / SIGTERM at three stages (a state write just made, training, the gates), then a
    resume to the decisions of an uninterrupted run (one feature, to keep it short)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLDLOOP_", "KAGGLE_", "CLAUDE_"))}
    feature = ["regime"]
    reference, workspace = tmp_path / "reference", tmp_path / "workspace"
    _finish(_run(reference, env, features=feature), timeout=1800)

    def started() -> bool:
        return any(e["stage"] == "entrance" and e["attempt"] == 1 for e in _state(workspace)["history"])

    # 1. SIGINT right after the entrance is recorded in state (before or during its commit)
    proc = _run(workspace, env, features=feature)
    _wait_for(started, proc)
    _interrupt(proc, signal.SIGINT, workspace)

    # 2. SIGTERM while the kernel trains on the backend
    proc = _run(workspace, env, features=feature)
    _wait_for(lambda: _state(workspace)["status"] == "waiting_training", proc)
    _interrupt(proc, signal.SIGTERM, workspace)

    # 3. SIGINT while the gates evaluate the results
    proc = _run(workspace, env, features=feature)
    _wait_for(lambda: _state(workspace)["status"] == "training_complete", proc)
    _interrupt(proc, signal.SIGINT, workspace)

    _finish(_run(workspace, env, features=feature), timeout=1800)
    assert _decisions(workspace) == _decisions(reference)
    log = subprocess.run(["git", "log", "--reverse", "--format=%s"], cwd=workspace, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    first = [m.split(":")[0] for m in log if " regime attempt 1" in m]
    assert first == ATTEMPT_STAGES, log
    assert subprocess.run(["git", "status", "--porcelain"], cwd=workspace, capture_output=True, text=True,
                          check=True).stdout == ""


def test_fast_run_on_the_kaggle_backend_through_the_emulator(tmp_path):
    """`--backend kaggle`: the same loop through the real kaggle client, against the local emulator."""
    from goldloop.kaggle.emulator import KaggleEmulator

    key = "0123456789abcdef0123456789abcdef"
    emulator = KaggleEmulator(tmp_path / "kaggle", users={"tester": key}).start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLDLOOP_", "KAGGLE_", "CLAUDE_"))}
        env.update(HOME=str(tmp_path / "home"), GOLDLOOP_KAGGLE_API_URL=emulator.url,
                   KAGGLE_USERNAME="tester", KAGGLE_KEY=key)
        workspace = tmp_path / "workspace"
        args = [PYTHON, "-m", "goldloop.cli", "run", "--fast", "--backend", "kaggle", "--features", "regime",
                "--workspace-dir", str(workspace), "--json"]
        done = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600)
    finally:
        emulator.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    assert key not in done.stdout + done.stderr  # the key is never printed
    state = _state(workspace)
    assert state["status"] == "completed"
    assert state["features"]["regime"]["attempts"][0]["kernel"].startswith("tester/gold-regime-")
    log = subprocess.run(["git", "log", "--format=%s%n%b"], cwd=workspace, capture_output=True, text=True).stdout
    assert "kaggle: regime attempt 1 - results fetched" in log and key not in log
