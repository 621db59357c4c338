"""Slots per backend and accelerator, the weekly GPU quota, capacity refusals."""

from __future__ import annotations

from goldloop.config import Config
from goldloop.kaggle.backends import get_backend
from goldloop.scheduler import Claim, SlotScheduler, gpu_quota_allows, local_workers
from goldloop.state.model import Attempt, FeatureRecord, RunRecord, State, Status


def _flying(*runs: tuple[str, str, str]) -> State:
    """A state with one attempt in flight per (feature, backend, accelerator)."""
    state = State(status=Status.WAITING_TRAINING)
    for feature, backend, accelerator in runs:
        run = RunRecord(backend=backend, kernel=f"tester/gold-{feature}-1", accelerator=accelerator)
        state.features[feature] = FeatureRecord(
            name=feature, attempts=[Attempt(number=1, status=Status.WAITING_TRAINING, run=run)])
    return state


def test_kaggle_gpu_has_two_slots_cpu_its_own_five():
    slots = SlotScheduler(Config(), "kaggle")
    state = _flying(("vix", "kaggle", "gpu"), ("dxy", "kaggle", "gpu"))
    refused = slots.claim(state, "regime", 1, "gpu")
    assert not isinstance(refused, Claim) and "2/2 busy" in refused.reason
    assert slots.queue() == [{"feature": "regime", "attempt": 1, "reason": refused.reason}]
    assert isinstance(slots.claim(state, "cross_asset", 1, "cpu"), Claim)


def test_claims_count_until_state_records_the_push():
    slots = SlotScheduler(Config(), "kaggle")
    state = State()
    first, second = slots.claim(state, "a", 1, "gpu"), slots.claim(state, "b", 1, "gpu")
    assert isinstance(first, Claim) and isinstance(second, Claim)
    assert not isinstance(slots.claim(state, "c", 1, "gpu"), Claim)
    slots.release(first)
    assert isinstance(slots.claim(state, "c", 1, "gpu"), Claim)
    assert slots.queue() == []


def test_local_backend_shares_one_pool_of_workers(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    config = Config()
    assert local_workers(config) == 1
    slots = SlotScheduler(config, "local")
    state = _flying(("vix", "local", "gpu"))
    assert not isinstance(slots.claim(state, "dxy", 1, "cpu"), Claim)
    assert local_workers(Config(parallel={"local_workers": 3})) == 3


def test_capacity_refusal_holds_the_pool_at_what_we_run_until_a_run_ends():
    now = [0.0]
    slots = SlotScheduler(Config(), "kaggle", clock=lambda: now[0])
    state = _flying(("vix", "kaggle", "gpu"))  # another session (the web editor) holds the 2nd slot
    claim = slots.claim(state, "dxy", 1, "gpu")
    assert isinstance(claim, Claim)
    slots.release(claim)
    slots.refused(claim, state)
    assert not isinstance(slots.claim(state, "dxy", 1, "gpu"), Claim)
    assert "capacity" in slots.queue()[0]["reason"]
    assert isinstance(slots.claim(State(), "dxy", 1, "gpu"), Claim)  # our run ended: try again


def test_gpu_quota_counts_the_time_limits_of_runs_in_flight():
    quota = {"gpu_hours": {"remaining": 1.2}, "refresh": "2026-12-05T00:00:00Z"}
    assert gpu_quota_allows(quota, 0, 0.5)[0]
    assert gpu_quota_allows(quota, 1, 0.5)[0]
    ok, why = gpu_quota_allows(quota, 2, 0.5)
    assert not ok and "1.2 h remain" in why
    assert gpu_quota_allows(None, 5, 0.5)[0]


def test_quota_nearly_used_gpu_waits_cpu_goes_on(tmp_path, slot_emulator):
    """The quota comes from the real kaggle client asking the emulator's quota API."""
    from goldloop.workspace import init_workspace
    from tests.parallel import scripted_loop

    workspace, _ = init_workspace(tmp_path / "ws", name="gold", owner="tester")
    scripted_loop.configure(workspace.root, run_timeout=30)
    from goldloop.config import load_config

    config = load_config(workspace.root)
    slot_emulator.gpu_hours = (29.3, 30.0)  # 0.7 h left; a run may take 0.5 h
    slots = SlotScheduler(config, "kaggle", quota=get_backend("kaggle", workspace, config).quota)
    first = slots.claim(State(), "vix", 1, "gpu")
    assert isinstance(first, Claim)  # the first one fits
    slots.release(first)  # pushed: state counts it from now on
    state = _flying(("vix", "kaggle", "gpu"))
    waiting = slots.claim(state, "regime", 1, "gpu")
    assert not isinstance(waiting, Claim) and "GPU quota" in waiting.reason
    assert isinstance(slots.claim(state, "dxy", 1, "cpu"), Claim)
    assert "GetAcceleratorQuotaStatistics" in slot_emulator.methods()
