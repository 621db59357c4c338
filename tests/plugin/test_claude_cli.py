"""The plugin inside the real Claude Code CLI, talking to a scripted local Messages API.

Nothing leaves the machine: HOME and the config dir are temporary, the updater, telemetry
and non-essential traffic are off, and ANTHROPIC_BASE_URL points at tests/plugin/fake_anthropic.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from conftest import REPO, TOOL, claude, claude_env, export_repo, needs_claude, write_kernel_folder
from fake_anthropic import FakeAnthropic, text, tool_use, turn

pytestmark = [pytest.mark.claude, needs_claude]


def _fake_kaggle(folder: Path, log: Path) -> Path:
    """A `kaggle` on PATH that records each call: proof of what ran and what did not."""
    folder.mkdir()
    script = folder / "kaggle"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n",
                      encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _result_for(api: FakeAnthropic, name: str, key: str, value: str) -> dict:
    for result in api.tool_results():
        use = result["_tool_use"]
        if use.get("name") == name and value in json.dumps(use.get("input", {}).get(key, "")):
            return result
    raise AssertionError(f"no tool_result for {name} {key}={value!r}")


def _result_text(result: dict) -> str:
    content = result.get("content")
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


def test_plugin_validates_strictly(tmp_path: Path) -> None:
    env = claude_env(tmp_path / "home")
    for target in (REPO, REPO / ".claude-plugin" / "plugin.json"):
        done = claude(["plugin", "validate", str(target), "--strict"], env, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Validation passed" in done.stdout


def test_session_with_the_plugin(ws, tmp_path: Path) -> None:
    """One scripted session covers: tools offered, SessionStart context, /gate expansion, the Bash
    guard (denied push did not run, an allowed call did), kaggle_submit of a broken notebook,
    a subagent's tool list, and a clean plugin load."""
    write_kernel_folder(ws, "import pandas as pd\ndf = pd.DataFrame({'a': [1]}\n")
    calls = tmp_path / "kaggle-calls.log"
    kaggle_bin = _fake_kaggle(tmp_path / "bin", calls)
    (ws.root / ".claude").mkdir(exist_ok=True)  # goldloop init writes settings there too
    (ws.root / ".claude" / "settings.json").write_text(json.dumps(
        {"permissions": {"allow": ["Bash", "mcp__plugin_goldloop_goldloop"]}}), encoding="utf-8")
    script = [
        turn(tool_use("Bash", {"command": "kaggle kernels push -p notebooks/vix_1", "description": "push"})),
        turn(tool_use("Bash", {"command": "kaggle kernels list --mine", "description": "list"})),
        turn(tool_use(TOOL + "kaggle_submit", {"feature": "vix", "attempt": 1, "folder": "notebooks/vix_1"})),
        turn(tool_use("Agent", {"subagent_type": "goldloop:datachecker", "description": "check data",
                                "prompt": "Run the data check for vix attempt 1."})),
        turn(text("Data check finished."), match="You are the **datachecker**"),
    ]
    with FakeAnthropic(script) as api:
        env = claude_env(tmp_path / "home", api.url, trusted=[ws.root])
        env["PATH"] = f"{kaggle_bin}{os.pathsep}{env['PATH']}"
        done = claude(["-p", "/gate vix 1", "--plugin-dir", str(REPO), "--output-format", "stream-json",
                       "--verbose", "--max-turns", "12"], env, ws.root, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    events = _events(done.stdout)
    conversation = api.conversation_requests()
    assert conversation, "Claude Code never called the model"

    # the plugin loaded, with no errors
    init = next(e for e in events if e.get("type") == "system" and e.get("subtype") == "init")
    assert any(p.get("name") == "goldloop" for p in init.get("plugins", [])), init.get("plugins")
    assert not init.get("plugin_errors") and "error" not in done.stderr.lower(), done.stderr
    failed_hooks = [e for e in events if e.get("subtype") == "hook_response" and e.get("exit_code") not in (0, None)]
    assert not failed_hooks, failed_hooks

    # the goldloop MCP tools are offered to the model (listed directly: ENABLE_TOOL_SEARCH=false)
    offered = set(api.tool_names(conversation[0]))
    assert {TOOL + t for t in ("state_get", "state_transition", "next_action", "commit_step")} <= offered

    # the SessionStart context arrived, and /gate expanded to the skill with its arguments
    first = json.dumps(conversation[0], ensure_ascii=False)
    assert "SessionStart hook additional context: goldloop workspace:" in first
    assert "Next action (start_attempt" in first and "Lessons from MEMORY.md" in first
    assert "# /gate — run the gates" in first and "Arguments: `vix 1`" in first

    # the Bash guard: the push was denied with the tool to use, and never ran; a list call did run
    push = _result_for(api, "Bash", "command", "kernels push")
    assert push.get("is_error") and "Blocked by goldloop" in _result_text(push)
    assert "kaggle_submit" in _result_text(push)
    ran = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    assert ran == ["kernels list --mine"], ran

    # a subagent gets only its own tools
    sub = [r for r in conversation if "You are the **datachecker**" in json.dumps(r.get("system"))]
    assert sub, "the datachecker subagent never ran"
    expected = {"Read", "Glob", "Grep", "Write"} | {TOOL + t for t in ("state_get", "data_check", "state_transition", "commit_step")}
    got = set(api.tool_names(sub[0]))
    assert got <= expected and {"Read", TOOL + "state_get"} <= got, got
    assert "Bash" not in got and TOOL + "kaggle_submit" not in got

    # kaggle_submit of a broken notebook: denied with the validator's findings
    if TOOL + "kaggle_submit" in offered:
        submit = _result_for(api, TOOL + "kaggle_submit", "feature", "vix")
        assert submit.get("is_error") and "failed validation" in _result_text(submit), _result_text(submit)
        from goldloop.state.store import StateStore

        assert StateStore(ws).read().status.value == "not_started"  # nothing was submitted
    else:  # the Kaggle tools are not registered in the MCP server yet: see test_hooks.py
        pytest.xfail("kaggle_submit is not offered by the MCP server yet; the hook path is covered "
                     "by test_submit_guard_denies_a_broken_notebook_with_findings")


def test_install_from_the_marketplace(tmp_path: Path) -> None:
    """`claude plugin marketplace add` + `install` from a clean copy of the repository."""
    source = export_repo(tmp_path / "goldloop")
    env = claude_env(tmp_path / "home")
    for args in (["plugin", "marketplace", "add", str(source)], ["plugin", "install", "goldloop@goldloop"]):
        done = claude(args, env, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    details = claude(["plugin", "details", "goldloop@goldloop"], env, tmp_path).stdout
    for line in ("Skills (8)", "Agents (8)", "Hooks (5)", "MCP servers (1)"):
        assert line in details, details


@pytest.mark.skipif(sys.platform == "win32", reason="links the shared .venv with a symlink")
def test_repo_settings_enable_the_plugin_in_place(tmp_path: Path) -> None:
    """Opening the repository itself: .claude/settings.json enables the bundle from `.`."""
    repo = export_repo(tmp_path / "goldloop")
    (repo / ".venv").symlink_to(REPO / ".venv")  # what `make install` would create
    with FakeAnthropic([]) as api:
        env = claude_env(tmp_path / "home", api.url, trusted=[repo])
        # The first start registers the marketplace and installs; the plugin loads from the
        # second start on (later ones cover a start-up window missed under CPU contention).
        for _ in range(4):
            done = claude(["-p", "hello"], env, repo)
            assert done.returncode == 0, done.stderr
            last = api.conversation_requests()[-1]
            if TOOL + "state_get" in api.tool_names(last):
                break
    assert TOOL + "state_get" in api.tool_names(last), done.stdout[-2000:] + done.stderr[-2000:]
    assert "no workspace" in json.dumps(last, ensure_ascii=False)  # the repo is not a workspace
    cache = tmp_path / "home" / ".claude" / "plugins" / "cache"
    assert not any(cache.rglob("pyvenv.cfg")) if cache.exists() else True  # used in place, not copied


@pytest.mark.skipif(sys.platform == "win32", reason="the slow interpreter is a POSIX shell script")
def test_a_slow_starting_server_still_serves_the_first_turn(ws, tmp_path: Path) -> None:
    """The server is alwaysLoad: Claude Code holds the first turn until it is up (here ~8 s,
    beyond the 5 s default), within MCP_CONNECT_TIMEOUT_MS. Without alwaysLoad the tools were
    silently missing from the session."""
    slow = tmp_path / "slow-python"
    slow.write_text(f"#!/bin/sh\nsleep 4\nexec {sys.executable} \"$@\"\n", encoding="utf-8")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    with FakeAnthropic([turn(text("ok"))]) as api:
        env = {**claude_env(tmp_path / "home", api.url, trusted=[ws.root]), "GOLDLOOP_PYTHON": str(slow)}
        done = claude(["-p", "hello", "--plugin-dir", str(REPO)], env, ws.root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert TOOL + "state_get" in api.tool_names(api.conversation_requests()[0])
