"""Progress for `goldloop run`: a live table on a terminal, plain timestamped lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any

from goldloop.state.model import State


def _table(state: State, started: float) -> Any:
    from rich.table import Table

    table = Table(title=f"goldloop — {state.status.value} — {time.perf_counter() - started:,.0f} s",
                  title_justify="left")
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
            verdict = {"pass": "[green]pass[/]", "fail": "[red]fail[/]"}.get(att.verdict or "", att.stage.value)
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

    def on_step(self, state: State) -> None:
        if self._live is not None:
            self._live.update(_table(state, self.started))
