"""next_action over every status, table-driven."""

from __future__ import annotations

import pytest

from goldloop.config import Config
from goldloop.state.model import Attempt, FeatureRecord, FeatureStatus, FinalDecision, State, Status
from goldloop.state.planner import next_action

CONFIG = Config(features=["vix", "regime"])


def _state(status: Status, feature="vix", attempt=1, **kw) -> State:
    state = State(status=status, current_feature=feature, current_attempt=attempt, **kw)
    if feature and feature != "meta":
        state.features[feature] = FeatureRecord(
            name=feature, status=FeatureStatus.IN_PROGRESS,
            attempts=[Attempt(number=n, status=Status.EVALUATED) for n in range(1, (attempt or 0) + 1)],
        )
        # schema 2: the current attempt's own status is the global one
        state.features[feature].attempts[-1].status = status
    return state


def _evaluated(verdict: str, feature_status: FeatureStatus, attempt: int = 1, plan: str | None = None) -> State:
    state = _state(Status.EVALUATED, attempt=attempt)
    rec = state.features["vix"]
    rec.status = feature_status
    rec.attempts[-1].verdict, rec.attempts[-1].plan = verdict, plan
    return state


def _meta(since_best: int, tried: int, best: int | None = 1) -> State:
    state = State(status=Status.EVALUATED, current_feature="meta" if tried else "regime",
                  current_attempt=tried or 1)
    for name in CONFIG.features:
        state.features[name] = FeatureRecord(name=name, status=FeatureStatus.PASSED)
    state.meta = FeatureRecord(name="meta", attempts=[Attempt(number=n, status=Status.EVALUATED)
                                                      for n in range(1, tried + 1)],
                               best_attempt=best, attempts_since_best=since_best)
    return state


CASES = [
    ("fresh", State(), ("entrance", "vix", 1, "start_attempt")),
    ("in progress", _state(Status.IN_PROGRESS, resume_from="architect"), ("architect", "vix", 1, "continue")),
    ("waiting", _state(Status.WAITING_TRAINING, kaggle_kernel="o/k"), ("orchestrator", "vix", 1, "check_monitor")),
    ("complete", _state(Status.TRAINING_COMPLETE), ("evaluator", "vix", 1, "run_gates")),
    ("oom", _state(Status.TRAINING_FAILED, error_type="oom"), ("builder_model", "vix", 1, "fix_and_resubmit")),
    ("network", _state(Status.TRAINING_FAILED, error_type="network_timeout"), ("orchestrator", "vix", 1, "resubmit")),
    ("unknown", _state(Status.TRAINING_FAILED, error_type=None), ("builder_model", "vix", 1, "fix_and_resubmit")),
    ("gate fail", _evaluated("fail", FeatureStatus.IN_PROGRESS, plan="try 3 regimes"), ("entrance", "vix", 2, "start_attempt")),
    ("abandoned", _evaluated("fail", FeatureStatus.ABANDONED), ("entrance", "regime", 1, "start_attempt")),
    ("passed", _evaluated("pass", FeatureStatus.PASSED), ("entrance", "regime", 1, "start_attempt")),
    ("all settled", _meta(0, 0, best=None), ("entrance", "meta", 1, "start_attempt")),
    ("meta continues", _meta(3, 5), ("entrance", "meta", 6, "start_attempt")),
    ("meta stop rule", _meta(8, 15), ("evaluator", "meta", 1, "finalize")),
    ("meta limit", _meta(2, 15, best=4), ("evaluator", "meta", 4, "finalize")),
    ("meta nothing kept", _meta(0, 15, best=None), (None, "meta", None, "needs_human")),
    ("done", State(status=Status.COMPLETED, final=FinalDecision(attempt=7, summary="x")), (None, None, None, "done")),
]


@pytest.mark.parametrize(("name", "state", "expected"), CASES, ids=[c[0] for c in CASES])
def test_next_action(name, state, expected):
    action = next_action(state, CONFIG)
    assert (action.agent, action.feature, action.attempt, action.kind) == expected
    assert action.instruction and action.reason


def test_the_plan_travels_to_the_next_attempt():
    action = next_action(_evaluated("fail", FeatureStatus.IN_PROGRESS, plan="try 3 regimes"), CONFIG)
    assert "try 3 regimes" in action.instruction


def test_network_retries_stop_after_the_limit():
    state = _state(Status.TRAINING_FAILED, error_type="network_timeout")
    state.features["vix"].attempts[0].retries = CONFIG.kaggle.auto_retry_network
    assert next_action(state, CONFIG).kind == "fix_and_resubmit"


def test_every_status_has_an_action():
    for status in Status:
        assert next_action(_state(status), CONFIG).kind
