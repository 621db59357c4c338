"""The detached process that executes one pushed kernel version for the LocalBackend.

``python -m goldloop.kaggle.local_runner <version dir>``: runs the notebook with nbclient,
cwd = ``sandbox/working`` and ``GOLDLOOP_KAGGLE_ROOT = sandbox`` (Kaggle's ``/kaggle``), writes
the log after every cell in Kaggle's format and the final status to run.json.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

from goldloop.kaggle.local_backend import LOG_FILE, RUN_FILE, kill_tree, merge_run, read_json
from goldloop.state.model import utcnow

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class KaggleLog:
    """Kaggle's run log: a JSON list of {stream_name, time, data}, rewritten after each cell."""

    def __init__(self, path: Path) -> None:
        self.path, self.start, self.entries = path, time.monotonic(), []  # type: tuple[Path, float, list]

    def add(self, stream: str, text: str) -> None:
        if text:
            self.entries.append({"stream_name": stream, "time": round(time.monotonic() - self.start, 3),
                                 "data": text})

    def add_outputs(self, outputs: list[Any]) -> None:
        for out in outputs:
            kind = out.get("output_type")
            if kind == "stream":
                self.add(out.get("name", "stdout"), out.get("text", ""))
            elif kind == "error":
                self.add("stderr", ANSI_RE.sub("", "\n".join(out.get("traceback", []))) + "\n")
            elif kind in ("execute_result", "display_data"):
                text = out.get("data", {}).get("text/plain")
                self.add("stdout", (text if isinstance(text, str) else "".join(text or [])) + "\n")

    def flush(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.entries, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


def run(vdir: Path) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    vdir = vdir.resolve()
    info = read_json(vdir / RUN_FILE)
    sandbox = vdir / "sandbox"
    working = sandbox / "working"
    log = KaggleLog(vdir / LOG_FILE)
    os.environ["GOLDLOOP_KAGGLE_ROOT"] = str(sandbox)
    os.chdir(working)
    if merge_run(vdir, status="RUNNING", runner_pid=os.getpid(), started_at=utcnow()).get("status") != "RUNNING":
        return 0  # cancelled while queued

    timeout = float(info.get("timeout_seconds") or 1800)

    def out_of_time() -> None:
        log.add("stderr", f"TimeoutError: the run exceeded its time limit of {timeout:.0f} seconds\n")
        log.flush()
        merge_run(vdir, status="ERROR", finished_at=utcnow(),
                  failure_message=f"Your notebook exceeded the time limit of {timeout:.0f} seconds")
        for child in _children():
            kill_tree(child)
        os._exit(1)

    watchdog = threading.Timer(timeout, out_of_time)
    watchdog.daemon = True
    watchdog.start()
    nb = nbformat.read(vdir / "kernel" / info["code_file"], as_version=4)

    def on_cell(cell: Any = None, **_: Any) -> None:
        log.add_outputs(cell.get("outputs", []) if cell is not None else [])
        log.flush()

    client = NotebookClient(nb, timeout=None, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(working)}}, on_cell_executed=on_cell)
    status, failure = "COMPLETE", None
    try:
        client.execute(cwd=str(working))
    except CellExecutionError as exc:
        status = "ERROR"
        failure = f"{exc.ename}: {exc.evalue}" if getattr(exc, "ename", None) else str(exc).splitlines()[-1]
    except Exception as exc:  # the kernel died (e.g. killed for memory) or failed to start
        status, failure = "ERROR", f"{type(exc).__name__}: {exc}"
        log.add("stderr", f"{failure}\n")
    finally:
        watchdog.cancel()
    log.flush()
    nbformat.write(nb, sandbox / f"{Path(info['code_file']).stem}.executed.ipynb")
    merge_run(vdir, status=status, finished_at=utcnow(), failure_message=failure)
    return 0 if status == "COMPLETE" else 1


def _children() -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process().children()]


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))
