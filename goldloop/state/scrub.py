"""``goldloop state recover --redact``: take credentials out of a workspace that already holds them.

Before redaction guarded every way into state, a kernel that printed its key had it copied
into ``error_context`` (and a plan or summary could carry one too). Such a state.json made
every later commit fail the leak check. This rewrites the state through the store (one
locked, validated write with a history event naming what was masked — never the value),
masks the store's backup ring the same way, and lists the commits that already hold a
credential: history is not rewritten here (that is the user's call), the key must be rotated.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from goldloop.redaction import REDACTED, redact, redact_data, secret_values
from goldloop.secrets import find_secrets
from goldloop.state.store import StateStore, atomic_write_text


def _paths_changed(before: Any, after: Any, where: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        return [p for k in before for p in _paths_changed(before[k], after.get(k), f"{where}/{k}")]
    if isinstance(before, list) and isinstance(after, list):
        return [p for i, (b, a) in enumerate(zip(before, after, strict=False))
                for p in _paths_changed(b, a, f"{where}/{i}")]
    return [where or "/"] if before != after else []


def _scrub_backups(store: StateStore, values: list[str]) -> list[str]:
    cleaned = []
    for backup in sorted(store.backups.glob("state.*.json")) if store.backups.is_dir() else []:
        text = backup.read_text(encoding="utf-8", errors="replace")
        masked = redact(text, values)
        if masked != text:
            atomic_write_text(backup, masked)
            cleaned.append(backup.name)
    return cleaned


def _commits_with_secrets(store: StateStore, values: list[str], limit: int = 200) -> list[str]:
    """Commits whose message or state.json hold a credential (newest first, short hashes)."""
    root = store.workspace.root
    log = subprocess.run(["git", "log", f"-{limit}", "--format=%H%x00%B%x00"], cwd=root,
                         capture_output=True, text=True, encoding="utf-8", errors="replace")
    if log.returncode != 0:
        return []
    found = []
    parts = log.stdout.split("\0")
    for sha, body in zip(parts[0::2], parts[1::2], strict=False):
        sha = sha.strip()
        shown = subprocess.run(["git", "show", f"{sha}:shared/state.json"], cwd=root, capture_output=True,
                               text=True, encoding="utf-8", errors="replace")
        if find_secrets(body, values) or (shown.returncode == 0 and find_secrets(shown.stdout, values)):
            found.append(sha[:10])
    return found


def redact_workspace_state(store: StateStore) -> dict[str, Any]:
    """Mask every credential in state.json and its backups; report where they were."""
    from goldloop.state.model import Event, State

    values = secret_values(store.workspace.root)
    changed: list[str] = []

    def change(state: State) -> None:
        raw = state.model_dump(mode="json")
        masked = redact_data(raw, values)
        changed.extend(_paths_changed(raw, masked))
        if not changed:
            return
        clean = State.model_validate(masked)
        for name in State.model_fields:
            setattr(state, name, getattr(clean, name))
        state.history.append(Event(actor="goldloop", status=state.status, summary=(
            f"recover --redact: masked credentials in {len(changed)} field(s) as {REDACTED}: "
            + ", ".join(changed[:8]) + (" …" if len(changed) > 8 else ""))))

    store.update(change)
    backups = _scrub_backups(store, values)
    commits = _commits_with_secrets(store, values)
    result: dict[str, Any] = {"redacted": bool(changed), "fields": changed, "backups_cleaned": backups,
                              "commits_with_secrets": commits}
    if commits:
        result["hint"] = ("these commits already hold a credential: rotate the key (it is compromised "
                          "if the repository was ever pushed); rewriting history is up to you "
                          "(git filter-repo --replace-text)")
    elif not changed and not backups:
        result["hint"] = "no credential found in state.json, its backups or the commit history"
    return json.loads(json.dumps(result))
