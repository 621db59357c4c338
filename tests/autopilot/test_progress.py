"""The live progress display renders real state (the terminal path of `goldloop run`)."""

from __future__ import annotations

import io

from goldloop.autopilot.progress import Progress
from goldloop.config import Config
from goldloop.state.ops import decide, start_attempt
from goldloop.state.store import StateStore


def test_live_display_shows_bars_and_the_attempt_table(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    decide(store, "vix", 1, "fail", max_attempts=1)
    config = Config(features=["vix", "regime"])
    out = io.StringIO()
    with Progress(live=True, stream=out) as progress:
        progress.say("▶ vix attempt 1")
        progress.on_step(store.read(), config)
    text = out.getvalue()
    assert "features settled" in text and "1/2" in text
    assert "meta-model attempts" in text and "0/15" in text
    assert "vix" in text and "abandoned" in text and "#1" in text
    assert "▶ vix attempt 1" in text


def test_plain_log_when_not_a_terminal(ws):
    out = io.StringIO()
    with Progress(stream=out) as progress:
        progress.say("hello")
        progress.on_step(StateStore(ws).read(), Config())
    assert out.getvalue().rstrip().endswith("] hello")
