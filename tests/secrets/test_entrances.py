"""Redaction at every entrance: a key printed by a real (local) kernel run, a key in a plan, a
summary, a commit message or a lesson never reaches state, history, commits, MEMORY.md, the CLI,
the MCP answers or the SessionStart context — and the workspace's step log stays alive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_hook

from goldloop.gitlog import commit_step, log_messages
from goldloop.kaggle import monitor
from goldloop.kaggle.submit import submit
from goldloop.state import ops
from goldloop.state.store import StateStore
from tests.conftest import mcp_call
from tests.kaggle.conftest import read_state
from tests.kaggle.kernels import make_kernel

# An unconfigured FRED-shaped key the kernel builds at run time (the validator cannot see it in
# the code, as with a key read from a file or a Kaggle Secret), and a configured one from .env.
FRED_KEY = "f00dfacecafe0123456789abcdef4567"
CONFIGURED = "Zq7-odd-Secret-9x1"  # no known shape: only the .env value tells it is a secret
KERNEL_FAILS = (
    f'key = "".join(reversed({FRED_KEY[::-1]!r}))\n'
    f'token = "".join(reversed({CONFIGURED[::-1]!r}))\n'
    'url = f"https://api.stlouisfed.org/fred/series/observations?series_id=DGS10&api_key={key}"\n'
    'print("debug: fetching", url, "with", token)\n'
    'raise RuntimeError(f"FRED request failed: 400 Bad Request for url: {url}")'
)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "goldloop.cli", *args], cwd=root, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def _no_key(text: str) -> None:
    assert FRED_KEY not in text and CONFIGURED not in text


@pytest.fixture()
def leaked_run(kws):
    """A real local run whose kernel prints and raises with both keys; the monitor records it."""
    (kws.root / ".env").write_text(f"FRED_API_KEY={CONFIGURED}\n", encoding="utf-8")
    folder = make_kernel(kws.root, "vix", 1, fail=KERNEL_FAILS)
    result = submit(kws.root, folder, "vix", 1, start_monitor=False)
    assert result["submitted"], result
    outcome = monitor.watch(kws.root, "vix", 1, poll_seconds=0.2)
    assert outcome["outcome"] == "failed"
    return kws, outcome


def test_kernel_log_key_never_enters_state_and_the_step_log_lives_on(leaked_run) -> None:
    ws, outcome = leaked_run
    log = (ws.root / "results" / "vix_1" / "gold-vix-1.log").read_text(encoding="utf-8")
    assert FRED_KEY in log and CONFIGURED in log  # the kernel really printed them
    state_text = ws.state_path.read_text(encoding="utf-8")
    _no_key(state_text)
    _no_key(json.dumps(outcome))
    state = read_state(ws.root)
    assert "api_key=[REDACTED]" in state.error_context and "stlouisfed" in state.error_context
    for backup in (ws.root / "shared" / ".state_backups").glob("*.json"):
        _no_key(backup.read_text(encoding="utf-8"))
    # the monitor's own commit went through, and later steps still commit
    assert log_messages(ws.root)[-1] == "kaggle: vix attempt 1 - results fetched"
    notes = ws.root / "notebooks" / "vix_1" / "notes.md"  # a file of this step (commits are the step's own)
    notes.write_text("next: fix the FRED call\n", encoding="utf-8")
    assert commit_step(ws.root, "model", "vix", 1, "retry").committed


def test_kernel_log_key_reaches_no_reader(leaked_run, clean_env) -> None:
    ws, _ = leaked_run
    for args in (("next",), ("state", "show", "--full"), ("state", "show", "--full", "--json"),
                 ("state", "history")):
        done = _cli(ws.root, *args)
        assert done.returncode == 0, done.stderr
        _no_key(done.stdout + done.stderr)
    out, done = run_hook("session_start", {"hook_event_name": "SessionStart", "cwd": str(ws.root)})
    assert done.returncode == 0, done.stderr
    _no_key(json.dumps(out))
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    _, results = mcp_call(env, [("state_get", {"full": True}), ("next_action", {})])
    for result in results:
        assert not result.isError
        _no_key(json.dumps(result.model_dump(mode="json")))
    git_log = subprocess.run(["git", "log", "-p", "--all"], cwd=ws.root, capture_output=True, text=True,
                             encoding="utf-8").stdout
    _no_key(git_log)


def test_plan_summary_and_commit_message_are_masked(ws) -> None:
    store = StateStore(ws)
    ops.start_attempt(store, "vix", 1, summary="start; token=KGAT_0a1b2c3d4e5f")
    ops.transition(store, "in_progress", actor="builder_model", stage="model",
                   summary=f"tried FRED with api_key={FRED_KEY}")
    ops.transition(store, "waiting_training", actor="orchestrator", stage="kaggle", summary="submitted",
                   kaggle_kernel="tester/gold-vix-1")
    ops.transition(store, "training_complete", actor="orchestrator", stage="kaggle", summary="done")
    ops.decide(store, "vix", 1, "fail", max_attempts=3,
               plan=f"set os.environ['KAGGLE_KEY'] = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' and Fred('{FRED_KEY}')")
    text = ws.state_path.read_text(encoding="utf-8")
    for leaked in ("KGAT_0a1b2c3d4e5f", FRED_KEY, "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"):
        assert leaked not in text
    assert "[REDACTED]" in read_state(ws.root).record("vix").attempt(1).plan
    result = commit_step(ws.root, "eval", "vix", 1, f"FAIL - FRED key {FRED_KEY} rejected")
    assert result.committed and FRED_KEY not in result.message and "[REDACTED]" in result.message
    assert FRED_KEY not in "\n".join(log_messages(ws.root))


def test_mcp_state_tools_mask_tool_arguments(ws, clean_env) -> None:
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    ops.start_attempt(StateStore(ws), "vix", 1)
    _, results = mcp_call(env, [
        ("state_transition", {"status": "in_progress", "actor": "builder_data", "stage": "data",
                              "summary": f"FRED key {FRED_KEY} works"}),
        ("commit_step", {"stage": "data", "feature": "vix", "attempt": 1,
                         "summary": f"data fetched with api_key={FRED_KEY}"}),
        ("state_get", {"full": True}),
    ])
    assert not any(r.isError for r in results), [r.content for r in results]
    for result in results:
        assert FRED_KEY not in json.dumps(result.model_dump(mode="json"))
    assert FRED_KEY not in ws.state_path.read_text(encoding="utf-8")
    assert FRED_KEY not in "\n".join(log_messages(ws.root))


@pytest.mark.parametrize("lesson", [
    f"FRED key is {FRED_KEY}",
    "Kaggle token KGAT_0a1b2c3d4e5f works for the API",
    f"remember {CONFIGURED} for the data source",
])
def test_memory_add_refuses_a_key(ws, lesson: str) -> None:
    (ws.root / ".env").write_text(f"FRED_API_KEY={CONFIGURED}\n", encoding="utf-8")
    before = (ws.root / "MEMORY.md").read_text(encoding="utf-8")
    done = _cli(ws.root, "memory", "add", lesson)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "credential" in done.stderr
    _no_key(done.stdout + done.stderr)
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8") == before


def test_knowledge_add_refuses_a_key(ws) -> None:
    from goldloop.errors import GoldloopError
    from goldloop.knowledge.add import add

    with pytest.raises(GoldloopError, match="credential"):
        add(ws.root, "How do I call the FRED API?", f"Use Fred(api_key='{FRED_KEY}').", ["fred"],
            ["https://fred.stlouisfed.org/docs/api/fred/"])


def test_large_notebook_with_a_key_in_the_last_output_is_not_committed(ws) -> None:
    from goldloop.errors import SecretLeakError

    folder = ws.root / "results" / "vix_1"
    folder.mkdir(parents=True)
    filler = [{"output_type": "stream", "name": "stdout", "text": ["x" * 100 + "\n"] * 30_000}]
    leak = [{"output_type": "stream", "name": "stdout", "text": [f"KAGGLE_KEY={FRED_KEY}\n"]}]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "source": "print(1)", "metadata": {}, "outputs": filler, "execution_count": 1},
                    {"cell_type": "code", "source": "print(2)", "metadata": {}, "outputs": leak, "execution_count": 2}]}
    path = folder / "executed.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    with pytest.raises(SecretLeakError, match="executed.ipynb"):
        commit_step(ws.root, "kaggle", "vix", 1, "results fetched")
