"""Secret scanning and the guards' cost, each against a baseline measured in the same run.

- scanner (goldloop.secrets.scan_file, streamed) on a 50 MB executed notebook: code cells,
  printed tables, a base64 PNG and one planted key; baselines: reading the file, and
  ``json.loads`` of it (what any tool does to open a notebook)
- redaction of a 12 k-character log tail (the monitor's error_context) vs the locked state
  write it precedes
- the Bash guard's verdict in process (vs shlex.split of the same command), and its added hook time (python3 launch.py hook bash_guard, stdlib only) and the
  Write guard's, vs a bare ``python3 -c pass`` (medians)
"""

from __future__ import annotations

import base64
import json
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import median_seconds, report

REPO = Path(__file__).resolve().parent.parent
LAUNCH = REPO / "hooks" / "launch.py"
SYSTEM_PYTHON = shutil.which("python3") or sys.executable
KEY = "3b9f0c2e7a514d6e8f10a2b3c4d5e6f7"


def notebook(path: Path, target_mb: int = 50) -> None:
    """A realistic executed notebook: code, printed frames, a PNG, one key near the end."""
    rng = random.Random(7)
    code = ("import numpy as np\nimport pandas as pd\nfrom hmmlearn.hmm import GaussianHMM\n"
            "df = pd.read_csv(input_path('tester', 'gold-vix-data', 'table.csv'))\n"
            "model = GaussianHMM(n_components=3, covariance_type='full', random_state=42)\n"
            "model.fit(df[['vix']].values)\nprint(df.describe())\n")
    rows = "".join(f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}  {rng.gauss(15, 4):9.4f}  "
                   f"{rng.random():.6f}  {rng.randint(0, 2)}\n" for _ in range(2000))
    png = base64.b64encode(rng.randbytes(400_000)).decode()
    cells, size = [], 0
    while size < target_mb * 1_000_000:
        cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": code,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": rows},
                            {"output_type": "display_data", "metadata": {}, "data": {"image/png": png}}]}
        cells.append(cell)
        size += len(rows) + len(png) + len(code)
    cells.append({"cell_type": "code", "execution_count": 2, "metadata": {}, "source": "print(url)",
                  "outputs": [{"output_type": "stream", "name": "stdout",
                               "text": f"https://api.stlouisfed.org/fred/series?api_key={KEY}\n"}]})
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1),
                    encoding="utf-8")


def _hook(name: str, event: dict) -> None:
    subprocess.run([SYSTEM_PYTHON, str(LAUNCH), "hook", name], input=json.dumps(event), capture_output=True,
                   text=True, check=True)


def main() -> None:
    from goldloop.hooks.bash_guard import check_command
    from goldloop.redaction import redact
    from goldloop.secrets import scan_file
    from goldloop.state.store import StateStore
    from goldloop.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "executed.ipynb"
        notebook(path)
        mb = path.stat().st_size / 1e6
        hits = scan_file(path)
        assert [h.kind for h in hits] == ["fred_key"], hits  # the planted key, and nothing else
        read = median_seconds(lambda: path.read_text(encoding="utf-8"), repeat=3)
        parse = median_seconds(lambda: json.loads(path.read_text(encoding="utf-8")), repeat=3)
        scan = median_seconds(lambda: scan_file(path), repeat=3)
        print(f"notebook: {mb:.1f} MB, scanner throughput {mb / scan:.1f} MB/s, 1 planted key found, "
              "0 false positives", flush=True)
        report("scan_file 50 MB notebook", scan, "s", "read_text", read)
        report("scan_file 50 MB notebook", scan, "s", "json.loads", parse)

        tail = (
            "Traceback (most recent call last):\n  File \"<cell>\", line 3\n" * 200
            + f"HTTPError: 400 for url: https://api.stlouisfed.org/fred/series?api_key={KEY}\n")[-12_000:]
        assert KEY not in redact(tail, [])
        ws, _ = init_workspace(Path(tmp) / "ws", owner="bench")
        store = StateStore(ws)
        report("redact 12k-char log tail (monitor error_context)", median_seconds(lambda: redact(tail, []), repeat=20),
               "s", "one locked state write it precedes", median_seconds(lambda: store.update(lambda s: None), repeat=20))

        heredoc = "python3 - <<'EOF'\nimport json\nprint(json.load(open('shared/state.json')))\nEOF"
        for label, command in (("plain command", "git status && ls notebooks"), ("python heredoc", heredoc)):
            report(f"check_command in process, {label}",
                   median_seconds(lambda command=command: check_command(command, str(ws.root)), repeat=50), "s",
                   "shlex.split of it", median_seconds(lambda command=command: shlex.split(command), repeat=50))
        base = {"hook_event_name": "PreToolUse", "cwd": str(ws.root), "session_id": "b"}

        def bare() -> None:
            subprocess.run([SYSTEM_PYTHON, "-c", "pass"], check=True)

        for label, name, tool, tool_input in (
            ("bash_guard, plain command", "bash_guard", "Bash", {"command": "git status && ls notebooks"}),
            ("bash_guard, denied push", "bash_guard", "Bash", {"command": "K=kaggle; $K kernels push -p ."}),
            ("bash_guard, python heredoc", "bash_guard", "Bash",
             {"command": "python3 - <<'EOF'\nimport json\nprint(json.load(open('shared/state.json')))\nEOF"}),
            ("state_file_guard", "state_file_guard", "Write", {"file_path": "shared/./state.json", "content": "{}"}),
        ):
            event = {**base, "tool_name": tool, "tool_input": tool_input}
            # paired samples (hook, then bare, in turn): the load on a shared machine drifts
            hooks, bares = [], []
            for _ in range(11):
                hooks.append(median_seconds(lambda event=event, name=name: _hook(name, event), repeat=1, warmup=0))
                bares.append(median_seconds(bare, repeat=1, warmup=0))
            report(f"{label} hook", statistics.median(hooks), "s", "python3 -c pass", statistics.median(bares))
            added = statistics.median(h - b for h, b in zip(hooks, bares, strict=True))
            print(f"  added by the guard: {added * 1000:.0f} ms (median of 11 paired differences)", flush=True)


if __name__ == "__main__":
    main()
