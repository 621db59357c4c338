"""Helpers for the plugin tests: run the hook launcher, and run the real Claude Code CLI
against the local fake Messages API in a throw-away HOME."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from goldloop.claude_cli import HEADLESS_CONNECT_TIMEOUT_MS

REPO = Path(__file__).resolve().parents[2]
LAUNCH = REPO / "hooks" / "launch.py"
CLAUDE = REPO / ".tools" / "node_modules" / ".bin" / "claude"
TOOL = "mcp__plugin_goldloop_goldloop__"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_hook(name: str, event: dict[str, Any], python: str | None = None,
             env: dict[str, str] | None = None) -> tuple[dict[str, Any] | None, subprocess.CompletedProcess]:
    """Feed ``event`` to ``hooks/launch.py hook NAME`` exactly as Claude Code does (stdin JSON)."""
    done = subprocess.run(
        [python or shutil.which("python3") or sys.executable, str(LAUNCH), "hook", name],
        input=json.dumps(event), capture_output=True, text=True, encoding="utf-8", timeout=120,
        env=env or hook_env(),
    )
    out = done.stdout.strip()
    return (json.loads(out) if out else None), done


def hook_env() -> dict[str, str]:
    drop = {"GOLDLOOP_WORKSPACE", "CLAUDE_PROJECT_DIR", "GOLDLOOP_PYTHON"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def decision(output: dict[str, Any] | None) -> str | None:
    return ((output or {}).get("hookSpecificOutput") or {}).get("permissionDecision")


def pre_tool_event(cwd: Path, tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": "test", "transcript_path": str(cwd / "t.jsonl"), "cwd": str(cwd),
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_test"}


# --- the real Claude Code CLI ---------------------------------------------------------------

def claude_available() -> bool:
    return CLAUDE.exists()


needs_claude = pytest.mark.skipif(
    not claude_available(),
    reason=f"Claude Code CLI not installed at {CLAUDE.relative_to(REPO)}; run `make claude`",
)


def claude_env(home: Path, base_url: str | None = None, trusted: list[Path] = ()) -> dict[str, str]:
    """A sealed environment: temp HOME and config dir, no updater, telemetry or other traffic."""
    config = home / ".claude"
    config.mkdir(parents=True, exist_ok=True)
    projects = {str(p): {"hasTrustDialogAccepted": True} for p in trusted}
    (config / ".claude.json").write_text(
        json.dumps({"hasCompletedOnboarding": True, "projects": projects}), encoding="utf-8")
    env = {k: v for k, v in hook_env().items() if not k.startswith(("ANTHROPIC_", "CLAUDE"))}
    env.update(HOME=str(home), CLAUDE_CONFIG_DIR=str(config), DISABLE_AUTOUPDATER="1",
               DISABLE_TELEMETRY="1", DISABLE_ERROR_REPORTING="1",
               CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", ENABLE_TOOL_SEARCH="false",
               # the goldloop server is alwaysLoad; on a loaded 2-core box Python can take over
               # the default 5 s to start, so the tests allow what headless sessions allow
               MCP_CONNECT_TIMEOUT_MS=HEADLESS_CONNECT_TIMEOUT_MS,
               ANTHROPIC_API_KEY="sk-ant-test-not-a-real-key")
    if base_url:
        env["ANTHROPIC_BASE_URL"] = base_url
    return env


def claude(args: list[str], env: dict[str, str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLAUDE), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def export_repo(target: Path) -> Path:
    """The repository as a user gets it from git (tracked and new files, nothing ignored)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def write_kernel_folder(ws, source: str) -> Path:
    """notebooks/vix_1/ with Kaggle's kernel-metadata.json and a one-cell notebook."""
    import nbformat

    folder = ws.notebooks / "vix_1"
    folder.mkdir(parents=True)
    meta = {"id": "tester/gold-vix-1", "title": "gold-vix-1", "code_file": "gold-vix-1.ipynb",
            "language": "python", "kernel_type": "notebook", "is_private": True, "enable_gpu": False,
            "enable_internet": False, "dataset_sources": [], "competition_sources": [],
            "kernel_sources": [], "model_sources": []}
    (folder / "kernel-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]),
                   str(folder / "gold-vix-1.ipynb"))
    return folder
