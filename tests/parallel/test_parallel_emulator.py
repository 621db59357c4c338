"""Parallel attempts over the Kaggle emulator with 2 GPU slots and scripted run times."""

from __future__ import annotations

from goldloop.workspace import init_workspace
from tests.parallel import scripted_loop
from tests.parallel.slot_emulator import SlotEmulator


def _workspace(tmp_path, name):
    workspace, _ = init_workspace(tmp_path / name, name="gold", owner="tester")
    scripted_loop.configure(workspace.root)
    return workspace.root


def test_five_features_two_attempts_stay_within_two_gpu_slots_and_decide_like_a_sequential_run(
        tmp_path, slot_emulator, monkeypatch):
    root = _workspace(tmp_path, "parallel")
    scripted_loop.drive(root, parallel=5)
    parallel = scripted_loop.decisions(root)

    gpu_kernels = [k for k in slot_emulator.pushes if "dxy" not in k]
    assert slot_emulator.peak["gpu"] == 2  # both slots used, never a third
    assert set(slot_emulator.pushes.values()) == {1}, slot_emulator.pushes  # nothing pushed twice
    assert len(gpu_kernels) == 4 * 2 + 2  # 4 GPU features × 2 attempts + 2 meta attempts
    assert all(len(verdicts) == 2 for name, (_, verdicts) in parallel.items() if name != "meta")

    sequential_em = SlotEmulator(tmp_path / "emulator2", users=slot_emulator.users, gpu_slots=2,
                                 run_seconds=slot_emulator.run_seconds).start()
    try:
        monkeypatch.setenv("GOLDLOOP_KAGGLE_API_URL", sequential_em.url)
        seq_root = _workspace(tmp_path, "sequential")
        scripted_loop.drive(seq_root, parallel=1)
    finally:
        sequential_em.stop()
    assert sequential_em.peak["gpu"] == 1
    assert scripted_loop.decisions(seq_root) == parallel


def test_git_log_names_each_step_under_concurrency(tmp_path, slot_emulator):
    from goldloop.gitlog import log_messages

    root = _workspace(tmp_path, "ws")
    scripted_loop.configure(root, features=["vix", "regime"])
    scripted_loop.drive(root, parallel=2)
    messages = [m for m in log_messages(root) if m.split(":")[0] in ("entrance", "model", "kaggle", "eval")]
    for feature in ("vix", "regime"):
        for attempt in (1, 2):
            mine = [m for m in messages if m.split(":")[1].strip().startswith(f"{feature} attempt {attempt}")]
            assert [m.split(":")[0] for m in mine] == ["entrance", "model", "kaggle", "kaggle", "eval"], mine
