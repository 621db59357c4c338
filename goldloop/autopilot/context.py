"""What every autopilot step needs: the workspace, the store, the effective config, options."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from goldloop.autopilot.options import RunOptions
from goldloop.config import Config, Secrets
from goldloop.state.store import StateStore
from goldloop.workspace import Workspace


@dataclass
class RunContext:
    workspace: Workspace
    config: Config
    options: RunOptions
    say: Callable[[str], None] = print
    timings: dict[str, float] = field(default_factory=dict)
    # parallel runs: a step commits state plus its own attempt's folders, not a neighbour's half-done files
    scoped_commits: bool = False

    @property
    def store(self) -> StateStore:
        return StateStore(self.workspace)

    @property
    def root(self):
        return self.workspace.root

    def commit(self, stage: str, feature: str | None, attempt: int | None, summary: str | None = None) -> None:
        from goldloop.gitlog import commit_step

        result = commit_step(self.root, stage, feature, attempt, summary,
                             secret_values=Secrets.load(self.root).values(),
                             paths=self._step_paths(feature, attempt))
        if result.committed:
            self.say(f"  commit: {result.message}")

    def _step_paths(self, feature: str | None, attempt: int | None) -> list[str] | None:
        if not (self.scoped_commits and feature and attempt):
            return None
        from goldloop.workspace import STATE_RELPATH

        folders = [f"{top}/{feature}_{attempt}" for top in ("designs", "data", "notebooks", "results")]
        return [STATE_RELPATH.as_posix(), *(f for f in folders if (self.root / f).exists())]

    def timed(self, stage: str) -> _Timer:
        return _Timer(self, stage)


class _Timer:
    def __init__(self, ctx: RunContext, stage: str) -> None:
        self.ctx, self.stage = ctx, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.ctx.timings[self.stage] = self.ctx.timings.get(self.stage, 0.0) + time.perf_counter() - self.start
