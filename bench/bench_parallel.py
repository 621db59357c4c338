"""Scale-out: the autopilot's driver over the Kaggle emulator with 1, 2 and 5 slots.

Five features × two attempts, then the meta-model (two attempts, sequential by design: the
stop rule needs each verdict), every kernel held RUNNING by the emulator for ``RUN_SECONDS``
like a remote Kaggle run. Everything around the runs is real — the driver, the scheduler,
``kaggle.submit`` through the real ``kaggle`` client, the monitor, state and one commit per
step — except the agents' stages, which are scripted (the tests' tiny notebook, verdicts from
a fixed seed table, see tests/parallel/scripted_loop.py): remote time dominates as it does on
Kaggle, where a run takes minutes to half an hour. Baseline, measured in the same run: the
sequential loop (``--parallel 1``, one slot). Goal: >= 1.6x with 2 slots, >= 3x with 5.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.common import report

RUN_SECONDS = float(os.environ.get("GOLDLOOP_BENCH_RUN_SECONDS", "20"))


def _one(slots: int) -> tuple[float, dict[str, object]]:
    from unittest import mock

    from goldloop.kaggle import monitor
    from goldloop.workspace import init_workspace
    from tests.kaggle.conftest import KEY
    from tests.parallel import scripted_loop
    from tests.parallel.slot_emulator import SlotEmulator

    with tempfile.TemporaryDirectory() as tmp:
        em = SlotEmulator(Path(tmp) / "emulator", users={"tester": KEY}, gpu_slots=slots, cpu_slots=slots,
                          run_seconds=RUN_SECONDS).start()
        client_env = {"KAGGLE_USERNAME": "tester", "KAGGLE_KEY": KEY, "GOLDLOOP_KAGGLE_API_URL": em.url,
                      "HOME": str(Path(tmp) / "home")}
        with mock.patch.dict(os.environ, client_env):
            os.environ.pop("KAGGLE_API_TOKEN", None)
            os.environ.pop("KAGGLE_CONFIG_DIR", None)
            workspace, _ = init_workspace(Path(tmp) / "ws", name="gold", owner="tester")
            try:
                scripted_loop.configure(workspace.root)
                config = workspace.root / "goldloop.toml"
                config.write_text(config.read_text(encoding="utf-8").replace(
                    "kaggle_gpu_slots = 2", f"kaggle_gpu_slots = {slots}\nkaggle_cpu_slots = {slots}"),
                    encoding="utf-8")
                start = time.perf_counter()
                scripted_loop.drive(workspace.root, parallel=slots)
                wall = time.perf_counter() - start
            finally:
                monitor.stop(workspace.root)
                em.stop()
        facts = {"peak": dict(em.peak), "pushes": sum(em.pushes.values()),
                 "twice": [k for k, n in em.pushes.items() if n > 1],
                 "decisions": scripted_loop.decisions(workspace.root)}
    return wall, facts


def main() -> None:
    sequential, base = _one(1)
    print(f"  1 slot: {sequential:.1f} s, {base['pushes']} pushes, peak {base['peak']}")
    for slots, goal in ((2, ">= 1.6x faster"), (5, ">= 3x faster")):
        wall, facts = _one(slots)
        same = facts["decisions"] == base["decisions"]
        print(f"  {slots} slots: {wall:.1f} s, {facts['pushes']} pushes, peak {facts['peak']}, "
              f"pushed twice: {facts['twice'] or 'none'}, same decisions as sequential: {same}")
        report(f"wall with {slots} slots", wall, "s", "1 slot (sequential)", sequential,
               target=f"ratio <= {1 / (1.6 if slots == 2 else 3):.2f} ({goal})")
        print(f"  speed-up {sequential / wall:.2f}x")


if __name__ == "__main__":
    main()
