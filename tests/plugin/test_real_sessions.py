"""Real sessions (issue #14): the real Claude Code CLI, scripted by tests/plugin/fake_anthropic,
in real `goldloop init` workspaces — state edited behind the store's back, read-only sessions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TOOL, claude, claude_env, needs_claude
from fake_anthropic import FakeAnthropic, text, tool_use, turn

pytestmark = [pytest.mark.claude, needs_claude]

class EditingAPI(FakeAnthropic):
    """The scripted model, plus edits of the workspace made just before serving a given step:
    something outside the store changes state.json mid-session (an editor, a script, a tool no
    hook sees). The shell guard is a fence; this tests the lock behind it."""

    def __init__(self, script: list, edits: dict) -> None:
        super().__init__(script)
        self.edits = edits

    def _next_blocks(self, body: dict) -> list:
        used = list(self.used)
        blocks = super()._next_blocks(body)
        for step, (was, now) in enumerate(zip(used, self.used, strict=True)):
            if now and not was and step in self.edits:
                self.edits[step]()
        return blocks


def _edit_state(ws, **fields) -> None:
    raw = json.loads(ws.state_path.read_text(encoding="utf-8"))
    raw.update(fields)
    ws.state_path.write_text(json.dumps(raw), encoding="utf-8")


def _allow(ws) -> None:
    (ws.root / ".claude").mkdir(exist_ok=True)
    (ws.root / ".claude" / "settings.json").write_text(json.dumps(
        {"permissions": {"allow": ["Bash", "Write", "mcp__plugin_goldloop_goldloop"]}}), encoding="utf-8")


def _git(ws, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=ws.root, capture_output=True, text=True, check=True).stdout


def _results(api: FakeAnthropic, name: str) -> list[str]:
    out, seen = [], set()
    for result in api.tool_results():  # each request repeats the earlier ones: one per tool_use id
        if result["_tool_use"].get("name") == name and result["tool_use_id"] not in seen:
            seen.add(result["tool_use_id"])
            content = result.get("content")
            out.append(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False))
    return out


def _session(ws, tmp_path: Path, script: list, prompt: str) -> tuple[FakeAnthropic, subprocess.CompletedProcess]:
    with FakeAnthropic(script) as api:
        env = claude_env(tmp_path / "home", api.url, trusted=[ws.root])
        done = claude(["-p", prompt, "--plugin-dir", str(REPO), "--output-format", "stream-json",
                       "--verbose", "--max-turns", "12"], env, ws.root, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return api, done


def test_state_edited_outside_the_store_is_refused_and_never_committed(ws, tmp_path: Path) -> None:
    _allow(ws)
    commits_before = _git(ws, "rev-list", "--count", "HEAD")
    script = [
        turn(tool_use(TOOL + "next_action", {})),
        turn(tool_use(TOOL + "next_action", {})),
        turn(text("The project is complete.")),
    ]
    edits = {0: lambda: _edit_state(ws, status="completed"),  # the case: "done" by hand
             1: lambda: _edit_state(ws, status="in_progress", resume_from="evaluator")}
    with EditingAPI(script, edits) as api:
        env = claude_env(tmp_path / "home", api.url, trusted=[ws.root])
        done = claude(["-p", "resume from last time", "--plugin-dir", str(REPO), "--max-turns", "12"],
                      env, ws.root, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    first, second = _results(api, TOOL + "next_action")
    assert "no final decision" in first  # completed without final_confirm is impossible
    assert "changed outside goldloop's state store" in second and "goldloop state accept" in second
    assert 'resume_from: null → "evaluator"' in second
    # the Stop hook committed nothing and sent the model back to tell the user
    assert _git(ws, "rev-list", "--count", "HEAD") == commits_before
    assert "evaluator" not in _git(ws, "show", "HEAD:shared/state.json")
    assert "Do not report the loop as done" in api.all_text()


def _wait_for_setup(home: Path, state: str, timeout_s: float = 400) -> dict:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for found in home.rglob("setup.json"):
            status = json.loads(found.read_text(encoding="utf-8") or "{}")
            if status.get("state") == state:
                return status
        time.sleep(2)
    raise AssertionError(f"setup never reached {state!r}")


@pytest.mark.skipif(sys.platform == "win32", reason="the plain interpreter is linked into a POSIX bin dir")
def test_a_failed_first_setup_is_reported_and_heals_in_a_later_session(ws, tmp_path: Path) -> None:
    """An installed plugin (a copy without .venv, read-only) on a machine whose python3 lacks
    goldloop's dependencies: setup fails offline, the next session says why and retries, and the
    one after that has the goldloop tools."""
    import os
    import stat

    from conftest import export_repo

    plugin = export_repo(tmp_path / "plugin")
    for path in [plugin, *plugin.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    plain = tmp_path / "plain-bin"  # python3 = the base interpreter, without goldloop's packages
    plain.mkdir()
    (plain / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    _allow(ws)
    home = tmp_path / "home"
    caches = {"UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv"),
              "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")}

    def session(extra: dict, script: list) -> FakeAnthropic:
        with FakeAnthropic(script) as api:
            env = claude_env(home, api.url, trusted=[ws.root])
            env.update(caches, GOLDLOOP_SETUP_BACKOFF_S="1", **extra)
            env["PATH"] = f"{plain}{os.pathsep}{env['PATH']}"
            done = claude(["-p", "resume from last time", "--plugin-dir", str(plugin), "--max-turns", "4"],
                          env, ws.root, timeout=240)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return api

    try:
        offline = {"PIP_NO_INDEX": "1", "UV_OFFLINE": "1"}
        first = session(offline, [turn(text("ok"))])
        assert "goldloop's Python environment is missing. Setup started in the background" in first.all_text()
        # a stand-in server answers meanwhile: a failed one would be skipped for 15 minutes
        assert TOOL + "setup_status" in first.tool_names(first.conversation_requests()[0])
        failed = _wait_for_setup(home, "failed")
        assert failed["failures"] == 1 and "installing uv" in failed["error"]

        second = session({}, [turn(text("ok"))])
        told = second.all_text()
        assert "goldloop's setup failed 1 time(s)" in told and "Setup started in the background" in told
        assert "No matching distribution found for uv" in told  # the log's last lines
        _wait_for_setup(home, "done")
        # setup recorded the MCP handshake for its venv: here the same Python and libraries as
        # the packaged manifest, so the very same answers (tests/plugin/test_fast_start.py)
        recorded = [json.loads(f.read_text(encoding="utf-8")) for f in home.rglob("mcp-manifest.json")]
        assert recorded == [json.loads((plugin / "mcp_server" / "manifest.json").read_text(encoding="utf-8"))]

        third = session({}, [turn(tool_use(TOOL + "next_action", {})), turn(text("ok"))])
        assert "SessionStart hook additional context: goldloop workspace:" in third.all_text()
        answer = _results(third, TOOL + "next_action")
        assert answer and '"start_attempt"' in answer[0], answer
    finally:  # let pytest remove the read-only copy
        for path in [plugin, *plugin.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_the_newest_lessons_reach_the_session_and_its_subagents(ws, tmp_path: Path) -> None:
    """40 learned lessons overflow the budget: the seeded rules and the newest lessons stay, the
    oldest learned ones are counted as left out — in the session and in a subagent."""
    from goldloop.knowledge import memory_add

    _allow(ws)
    for n in range(40):
        memory_add(ws.root, f"lesson number {n:02d}: " + "a trap learned the hard way and its fix " * 4)
    script = [
        turn(tool_use("Agent", {"subagent_type": "goldloop:evaluator", "description": "evaluate",
                                "prompt": "Evaluate vix attempt 1."})),
        turn(text("Evaluated."), match="You are the **evaluator**"),
        turn(text("Done.")),
    ]
    api, _ = _session(ws, tmp_path, script, "resume from last time")
    requests = api.conversation_requests()
    session = json.dumps(requests[0], ensure_ascii=False)
    subagent = next(json.dumps(r, ensure_ascii=False) for r in requests
                    if "You are the **evaluator**" in json.dumps(r.get("system"), ensure_ascii=False))
    for seen in (session, subagent):
        assert "lesson number 39" in seen and "NEVER push a kernel directly" in seen
        assert "lesson number 00" not in seen and "older learned lesson(s) left out" in seen
    assert "goldloop workspace:" in subagent and "State: status=not_started" in subagent


def test_a_read_only_session_commits_nothing_and_a_writing_one_commits_its_step(ws, tmp_path: Path) -> None:
    from goldloop.state.ops import start_attempt, transition
    from goldloop.state.store import StateStore

    _allow(ws)
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    transition(store, "in_progress", actor="builder_data", summary="data", stage="data")
    subprocess.run(["git", "add", "-A"], cwd=ws.root, check=True)
    subprocess.run(["git", "commit", "-qm", "setup"], cwd=ws.root, check=True)
    (ws.root / "data" / "vix_1").mkdir(parents=True)
    (ws.root / "data" / "vix_1" / "left.csv").write_text("an earlier session's work\n", encoding="utf-8")
    (ws.root / "scratch.txt").write_text("not the loop's\n", encoding="utf-8")
    commits = _git(ws, "rev-list", "--count", "HEAD")

    _session(ws, tmp_path, [turn(tool_use(TOOL + "state_get", {})), turn(text("Vix attempt 1 is at data."))],
             "/status")
    assert _git(ws, "rev-list", "--count", "HEAD") == commits  # read-only: nothing committed

    written = ws.root / "data" / "vix_1" / "vix.csv"
    _session(ws, tmp_path, [turn(tool_use("Write", {"file_path": str(written), "content": "date,vix\n"})),
                            turn(text("Data written."))], "continue")
    assert _git(ws, "log", "-1", "--format=%s").strip() == "data: vix attempt 1 - session finished (auto-commit)"
    committed = set(_git(ws, "show", "--name-only", "--format=", "HEAD").split())
    assert committed == {"data/vix_1/vix.csv", "data/vix_1/left.csv"}  # the step's files, not scratch.txt


def test_a_plain_session_in_a_fresh_workspace_can_call_the_goldloop_tools(tmp_path: Path) -> None:
    """A user's own `claude -p` (no --allowedTools, no settings of ours) after `goldloop init`."""
    from goldloop.workspace import init_workspace

    ws, _ = init_workspace(tmp_path / "plain")
    script = [turn(tool_use(TOOL + "next_action", {})), turn(text("Next: start vix attempt 1."))]
    api, _ = _session(ws, tmp_path, script, "resume from last time")
    answer = _results(api, TOOL + "next_action")
    assert answer and '"start_attempt"' in answer[0] and "haven't granted" not in answer[0], answer
