"""Two writers under the lock lose nothing; a writer killed with SIGKILL never breaks the file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from goldloop.state.ops import start_attempt
from goldloop.state.store import StateStore

WRITER = """
import sys
from pathlib import Path
from goldloop.state.ops import transition
from goldloop.state.store import StateStore
from goldloop.workspace import Workspace
store = StateStore(Workspace(Path(sys.argv[1])))
name, count = sys.argv[2], int(sys.argv[3])
for i in range(count):
    transition(store, "in_progress", actor="orchestrator", summary=f"{name}-{i}")
"""


def _writer(ws, name: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(ws.root), name, str(count)])


def test_two_processes_500_transitions_each_lose_nothing(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    procs = [_writer(ws, "a", 500), _writer(ws, "b", 500)]
    for proc in procs:
        assert proc.wait(timeout=300) == 0
    summaries = [e.summary for e in store.read().history]
    for name in ("a", "b"):
        mine = [s for s in summaries if s.startswith(f"{name}-")]
        assert mine == [f"{name}-{i}" for i in range(500)]  # all there, in order


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_sigkill_mid_write_never_leaves_an_unreadable_file(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    seen = len(store.read().history)
    for round_ in range(15):
        proc = _writer(ws, f"k{round_}", 10_000)
        time.sleep(0.4 + 0.05 * (round_ % 5))  # land the kill at different moments
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = store.read()  # must parse and validate every time
        assert len(state.history) >= seen  # history only grows
        seen = len(state.history)
    # and the lock of a killed writer never blocks the next one
    from goldloop.state.ops import transition

    transition(store, "in_progress", actor="user", summary="after the kills")
    assert store.read().history[-1].summary == "after the kills"


def test_readers_never_mistake_other_threads_writes_for_an_outside_change(ws):
    """A parallel run reads state in one thread while others write: an unlocked read must not
    see a fresh state.json against a newer write record and call it a hand edit."""
    import threading

    from goldloop.state.ops import transition

    start_attempt(StateStore(ws), "vix", 1)
    errors: list[BaseException] = []
    stop = threading.Event()

    def write(name: str) -> None:
        try:
            for i in range(100):
                transition(StateStore(ws), "in_progress", actor="orchestrator", summary=f"{name}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    def read() -> None:
        try:
            while not stop.is_set():
                StateStore(ws).read()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(6)]
    writers = [threading.Thread(target=write, args=(n,)) for n in ("a", "b", "c")]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=300)
    stop.set()
    for t in readers:
        t.join(timeout=60)
    assert errors == []
    assert len([e for e in StateStore(ws).read().history if e.summary and e.summary[:2] in ("a-", "b-", "c-")]) == 300
