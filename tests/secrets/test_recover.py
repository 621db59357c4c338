"""A workspace poisoned the old way (a key written into state by the store, before redaction
guarded the entrances) is recovered by `goldloop state recover --redact`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from goldloop.errors import SecretLeakError
from goldloop.gitlog import commit_step, log_messages
from goldloop.state import ops
from goldloop.state.model import Event
from goldloop.state.store import StateStore

KEY = "f00dfacecafe0123456789abcdef4567"
TAIL = ("log tail:\nTraceback (most recent call last):\nHTTPError: 400 Client Error for url: "
        f"https://api.stlouisfed.org/fred/series/observations?series_id=DGS10&api_key={KEY}")


def _poison(ws) -> StateStore:
    """What the old monitor did: error_context and a history event written as they came."""
    store = StateStore(ws)
    ops.start_attempt(store, "vix", 1)

    def old_monitor(state):
        state.error_type, state.error_context = "unknown", TAIL
        state.history.append(Event(actor="orchestrator", status=state.status, summary=f"failed: {TAIL}"))

    store.update(old_monitor)
    return store


def test_poisoned_workspace_blocks_commits_until_recovered(ws) -> None:
    _poison(ws)
    with pytest.raises(SecretLeakError, match="state.json"):
        commit_step(ws.root, "model", "vix", 1, "next step")
    assert any(KEY in p.read_text(encoding="utf-8") for p in (ws.root / "shared" / ".state_backups").glob("*.json"))

    done = subprocess.run([sys.executable, "-m", "goldloop.cli", "state", "recover", "--redact", "--json"],
                          cwd=ws.root, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["redacted"] and "/error_context" in report["fields"] and report["backups_cleaned"]
    assert report["commits_with_secrets"] == []
    assert KEY not in done.stdout

    text = ws.state_path.read_text(encoding="utf-8")
    assert KEY not in text and "api_key=[REDACTED]" in text
    state = StateStore(ws).read()
    assert state.history[-1].actor == "goldloop" and "recover --redact" in state.history[-1].summary
    assert state.error_type == "unknown" and "stlouisfed" in state.error_context  # the useful part stays
    for backup in (ws.root / "shared" / ".state_backups").glob("*.json"):
        assert KEY not in backup.read_text(encoding="utf-8")
    assert commit_step(ws.root, "model", "vix", 1, "next step").committed
    assert log_messages(ws.root)[-1] == "model: vix attempt 1 - next step"


def test_recover_redact_names_commits_that_already_hold_a_key(ws) -> None:
    (ws.root / "old.txt").write_text("x\n", encoding="utf-8")
    subprocess.run(["git", "add", "old.txt"], cwd=ws.root, check=True)
    subprocess.run(["git", "commit", "-qm", f"data: FRED api_key={KEY}"], cwd=ws.root, check=True)
    from goldloop.state.scrub import redact_workspace_state

    report = redact_workspace_state(StateStore(ws))
    assert not report["redacted"] and len(report["commits_with_secrets"]) == 1
    assert "rotate the key" in report["hint"]


def test_recover_redact_on_a_clean_workspace_changes_nothing(ws) -> None:
    from goldloop.state.scrub import redact_workspace_state

    before = ws.state_path.read_text(encoding="utf-8")
    report = redact_workspace_state(StateStore(ws))
    assert report == {"redacted": False, "fields": [], "backups_cleaned": [], "commits_with_secrets": [],
                      "hint": "no credential found in state.json, its backups or the commit history"}
    assert json.loads(ws.state_path.read_text(encoding="utf-8"))["history"] == json.loads(before)["history"]
