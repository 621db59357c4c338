"""Tamper evidence: a state.json the store did not write is reported, refused, and then
accepted (with an event) or rolled back; impossible states are refused on read and write."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from goldloop.errors import StateChangedOutsideError, StateError
from goldloop.state.ops import start_attempt, transition
from goldloop.state.store import StateStore


def _edit_by_hand(ws, **fields) -> None:
    """What a model's `python3 - <<EOF … json.dump(s, open('shared/state.json','w'))` does."""
    raw = json.loads(ws.state_path.read_text(encoding="utf-8"))
    raw.update(fields)
    with open(ws.state_path, "w", encoding="utf-8") as handle:
        json.dump(raw, handle)


def test_a_hand_edit_is_reported_with_what_changed_and_both_ways_out(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    _edit_by_hand(ws, resume_from="evaluator")
    with pytest.raises(StateChangedOutsideError) as err:
        store.read()
    assert 'resume_from: "entrance" → "evaluator"' in err.value.message
    assert "goldloop state accept" in err.value.hint and "goldloop state recover" in err.value.hint
    with pytest.raises(StateChangedOutsideError):  # every operation refuses, not only reads
        transition(store, "in_progress", actor="user", summary="go on")


def test_accept_records_the_change_as_an_event(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    _edit_by_hand(ws, resume_from="evaluator")
    result = store.accept()
    assert result["accepted"] and "resume_from" in result["change"]
    state = store.read()
    assert state.resume_from == "evaluator"
    assert state.history[-1].summary.startswith("accepted a change made outside the store: resume_from")
    assert store.accept()["accepted"] is False  # nothing left to accept


def test_recover_rolls_a_hand_edit_back_to_the_last_written_state(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    before = store.read()
    _edit_by_hand(ws, resume_from="evaluator")
    result = store.recover()
    assert result["recovered"] and "changed outside" in result["problem"]
    after = store.read()
    assert after.resume_from == "entrance"
    assert after.history[: len(before.history)] == before.history


def test_completed_without_a_final_decision_is_refused_even_when_accepted(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    _edit_by_hand(ws, status="completed")
    with pytest.raises(StateError, match="no final decision"):
        store.read()
    with pytest.raises(StateError, match="no final decision"):
        store.accept()


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda raw: raw["features"]["vix"]["attempts"][0].update(verdict="pass"), "no gate results"),
        (lambda raw: raw["features"]["vix"].update(best_attempt=4), "best_attempt 4"),
        (lambda raw: raw["features"]["vix"].update(status="passed"), "is passed but"),
        (lambda raw: raw.update(current_feature=None), "without a current_feature"),
    ],
)
def test_impossible_states_are_refused(ws, edit, needle):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    raw = json.loads(ws.state_path.read_text(encoding="utf-8"))
    edit(raw)
    ws.state_path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(StateError, match=needle):
        store.read()


def test_a_version_pulled_from_git_is_trusted(ws):
    """`git pull` brings a state.json that another machine's store wrote and committed."""
    from goldloop.gitlog import commit_step

    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    commit_step(ws.root, "entrance", "vix", 1)
    pulled = ws.state_path.read_text(encoding="utf-8")
    transition(store, "in_progress", actor="user", summary="local step", stage="research")
    ws.state_path.write_text(pulled, encoding="utf-8")  # what a checkout of HEAD does
    assert store.read().current_attempt == 1


def test_a_workspace_without_a_record_is_read_as_before(ws):
    store = StateStore(ws)
    store.written_path.unlink()
    _edit_by_hand(ws, resume_from="evaluator")
    assert store.read().resume_from == "evaluator"


def test_a_kill_between_recording_and_writing_is_no_false_alarm(ws):
    """GOLDLOOP_FAULT_KILL_AT_WRITE kills after the hash is recorded, before state.json is replaced."""
    code = ("from goldloop.state.store import StateStore; from goldloop.state.ops import start_attempt; "
            "from goldloop.workspace import Workspace; import sys; "
            "start_attempt(StateStore(Workspace(sys.argv[1])), 'vix', 1)")
    env = {**os.environ, "GOLDLOOP_FAULT_KILL_AT_WRITE": "1"}
    done = subprocess.run([sys.executable, "-c", code, str(ws.root)], env=env, capture_output=True)
    assert done.returncode != 0  # killed
    store = StateStore(ws)
    assert store.read().status.value == "not_started"  # the old file, still ours
    start_attempt(store, "vix", 1)
    assert store.read().current_feature == "vix"
