"""commit_step commits only the step's files, survives concurrent committers and stale git
locks, and never saves a state.json changed outside the store."""

from __future__ import annotations

import json
import subprocess
import sys

from goldloop.gitlog import commit_step, log_messages
from goldloop.state.ops import start_attempt
from goldloop.state.store import StateStore


def _write(ws, rel: str, text: str = "x") -> None:
    path = ws.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _tracked(ws) -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ws.root, capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_only_the_steps_files_are_committed_and_the_rest_is_reported(ws):
    start_attempt(StateStore(ws), "vix", 1)
    for rel in ("notebooks/vix_1/nb.ipynb", "attempts/vix_1/design.md", "notebooks/vix_2/stray.ipynb",
                "scratch.py", "notebooks/real_rate_1/rejected.ipynb"):
        _write(ws, rel)
    result = commit_step(ws.root, "model", "vix", 1, "notebook generated")
    assert sorted(result.files) == ["attempts/vix_1/design.md", "notebooks/vix_1/nb.ipynb", "shared/state.json"]
    assert set(result.left) == {"notebooks/vix_2/stray.ipynb", "scratch.py", "notebooks/real_rate_1/rejected.ipynb"}
    assert "scratch.py" not in _tracked(ws)
    assert result.to_dict()["left_uncommitted"]


def test_a_deleted_step_file_is_committed_as_deleted(ws):
    _write(ws, "data/vix_1/raw.csv")
    assert commit_step(ws.root, "data", "vix", 1).committed
    (ws.root / "data" / "vix_1" / "raw.csv").unlink()
    result = commit_step(ws.root, "data", "vix", 1, "cleaned")
    assert result.committed and "data/vix_1/raw.csv" not in _tracked(ws)


def test_a_state_file_edited_by_hand_is_never_committed(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    commit_step(ws.root, "entrance", "vix", 1)
    raw = json.loads(ws.state_path.read_text(encoding="utf-8"))
    raw["status"] = "evaluated"
    ws.state_path.write_text(json.dumps(raw), encoding="utf-8")
    _write(ws, "attempts/vix_1/requirements.md")
    result = commit_step(ws.root, "entrance", "vix", 1, "requirements")
    assert result.files == ["attempts/vix_1/requirements.md"] and "shared/state.json" in result.left
    shown = subprocess.run(["git", "show", "HEAD:shared/state.json"], cwd=ws.root, capture_output=True, text=True)
    assert '"evaluated"' not in shown.stdout


def test_every_stale_git_lock_is_cleared(ws):
    git = ws.root / ".git"
    branch = subprocess.run(["git", "symbolic-ref", "--short", "HEAD"], cwd=ws.root, capture_output=True,
                            text=True, check=True).stdout.strip()
    left = [git / "HEAD.lock", git / "index.lock", git / "refs" / "heads" / f"{branch}.lock"]
    for lock in left:  # what a git killed inside `git commit` can leave behind
        lock.write_text("", encoding="utf-8")
    _write(ws, "data/vix_1/a.csv")
    assert commit_step(ws.root, "data", "vix", 1).committed
    assert not any(lock.exists() for lock in left)


def test_the_temp_files_of_an_atomic_write_are_ignored(ws):
    _write(ws, "shared/.state.json.abc123.tmp", "{half")
    assert "shared/.state.json.abc123.tmp" not in commit_step(ws.root, "data", "vix", 1).left


CONCURRENT = """
import sys
from pathlib import Path
from goldloop.gitlog import commit_step
root, n = Path(sys.argv[1]), int(sys.argv[2])
for i in range(3):
    folder = root / "data" / f"f{n}_{i + 1}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "x.csv").write_text(str(i), encoding="utf-8")
    assert commit_step(root, "data", f"f{n}", i + 1).committed
"""


def test_four_concurrent_committers_all_land(ws):
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(ws.root), str(n)], stderr=subprocess.PIPE,
                              text=True) for n in range(4)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    messages = log_messages(ws.root)
    assert sum(m.startswith("data: f") for m in messages) == 12
