"""Kaggle calls silence stdout from several threads at once; what the driver prints must survive."""

from __future__ import annotations

import sys
import threading

from goldloop.quiet import quiet_stdout


def test_overlapping_quiet_threads_leave_stdout_to_the_driver(capsys):
    entered, release = threading.Barrier(3), threading.Event()
    heard: list[str] = []

    def kaggle_call(name: str) -> None:
        with quiet_stdout() as sink:
            entered.wait(timeout=10)
            print(f"kaggle chatter {name}")  # the client's own prints
            release.wait(timeout=10)
        heard.append(sink.getvalue())

    threads = [threading.Thread(target=kaggle_call, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    entered.wait(timeout=10)
    print("driver line while both are quiet")
    release.set()
    for t in threads:
        t.join(timeout=10)
    print("driver line after")
    out = capsys.readouterr().out
    assert "driver line while both are quiet" in out and "driver line after" in out
    assert "kaggle chatter" not in out
    assert sorted(heard) == ["kaggle chatter a\n", "kaggle chatter b\n"]


def test_a_thread_leaving_out_of_order_restores_nothing_wrong(capsys):
    """The order that broke ``contextlib.redirect_stdout``: A enters, B enters, A leaves, B leaves."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with quiet_stdout():
            a_in.set()
            b_in.wait(timeout=10)
        a_out.set()

    def b() -> None:
        a_in.wait(timeout=10)
        with quiet_stdout():
            b_in.set()
            a_out.wait(timeout=10)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    print("still heard")
    assert "still heard" in capsys.readouterr().out
    assert sys.stdout.write("") == 0  # stdout works, whatever object it is
