"""Ctrl-C (SIGINT) and SIGTERM: stop at once, say what stopped and how to resume, exit 130 / 143.

The handlers raise :class:`Interrupted`, a ``BaseException`` that is not a ``KeyboardInterrupt``:
``except Exception`` blocks let it through, every ``finally`` and the store's atomic write
clean up on the way out, and typer/click (which turn a ``KeyboardInterrupt`` into exit 0 or 1
depending on the version) never see it. The CLI catches it once, in ``goldloop.cli.main``.

Long jobs name what they are doing with :func:`doing`, so the line says more than the command.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143}  # 128 + signal number, as shells report them


class Interrupted(BaseException):  # noqa: N818 - it is a signal, not an error
    def __init__(self, signame: str, during: str | None = None) -> None:
        super().__init__(signame)
        self.signame = signame
        self.during = during  # the work in progress when the signal came (see doing())

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.signame, 130)


_activity: list[str] = []


@contextmanager
def doing(what: str) -> Iterator[None]:
    """Name the work in progress (nested: the innermost is reported)."""
    _activity.append(what)
    try:
        yield
    finally:
        _activity.pop()


def activity() -> str | None:
    return _activity[-1] if _activity else None


def _raise(signum: int, _frame: Any) -> None:
    # Ignore further signals while we unwind: a second Ctrl-C must not cut the cleanup short.
    for name in EXIT_CODES:
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Interrupted(signal.Signals(signum).name, activity())


@contextmanager
def handled() -> Iterator[None]:
    """Route SIGINT and SIGTERM to :class:`Interrupted` inside the block (main thread only, as
    Python requires), then put the previous handlers back."""
    names = [name for name in EXIT_CODES if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), _raise) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def message(exc: Interrupted, command: str, resume: str) -> str:
    """The one line printed on an interrupt."""
    return (f"interrupted by {exc.signame}: `{command}`" + (f" during {exc.during}" if exc.during else "")
            + f"; state.json is intact. {resume}")
