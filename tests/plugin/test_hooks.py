"""The hook scripts, fed the JSON Claude Code sends, through the real launcher."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LAUNCH, REPO, decision, hook_env, pre_tool_event, run_hook, write_kernel_folder

from goldloop.hooks.bash_guard import POLL_REASON, PUSH_REASON, STATE_REASON, check_command

DENIED = [
    ("kaggle kernels push -p notebooks/vix_1", PUSH_REASON),
    ("cd notebooks/vix_1 && kaggle kernels push", PUSH_REASON),
    ('"kaggle" kernels push -p .', PUSH_REASON),
    ("/usr/local/bin/kaggle k push -p .", PUSH_REASON),
    ("KAGGLE_KEY=x python -m kaggle kernels push -p .", PUSH_REASON),
    ("bash -c 'kaggle kernels push -p notebooks/vix_1'", PUSH_REASON),
    ("python -c \"from kaggle.api.kaggle_api_extended import KaggleApi; KaggleApi().kernels_push('x')\"", PUSH_REASON),
    ('kaggle kernels push -p "unbalanced', PUSH_REASON),
    ("kaggle kernels status owner/gold-vix-1", POLL_REASON),
    ("watch -n 60 kaggle kernels status owner/gold-vix-1", POLL_REASON),
    ("while true; do kaggle kernels status o/k; sleep 60; done", POLL_REASON),
    ("echo '{}' > shared/state.json", STATE_REASON),
    ("cat new.json >> ./shared/state.json", STATE_REASON),
    ("sed -i 's/in_progress/completed/' shared/state.json", STATE_REASON),
    ("jq '.status=\"completed\"' shared/state.json > t && mv t shared/state.json", STATE_REASON),
    ("cp /tmp/old.json /ws/shared/state.json", STATE_REASON),
    ("rm -f shared/state.json", STATE_REASON),
    ("printf x | tee shared/state.json", STATE_REASON),
    ("git checkout HEAD~1 -- shared/state.json", STATE_REASON),
    ("python3 -c \"import json; json.dump({}, open('shared/state.json', 'w'))\"", STATE_REASON),
    ("dd if=/dev/zero of=shared/state.json count=1", STATE_REASON),
]
ALLOWED = [
    "kaggle kernels list --mine",
    "kaggle kernels output owner/gold-vix-1 -p results/vix_1",
    "kaggle datasets list",
    "cat shared/state.json",
    "jq .status shared/state.json",
    "cp shared/state.json /tmp/state-backup.json",
    "git add shared/state.json notebooks/vix_1",
    'git commit -m "never use kaggle kernels push; the hook refuses it"',
    "grep -rn 'kaggle kernels status' docs",
    "ls -la notebooks",
    "python -c \"import json; print(json.load(open('shared/state.json'))['status'])\"",
]


@pytest.mark.parametrize(("command", "reason"), DENIED)
def test_bash_guard_denies(command: str, reason: str) -> None:
    assert check_command(command) == reason


@pytest.mark.parametrize("command", ALLOWED)
def test_bash_guard_allows(command: str) -> None:
    assert check_command(command) is None


def test_bash_hook_through_launcher_denies_with_tool_to_use(tmp_path: Path) -> None:
    # system python3 without goldloop's dependencies: the stdlib-only guard still runs
    out, done = run_hook("bash_guard", pre_tool_event(tmp_path, "Bash", {"command": "kaggle kernels push -p ."}))
    assert done.returncode == 0, done.stderr
    assert decision(out) == "deny"
    reason = out["hookSpecificOutput"]["permissionDecisionReason"]
    assert "kaggle_submit" in reason and "mcp__plugin_goldloop_goldloop__kaggle_submit" in reason


def test_bash_hook_allows_silently(tmp_path: Path) -> None:
    out, done = run_hook("bash_guard", pre_tool_event(tmp_path, "Bash", {"command": "ls"}))
    assert done.returncode == 0 and out is None and done.stdout == ""


@pytest.mark.parametrize("tool", ["Write", "Edit", "MultiEdit"])
def test_state_file_guard_denies_edits_of_state(ws, tool: str) -> None:
    event = pre_tool_event(ws.root, tool, {"file_path": str(ws.state_path), "content": "{}"})
    out, _ = run_hook("state_file_guard", event)
    assert decision(out) == "deny"
    assert "state_transition" in out["hookSpecificOutput"]["permissionDecisionReason"]


def test_state_file_guard_allows_other_files(ws) -> None:
    out, done = run_hook("state_file_guard", pre_tool_event(ws.root, "Write", {"file_path": str(ws.root / "notes.md")}))
    assert out is None and done.returncode == 0


def test_submit_guard_denies_a_broken_notebook_with_findings(ws) -> None:
    write_kernel_folder(ws, "import pandas as pd\ndf = pd.DataFrame({'a': [1]}\nprint(df.UPPER())")
    event = pre_tool_event(ws.root, "mcp__plugin_goldloop_goldloop__kaggle_submit",
                           {"feature": "vix", "attempt": 1, "folder": "notebooks/vix_1"})
    out, done = run_hook("submit_guard", event)
    assert done.returncode == 0, done.stderr
    assert decision(out) == "deny"
    reason = out["hookSpecificOutput"]["permissionDecisionReason"]
    assert "failed validation" in reason and "nothing was pushed" in reason
    from goldloop.validate import validate_path

    expected = {f.rule for f in validate_path(ws.notebooks / "vix_1").findings if f.severity == "error"}
    assert expected and all(rule in reason for rule in expected)


def test_submit_guard_passes_a_clean_notebook(ws) -> None:
    write_kernel_folder(ws, "import json\njson.dump({'train_loss': 1.0, 'val_loss': 1.1}, open('metrics.json', 'w'))")
    event = pre_tool_event(ws.root, "mcp__plugin_goldloop_goldloop__kaggle_submit", {"feature": "vix", "attempt": 1})
    out, done = run_hook("submit_guard", event)
    assert done.returncode == 0, done.stderr
    assert decision(out) is None


def _waiting(ws, with_folder: bool = True) -> None:
    from goldloop.state.ops import start_attempt, transition
    from goldloop.state.store import StateStore

    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    transition(store, "waiting_training", actor="orchestrator", summary="submitted", stage="kaggle",
               kaggle_kernel="tester/gold-vix-1")
    if with_folder:
        (ws.notebooks / "vix_1").mkdir(parents=True)
        (ws.root / "data" / "vix_1").mkdir(parents=True)


def test_session_start_briefs_state_next_action_monitors_and_memory(ws, request) -> None:
    from goldloop.kaggle import monitor

    _waiting(ws, with_folder=False)
    request.addfinalizer(lambda: monitor.stop(ws.root))  # the hook restarts the dead monitor: end it
    out, done = run_hook("session_start", {"hook_event_name": "SessionStart", "source": "startup",
                                           "session_id": "s", "cwd": str(ws.root)})
    assert done.returncode == 0, done.stderr
    text = out["hookSpecificOutput"]["additionalContext"]
    assert out["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    assert "status=waiting_training" in text and "tester/gold-vix-1" in text
    assert "Next action (check_monitor" in text
    assert "Kaggle monitors:" in text
    assert "notebooks/vix_1/ does not exist" in text  # state and files disagree
    assert "Lessons from MEMORY.md" in text and "KAGGLE_KEY" in text


def test_session_start_outside_a_workspace_points_to_init(tmp_path: Path) -> None:
    out, _ = run_hook("session_start", {"hook_event_name": "SessionStart", "cwd": str(tmp_path)})
    assert "/init" in out["hookSpecificOutput"]["additionalContext"]


def test_stop_while_training_keeps_the_session_honest_once(ws) -> None:
    _waiting(ws)
    event = {"hook_event_name": "Stop", "cwd": str(ws.root), "stop_hook_active": False, "session_id": "s"}
    out, _ = run_hook("stop", event)
    assert out["decision"] == "block" and "still training" in out["reason"]
    again, _ = run_hook("stop", {**event, "stop_hook_active": True})
    assert again is None or "decision" not in again  # never a loop


def test_subagent_stop_commits_the_finished_step(ws) -> None:
    from goldloop.gitlog import log_messages
    from goldloop.state.ops import start_attempt, transition
    from goldloop.state.store import StateStore

    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    transition(store, "in_progress", actor="builder_data", summary="data", stage="data")
    (ws.root / "data" / "vix_1").mkdir(parents=True)
    (ws.root / "data" / "vix_1" / "vix.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    out, done = run_hook("stop", {"hook_event_name": "SubagentStop", "cwd": str(ws.root),
                                  "agent_type": "goldloop:builder_data", "stop_hook_active": False})
    assert done.returncode == 0, done.stderr
    assert log_messages(ws.root)[-1] == "data: vix attempt 1 - builder_data finished (auto-commit)"
    assert "committed" in out["systemMessage"]
    assert "decision" not in out


def test_stop_refuses_to_commit_a_secret(ws) -> None:
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore

    start_attempt(StateStore(ws), "vix", 1)
    (ws.root / "attempts" / "vix_1").mkdir(parents=True)  # the entrance step's own folder
    (ws.root / "attempts" / "vix_1" / "notes.md").write_text("token: KGAT_abcdefghijklmnopqrstuvwx\n",
                                                           encoding="utf-8")
    out, _ = run_hook("stop", {"hook_event_name": "SubagentStop", "cwd": str(ws.root), "agent_type": "entrance"})
    assert "could not commit" in out["systemMessage"] and "KGAT_abcdefghijklmnop" not in out["systemMessage"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=ws.root, capture_output=True,
                          text=True).stdout.strip().endswith("attempts/")  # left in place, uncommitted


def test_unknown_hook_and_bad_json_fail_soft(tmp_path: Path) -> None:
    out, done = run_hook("no_such_hook", {})
    assert done.returncode == 0 and "unknown hook" in out["systemMessage"]
    done = subprocess.run([sys.executable, str(LAUNCH), "hook", "bash_guard"], input="not json",
                          capture_output=True, text=True, env=hook_env())
    assert done.returncode == 0 and done.stdout == ""


def _launch_module():
    spec = importlib.util.spec_from_file_location("goldloop_launch", LAUNCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_launcher_environment_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    launch = _launch_module()
    fake = tmp_path / "python"
    fake.write_text("", encoding="utf-8")
    monkeypatch.setenv("GOLDLOOP_PYTHON", str(fake))
    assert launch.find_python() == str(fake)
    monkeypatch.delenv("GOLDLOOP_PYTHON")
    monkeypatch.setenv("CLAUDE_PLUGIN_DATA", str(tmp_path / "data"))
    venv_python = REPO / ".venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    assert launch.find_python() == (str(venv_python) if venv_python.exists() else sys.executable)
    assert str(tmp_path / "data" / "venv") in launch.missing_message()


def test_hook_output_is_utf8_under_a_non_utf8_locale(ws) -> None:
    """A Windows pipe writes cp1252 / cp932 by default; here an ASCII locale stands in for it.
    The hook must still hand Claude Code UTF-8 (MEMORY.md's lessons hold non-ASCII text)."""
    env = {**hook_env(), "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    env.pop("PYTHONIOENCODING", None)
    (ws.root / "MEMORY.md").write_text("# Memory\n\n- 2026-11-23: 金価格 → returns, never levels ✓\n",
                                       encoding="utf-8")
    out, done = run_hook("session_start", {"hook_event_name": "SessionStart", "source": "startup",
                                           "session_id": "s", "cwd": str(ws.root)}, env=env)
    assert done.returncode == 0, done.stderr
    assert "金価格 → returns, never levels ✓" in out["hookSpecificOutput"]["additionalContext"]


BASE_PYTHON = Path(sys.base_prefix) / ("python.exe" if sys.platform == "win32" else "bin/python3")


def _imported(argv: list[str], event: dict | None = None) -> tuple[set[str], subprocess.CompletedProcess]:
    """Top-level modules the process itself imported (-X importtime, not inherited by children)."""
    done = subprocess.run([str(BASE_PYTHON), "-X", "importtime", *argv], input=json.dumps(event or {}),
                          capture_output=True, text=True, encoding="utf-8", env=hook_env(), timeout=120)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    return names, done


@pytest.mark.skipif(not BASE_PYTHON.exists(), reason="no base interpreter beside the venv")
@pytest.mark.parametrize("name", ["bash_guard", "state_file_guard", "subagent_start"])
def test_stdlib_hooks_import_only_the_standard_library(ws, name: str) -> None:
    """They run in whatever python3 Claude Code finds: no pydantic, no goldloop environment."""
    events = {"bash_guard": pre_tool_event(ws.root, "Bash", {"command": "ls"}),
              "state_file_guard": pre_tool_event(ws.root, "Write", {"file_path": str(ws.root / "a.md")}),
              "subagent_start": {"hook_event_name": "SubagentStart", "agent_type": "goldloop:evaluator",
                                 "agent_id": "a", "session_id": "s", "cwd": str(ws.root)}}
    bare, _ = _imported(["-c", "pass"])
    names, done = _imported([str(LAUNCH), "hook", name], events[name])
    assert done.returncode == 0, done.stderr[-2000:]
    probes = {"org"}  # copy.py tries Jython's org.python.core; importtime lists the failed try
    assert names - bare - probes - set(sys.stdlib_module_names) == {"goldloop"}
    if name == "subagent_start":
        assert "Lessons from MEMORY.md" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]


@pytest.mark.skipif(not BASE_PYTHON.exists(), reason="no base interpreter beside the venv")
def test_environment_hooks_go_straight_to_goldloops_python(ws) -> None:
    """session_start from a python3 that is not goldloop's: the launcher hands it over without
    importing the handler or its dependencies first (0.4 s when that python3 had pydantic)."""
    names, done = _imported([str(LAUNCH), "hook", "session_start"],
                            {"hook_event_name": "SessionStart", "source": "startup", "cwd": str(ws.root)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Next action" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    assert not names & {"pydantic", "fastjsonschema", "mcp_server"}
    assert "goldloop.hooks.session_start" not in done.stderr and "goldloop.config" not in done.stderr
