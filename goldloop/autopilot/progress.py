"""Progress for `goldloop run`: a live table on a terminal, plain timestamped lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any

from goldloop.state.model import State


def _bars(state: State, config: Any) -> Any:
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    settled = sum(1 for name in config.features
                  if name in state.features and state.features[name].status.value in ("passed", "abandoned"))
    meta_cap = config.limits.max_meta_attempts
    grid = Table.grid(padding=(0, 1))
    grid.add_row("features settled", ProgressBar(total=len(config.features), completed=settled, width=30),
                 f"{settled}/{len(config.features)}")
    grid.add_row("meta-model attempts", ProgressBar(total=meta_cap, completed=len(state.meta.attempts), width=30),
                 f"{len(state.meta.attempts)}/{meta_cap} (stop after {config.limits.meta_stop_after} without a new best)")
    return grid


def _doing(att: Any) -> str:
    """What an open attempt is doing: its stage, or its run while it trains."""
    if att.status.value == "waiting_training" and att.run is not None:
        return f"[cyan]training on {att.run.backend} {att.run.accelerator}[/]"
    if att.status.value != "in_progress":
        return att.status.value.replace("_", " ")
    return att.stage.value


def _table(state: State, started: float) -> Any:
    from rich.table import Table

    flying = len(state.in_flight())
    table = Table(title=f"goldloop — {state.status.value} — {flying} run(s) in flight — "
                        f"{time.perf_counter() - started:,.0f} s", title_justify="left")
    table.add_column("feature")
    table.add_column("status")
    table.add_column("attempts (gates: 1 2 3 → verdict)")
    records = [*state.features.values(), state.meta]
    for rec in records:
        cells = []
        for att in rec.attempts:
            gates = att.gates.get("gates", att.gates) if att.gates else {}
            marks = "".join("✓" if isinstance(g, dict) and g.get("pass") else "✗" if isinstance(g, dict) else "·"
                            for g in (gates.get(k) for k in ("gate1", "gate2", "gate3"))) if gates else ""
            verdict = {"pass": "[green]pass[/]", "fail": "[red]fail[/]"}.get(att.verdict or "", _doing(att))
            cells.append(f"#{att.number} {marks} {verdict}".replace("  ", " "))
        style = {"passed": "green", "abandoned": "red", "in_progress": "yellow"}.get(rec.status.value, "")
        table.add_row(rec.name, f"[{style}]{rec.status.value}[/]" if style else rec.status.value, "  ".join(cells))
    return table


class Progress:
    """Use as a context manager; pass ``say`` and ``on_step`` to the runner."""

    def __init__(self, live: bool | None = None, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.live_mode = self.stream.isatty() if live is None else live
        self.started = time.perf_counter()
        self._live: Any = None

    def __enter__(self) -> Progress:
        if self.live_mode:
            from rich.console import Console
            from rich.live import Live
            from rich.text import Text

            self._live = Live(Text("starting…"), console=Console(file=self.stream), refresh_per_second=4,
                              transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)

    def say(self, message: str) -> None:
        if self._live is not None:
            self._live.console.print(message, markup=False, highlight=False)
        else:
            print(f"[{time.perf_counter() - self.started:7.1f}s] {message}", file=self.stream, flush=True)

    def on_step(self, state: State, config: Any) -> None:
        if self._live is not None:
            from rich.console import Group

            self._live.update(Group(_bars(state, config), _table(state, self.started)))
