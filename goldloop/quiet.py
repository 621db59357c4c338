"""Silence stdout in one thread, safely while other threads run.

``contextlib.redirect_stdout`` swaps the process-wide ``sys.stdout``: two threads that use it
at once restore each other's replacement, and stdout can stay a ``StringIO`` for good — a
parallel run (`goldloop run --parallel`) then went on with every later line lost. Here
``sys.stdout`` becomes, once, a proxy that writes to the real stream except from threads
inside :func:`quiet_stdout`.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_install_lock = threading.Lock()


class _PerThreadStdout:
    """Forwards to the real stream, or to the calling thread's sink while it is quiet."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self._local = threading.local()

    def _target(self) -> Any:
        sinks = getattr(self._local, "sinks", None)
        return sinks[-1] if sinks else self.real

    def push(self, sink: io.StringIO) -> None:
        if not hasattr(self._local, "sinks"):
            self._local.sinks = []
        self._local.sinks.append(sink)

    def pop(self) -> None:
        self._local.sinks.pop()

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:  # fileno, buffer, encoding, isatty, …
        return getattr(self._target(), name)


def _proxy() -> _PerThreadStdout:
    with _install_lock:
        if not isinstance(sys.stdout, _PerThreadStdout):
            sys.stdout = _PerThreadStdout(sys.stdout)
        return sys.stdout


@contextmanager
def quiet_stdout() -> Iterator[io.StringIO]:
    """What this thread prints inside the block goes to the yielded buffer, not to stdout."""
    proxy, sink = _proxy(), io.StringIO()
    proxy.push(sink)
    try:
        yield sink
    finally:
        proxy.pop()
