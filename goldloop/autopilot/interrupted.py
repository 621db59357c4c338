"""After an interrupt: keep the git log in step with state.

Each autopilot step records itself in state, then commits. A run interrupted between the two
would leave a step in state that no commit names (the next stage's commit would swallow it).
So, when state.json differs from the last commit, the recorded step is committed now, with
the stage, feature and attempt of the last history event. Files of a stage cut short before
it reached state stay uncommitted: the next run redoes that stage and commits them.
"""

from __future__ import annotations

import subprocess

from goldloop.workspace import STATE_RELPATH, Workspace


def _state_uncommitted(workspace: Workspace) -> bool:
    done = subprocess.run(["git", "status", "--porcelain", "--", STATE_RELPATH.as_posix()],
                          cwd=workspace.root, capture_output=True, text=True, encoding="utf-8")
    return done.returncode == 0 and bool(done.stdout.strip())


def commit_recorded_step(workspace: Workspace) -> str | None:
    """Commit a step that state records but git does not; returns the commit message, if any."""
    from goldloop.config import Secrets
    from goldloop.gitlog import commit_step, is_repo
    from goldloop.state.store import StateStore

    if not is_repo(workspace.root) or not _state_uncommitted(workspace):
        return None
    history = StateStore(workspace).read().history
    if not history or history[-1].stage is None:
        return None
    last = history[-1]
    summary = last.summary.removeprefix(f"{last.stage.value}: ")
    if last.feature:
        summary = summary.removeprefix(f"{last.feature} attempt {last.attempt}").removeprefix(" - ")
    result = commit_step(workspace.root, last.stage.value, last.feature, last.attempt,
                         f"{summary} (committed after an interrupt)".strip(),
                         secret_values=Secrets.load(workspace.root).values())
    return result.message if result.committed else None
