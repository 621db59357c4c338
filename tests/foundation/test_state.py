"""The state store: round trips, the transition table, corruption and recovery, migration."""

from __future__ import annotations

import json
from itertools import product

import pytest

from goldloop.errors import GoldloopError, StateChangedOutsideError, StateError, TransitionError
from goldloop.state.model import SCHEMA_VERSION, State, Status
from goldloop.state.ops import decide, finalize, start_attempt, transition, update_attempt
from goldloop.state.store import SCHEMA_FILE, StateStore
from goldloop.state.transitions import TRANSITIONS


def _force(store: StateStore, status: Status) -> None:
    """Put the store into ``status`` directly (test setup only)."""

    from goldloop.state.model import ATTEMPT_STATUSES, Attempt, FinalDecision

    def change(state: State) -> None:
        if status is Status.COMPLETED:  # a completed project always has its final decision
            state.meta.attempts.append(Attempt(number=1, status=Status.EVALUATED))
            state.final = FinalDecision(attempt=1, summary="forced")
        state.status = status
        if status is Status.NOT_STARTED:
            return  # no attempt exists before the first one starts
        state.current_feature, state.current_attempt = "vix", 1
        if not state.record("vix").attempts:
            state.record("vix").attempts.append(Attempt(number=1))
        # the attempt's own status agrees with the global one (schema 2)
        state.record("vix").attempts[0].status = status if status in ATTEMPT_STATUSES else Status.EVALUATED

    store.update(change)


def test_shipped_schema_matches_the_model():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == State.model_json_schema()


def test_round_trip_keeps_everything(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1, params={"n_regimes": 3})
    update_attempt(store, "vix", 1, actor="builder_model", summary="kernel", kernel="o/gold-vix-1",
                   metrics={"train_loss": 1.0})
    state = store.read()
    assert state.status is Status.IN_PROGRESS
    rec = state.features["vix"]
    assert rec.attempts[0].params == {"n_regimes": 3}
    assert rec.attempts[0].kernel == "o/gold-vix-1"
    assert [e.summary for e in state.history] == ["vix attempt 1 started", "kernel"]
    again = StateStore(ws).read()
    assert again == state


@pytest.mark.parametrize(("current", "target"), list(product(Status, Status)))
def test_every_transition_follows_the_table(ws, current, target):
    store = StateStore(ws)
    _force(store, current)
    before = store.read()
    if target is Status.COMPLETED and current is Status.EVALUATED:
        with pytest.raises(StateError, match="no final decision"):  # only finalize completes
            transition(store, target.value, actor="user", summary="move")
        assert store.read() == before
    elif target in TRANSITIONS[current]:
        after = transition(store, target.value, actor="user", summary="move")
        assert after.status is target
        assert len(after.history) == len(before.history) + 1
    else:
        with pytest.raises(TransitionError) as err:
            transition(store, target.value, actor="user", summary="move")
        assert current.value in err.value.message and err.value.hint
        assert store.read() == before  # nothing written


def test_unknown_status_and_bad_names_are_refused(ws):
    store = StateStore(ws)
    with pytest.raises(StateError, match="unknown status 'flying'"):
        transition(store, "flying", actor="user", summary="x")
    with pytest.raises(GoldloopError, match="invalid feature name"):
        transition(store, "in_progress", actor="user", summary="x", feature="../etc")
    with pytest.raises(GoldloopError, match="invalid attempt"):
        transition(store, "in_progress", actor="user", summary="x", feature="vix", attempt=0)
    with pytest.raises(StateError, match="unknown agent"):
        transition(store, "in_progress", actor="user", summary="x", resume_from="hacker")
    assert store.read().history == []


def test_a_transition_and_its_attempt_fields_are_one_write(ws):
    """A kill between two writes left `waiting_training` with no kernel on the attempt (CI found it)."""
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    writes = []
    original = store.update
    store.update = lambda change: writes.append(change) or original(change)
    after = transition(store, "waiting_training", actor="orchestrator", summary="submitted", kaggle_kernel="o/k",
                       attempt_fields={"kernel": "o/k", "kernel_version": 2, "metrics": {"a": 1}})
    assert len(writes) == 1
    assert after.status is Status.WAITING_TRAINING and after.kaggle_kernel == "o/k"
    att = after.record("vix").attempt(1)
    assert (att.kernel, att.kernel_version, att.metrics) == ("o/k", 2, {"a": 1})
    before = store.read()
    with pytest.raises(StateError, match="unknown attempt fields: colour"):
        transition(store, "training_complete", actor="o", summary="x", attempt_fields={"colour": "red"})
    assert store.read() == before


def test_attempt_numbers_have_no_gaps(ws):
    store = StateStore(ws)
    with pytest.raises(StateError, match="the next one is 1, not 3"):
        start_attempt(store, "vix", 3)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"schema_version": 1, "status": "flying"}', "status"),
        ('{"schema_version": 99}', "newer goldloop"),
        ('{"schema_version": "x"}', "bad schema_version"),
    ],
)
def test_broken_state_gives_a_clear_error_and_recovers(ws, text, needle):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    good = store.read()
    ws.state_path.write_text(text, encoding="utf-8")
    with pytest.raises(StateError) as err:
        store.read()
    assert needle in err.value.message
    assert "goldloop state recover" in err.value.hint
    result = store.recover()
    assert result["recovered"] and result["source"].startswith("backup")
    recovered = store.read()
    assert recovered.history[: len(good.history)] == good.history  # no event lost
    assert recovered.history[-1].summary.startswith("recovered from")
    kept = result["broken_file_kept_at"]
    assert kept and open(kept, encoding="utf-8").read() == text  # the broken file is kept


def test_recover_from_git_when_backups_are_gone(ws):
    import shutil

    from goldloop.gitlog import commit_step

    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    commit_step(ws.root, "entrance", "vix", 1)
    shutil.rmtree(store.backups)
    ws.state_path.write_text("garbage", encoding="utf-8")
    result = store.recover()
    assert result["source"].startswith("git ")
    assert store.read().current_feature == "vix"


def test_recover_with_nothing_valid_says_what_to_do(ws):
    import shutil

    store = StateStore(ws)
    shutil.rmtree(store.backups, ignore_errors=True)
    ws.state_path.write_text("garbage", encoding="utf-8")
    # the init commit holds a valid state, so recovery finds it in git
    assert store.recover()["source"].startswith("git ")


def test_recover_on_a_valid_state_changes_nothing(ws):
    store = StateStore(ws)
    before = ws.state_path.read_text(encoding="utf-8")
    assert store.recover()["recovered"] is False
    assert ws.state_path.read_text(encoding="utf-8") == before


def test_original_flat_state_is_migrated_without_losing_fields(ws):
    original = {"status": "waiting_training", "current_feature": "vix", "current_attempt": 2,
                "resume_from": "evaluator", "kaggle_kernel": "owner/gold-vix-2", "notes": "keep me"}
    ws.state_path.write_text(json.dumps(original), encoding="utf-8")
    with pytest.raises(StateChangedOutsideError):  # copied in by hand: the user confirms it
        StateStore(ws).read()
    assert StateStore(ws).accept()["accepted"]
    state = StateStore(ws).read()
    assert state.schema_version == SCHEMA_VERSION
    assert state.status is Status.WAITING_TRAINING
    assert [a.status for a in state.features["vix"].attempts] == [Status.EVALUATED, Status.WAITING_TRAINING]
    assert state.kaggle_kernel == "owner/gold-vix-2"
    assert [a.number for a in state.features["vix"].attempts] == [1, 2]
    assert "keep me" in state.history[0].summary
    assert state.history[-1].summary.startswith("accepted a change made outside the store")


def test_decide_settles_features_and_tracks_the_meta_stop_rule(ws):
    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    decide(store, "vix", 1, "fail", max_attempts=2, plan="more regimes")
    assert store.read().features["vix"].status.value == "in_progress"
    start_attempt(store, "vix", 2)
    state = decide(store, "vix", 2, "fail", max_attempts=2)
    assert state.features["vix"].status.value == "abandoned"
    with pytest.raises(StateError, match="abandoned"):
        start_attempt(store, "vix", 3)
    start_attempt(store, "meta", 1)
    decide(store, "meta", 1, "pass", max_attempts=15, score=0.55)
    start_attempt(store, "meta", 2)
    state = decide(store, "meta", 2, "fail", max_attempts=15)
    assert (state.meta.best_attempt, state.meta.attempts_since_best) == (1, 1)
    state = finalize(store, 1, summary="done", metrics={"direction_accuracy": 0.6})
    assert state.status is Status.COMPLETED and state.final.attempt == 1
    assert state.history[-1].summary == "project completed - attempt 1 confirmed as final meta-model"


def test_recover_after_cp_r_chooses_by_content_not_file_times(ws, tmp_path, clean_env):
    """A copied, unzipped or rsynced workspace has new file times in no useful order: recovery must
    pick the newest valid backup by updated_at and history length, not by modification time."""
    import os
    import subprocess

    from tests.conftest import PYTHON

    store = StateStore(ws)
    for n in range(1, 13):  # more events than backup slots: the ring wraps
        transition(store, "in_progress", actor="test", summary=f"step {n}", feature="vix", attempt=1,
                   stage="entrance")
    good = store.read()
    copy = tmp_path / "copied"
    subprocess.run(["cp", "-r", str(ws.root), str(copy)], check=True)
    backups = sorted((copy / "shared" / ".state_backups").glob("state.*.json"),
                     key=lambda p: len(json.loads(p.read_text(encoding="utf-8"))["history"]))
    for age, backup in enumerate(backups):  # the oldest content gets the newest time, as unzip may do
        os.utime(backup, (2_000_000_000 - age * 60, 2_000_000_000 - age * 60))
    (copy / "shared" / "state.json").write_text("{broken", encoding="utf-8")
    done = subprocess.run([PYTHON, "-m", "goldloop.cli", "state", "recover", "--json", "--workspace", str(copy)],
                          env=clean_env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    recovered = json.loads((copy / "shared" / "state.json").read_text(encoding="utf-8"))
    assert [e["summary"] for e in recovered["history"][:-1]] == [e.summary for e in good.history]
    assert recovered["history"][-1]["summary"] == f"recovered from backup {backups[-1].name}"
