"""The Kaggle API emulator with Kaggle's per-account session caps and scripted run times.

* Caps: a push beyond ``gpu_slots`` live GPU (``cpu_slots`` CPU) sessions is answered with
  HTTP 200 and ``error: "Maximum batch GPU session count of 2 reached."`` — the shape users
  report (adapter-hub/playground PR #4 for GPU 2; Kaggle/kaggle-cli#185 for the message and
  the HTTP-200 answer; public launch scripts quoting "Maximum batch CPU session count of 5").
* Run time: a session reports RUNNING for at least ``run_seconds`` after its push, however
  fast the notebook itself finishes here, so a test or bench can script remote run times.
* It records every push per kernel and the peak number of live sessions per accelerator.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from goldloop.kaggle.emulator import ACTIVE, KaggleEmulator


class SlotEmulator(KaggleEmulator):
    def __init__(self, *args: Any, gpu_slots: int = 2, cpu_slots: int = 5, run_seconds: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, gpu_slots=gpu_slots, **kwargs)
        self.cpu_slots, self.run_seconds = cpu_slots, run_seconds
        self.pushes: Counter[str] = Counter()
        self.refusals = 0
        self.peak: Counter[str] = Counter()
        self._live: dict[str, tuple[str, float]] = {}  # kernel → (accelerator, earliest end)
        self._slot_lock = threading.Lock()

    def _finished(self, kernel: str, until: float) -> bool:
        if time.time() < until:
            return False
        record = self.kernels.get(kernel)
        if record is None or not record.sessions:  # a push that never started a run holds no session
            return True
        return self._session_status(record, record.sessions[record.latest])[0] not in ACTIVE

    def live(self, accelerator: str) -> int:
        return sum(1 for k, (acc, until) in self._live.items() if acc == accelerator and not self._finished(k, until))

    def _api_SaveKernel(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        accelerator = "gpu" if body.get("enableGpu") else "cpu"
        cap = self.gpu_slots if accelerator == "gpu" else self.cpu_slots
        with self._slot_lock:
            if self.live(accelerator) >= cap:
                self.refusals += 1
                return {"ref": "", "error": f"Maximum batch {accelerator.upper()} session count of {cap} reached."}
            answer = super()._api_SaveKernel(body, user)
            if not answer.get("error"):
                kernel = body.get("slug") or ""
                self.pushes[kernel] += 1
                self._live[kernel] = (accelerator, time.time() + self.run_seconds)
                self.peak[accelerator] = max(self.peak[accelerator], self.live(accelerator))
            return answer

    def _api_GetKernelSessionStatus(self, body: dict[str, Any], user: str) -> dict[str, Any]:
        answer = super()._api_GetKernelSessionStatus(body, user)
        live = self._live.get(f"{body.get('userName')}/{body.get('kernelSlug')}")
        if live and time.time() < live[1] and answer.get("status") not in ("QUEUED",):
            answer = {**answer, "status": "RUNNING", "failureMessage": None}
        return answer
