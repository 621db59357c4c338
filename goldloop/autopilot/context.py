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
    parallel: bool = False  # steps at once: each still gets its own commit (see commit_step's ``always``)

    @property
    def store(self) -> StateStore:
        return StateStore(self.workspace)

    @property
    def root(self):
        return self.workspace.root

    def commit(self, stage: str, feature: str | None, attempt: int | None, summary: str | None = None) -> None:
        from goldloop.gitlog import commit_step

        result = commit_step(self.root, stage, feature, attempt, summary,
                             secret_values=Secrets.load(self.root).values(), always=self.parallel)
        if result.committed:
            self.say(f"  commit: {result.message}")

    def timed(self, stage: str) -> _Timer:
        return _Timer(self, stage)


class _Timer:
    def __init__(self, ctx: RunContext, stage: str) -> None:
        self.ctx, self.stage = ctx, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.ctx.timings[self.stage] = self.ctx.timings.get(self.stage, 0.0) + time.perf_counter() - self.start
