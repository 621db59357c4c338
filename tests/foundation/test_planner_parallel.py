"""next_actions: every independent step that may run now, nothing twice, meta after submodels."""

from __future__ import annotations

from goldloop.config import Config
from goldloop.state.model import Attempt, FeatureRecord, FeatureStatus, State, Status
from goldloop.state.planner import next_action, next_actions

CONFIG = Config(features=["vix", "dxy", "regime"])


def _with(state: State, feature: str, *statuses: Status, feature_status=FeatureStatus.IN_PROGRESS) -> State:
    rec = FeatureRecord(name=feature, status=feature_status,
                        attempts=[Attempt(number=n, status=s) for n, s in enumerate(statuses, 1)])
    for att in rec.attempts[:-1]:
        att.verdict = "fail"
    state.features[feature] = rec
    return state


def _kinds(state: State) -> list[tuple[str | None, int | None, str]]:
    return [(a.feature, a.attempt, a.kind) for a in next_actions(state, CONFIG)]


def test_a_fresh_project_may_start_every_feature_at_once():
    assert _kinds(State()) == [("vix", 1, "start_attempt"), ("dxy", 1, "start_attempt"),
                               ("regime", 1, "start_attempt")]


def test_start_b_while_a_trains_and_evaluate_a_while_b_trains():
    state = _with(State(status=Status.WAITING_TRAINING, current_feature="vix", current_attempt=1),
                  "vix", Status.WAITING_TRAINING)
    assert _kinds(state) == [("vix", 1, "check_monitor"), ("dxy", 1, "start_attempt"),
                             ("regime", 1, "start_attempt")]
    _with(state, "vix", Status.TRAINING_COMPLETE)
    _with(state, "dxy", Status.WAITING_TRAINING)
    _with(state, "regime", Status.IN_PROGRESS)
    assert sorted(_kinds(state)) == [("dxy", 1, "check_monitor"), ("regime", 1, "continue"),
                                     ("vix", 1, "run_gates")]


def test_one_step_per_attempt_and_one_open_attempt_per_feature():
    state = _with(State(status=Status.EVALUATED, current_feature="vix", current_attempt=2),
                  "vix", Status.EVALUATED, Status.EVALUATED)
    _with(state, "dxy", Status.EVALUATED, Status.TRAINING_FAILED)
    actions = next_actions(state, CONFIG)
    keys = [(a.feature, a.attempt) for a in actions]
    assert len(keys) == len(set(keys))
    assert [a.feature for a in actions].count("dxy") == 1  # no attempt 3 while 2 is open
    assert ("vix", 3) in keys


def test_meta_waits_for_every_submodel():
    state = State(status=Status.EVALUATED, current_feature="regime", current_attempt=1)
    _with(state, "vix", Status.EVALUATED, feature_status=FeatureStatus.PASSED)
    _with(state, "dxy", Status.EVALUATED, feature_status=FeatureStatus.ABANDONED)
    _with(state, "regime", Status.WAITING_TRAINING)
    assert all(a.feature != "meta" for a in next_actions(state, CONFIG))
    state.features["regime"].attempts[0].status = Status.EVALUATED
    state.features["regime"].status = FeatureStatus.PASSED
    assert _kinds(state) == [("meta", 1, "start_attempt")]


def test_meta_attempts_follow_each_other():
    state = State(status=Status.WAITING_TRAINING, current_feature="meta", current_attempt=1)
    for name in CONFIG.features:
        _with(state, name, Status.EVALUATED, feature_status=FeatureStatus.PASSED)
    state.meta = FeatureRecord(name="meta", attempts=[Attempt(number=1, status=Status.WAITING_TRAINING)])
    assert _kinds(state) == [("meta", 1, "check_monitor")]


def test_next_action_is_the_current_attempt_first():
    """A one-at-a-time caller keeps following the attempt it worked on last."""
    state = _with(State(status=Status.IN_PROGRESS, current_feature="dxy", current_attempt=1),
                  "dxy", Status.IN_PROGRESS)
    _with(state, "vix", Status.TRAINING_COMPLETE)
    first = next_action(state, CONFIG)
    assert (first.feature, first.kind) == ("dxy", "continue")


def test_the_parallel_driver_starts_a_new_family_before_a_follow_up():
    """vix attempt 1 failed, dxy trains, regime has not started: with one slot free, the
    driver takes regime's first attempt (the longer chain left) before vix's second."""
    from goldloop.autopilot.parallel import breadth_first

    state = _with(State(status=Status.EVALUATED, current_feature="vix", current_attempt=1), "vix", Status.EVALUATED)
    state.features["vix"].attempts[0].verdict = "fail"
    _with(state, "dxy", Status.WAITING_TRAINING)
    planned = [(a.feature, a.attempt, a.kind) for a in next_actions(state, CONFIG)]
    # the planner's own order (the one-at-a-time loop's): the started family's follow-up first
    assert planned.index(("vix", 2, "start_attempt")) < planned.index(("regime", 1, "start_attempt"))
    ordered = [(a.feature, a.attempt, a.kind) for a in breadth_first(next_actions(state, CONFIG))]
    assert ordered.index(("regime", 1, "start_attempt")) < ordered.index(("vix", 2, "start_attempt"))
