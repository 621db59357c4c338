"""Classifier speed: per real log (in-process and the whole CLI), and throughput and memory on
a 50 MB kernel log (Kaggle JSON and plain text).

Ours: ``classify_log`` streams the file in blocks. Baseline, measured in the same run: the
naive classifier: read the whole file into memory, then ``re.search`` each row of the same
pattern table over it. Per log, the corpus is tests/kaggle_classify/real_corpus (reproductions
of public failure logs); the CLI baseline is a bare ``python -c pass`` process. Peak memory
comes from tracemalloc (Python allocations).
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.common import median_seconds, report

TARGET_MB = 50


def _lines():
    """A training log: epochs, progress bars, a warning now and then, and a failure at the end."""
    i = 0
    while True:
        i += 1
        yield "stdout", f"Epoch {i}/100000 - train_loss {0.9 - (i % 97) * 0.001:.4f} - val_loss 0.9{i % 89:02d} - lr 3.0e-04\n"
        yield "stderr", f"{i % 100:3d}%|{'█' * (i % 10)}{' ' * (10 - i % 10)}| {i % 100}/100 [00:0{i % 10}<00:00, 41.3it/s]\r"
        if i % 500 == 0:
            yield "stderr", ("/tmp/ipykernel_27/2151839261.py:7: FutureWarning: DataFrame.fillna with 'method' is "
                             "deprecated and will raise in a future version. Use obj.ffill() or obj.bfill() instead.\n")


FAILURE = [("stderr", "Traceback (most recent call last):\n"),
           ("stderr", "FileNotFoundError: [Errno 2] No such file or directory: '/kaggle/input/gold-vix-data/vix_2.csv'\n"),
           ("stderr", "NameError: name 'vix2' is not defined\n")]


def write_logs(folder: Path) -> tuple[Path, Path]:
    js, txt = folder / "big.log", folder / "big.txt"
    limit = TARGET_MB * 1_000_000
    with js.open("w", encoding="utf-8") as fj:
        fj.write("[")
        first, t, size = True, 0.0, 0
        for stream, data in _lines():
            entry = json.dumps({"stream_name": stream, "time": round(t, 6), "data": data}, separators=(",", ":"))
            fj.write(("" if first else "\n,") + entry)
            first, t, size = False, t + 0.01, size + len(entry) + 2
            if size >= limit:
                break
        for stream, data in FAILURE:
            fj.write("\n," + json.dumps({"stream_name": stream, "time": t, "data": data}, separators=(",", ":")))
        fj.write("\n]")
    with txt.open("w", encoding="utf-8") as ft:
        size = 0
        for _, data in _lines():
            ft.write(data)
            size += len(data.encode("utf-8"))
            if size >= limit:
                break
        ft.write("".join(data for _, data in FAILURE))
    return js, txt


def naive(path: Path) -> list[str]:
    from goldloop.kaggle.classify import load_table

    text = path.read_text(encoding="utf-8")
    return [p.id for p in load_table().patterns if re.search(p.regex, text)]


def peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def per_log() -> None:
    from goldloop.kaggle.classify import classify_log
    from tests.kaggle_classify.real_scores import CORPUS, cases

    logs = [(CORPUS / c["file"], c.get("status")) for c in cases()]
    ours = [median_seconds(lambda p=p, s=s: classify_log(p, status=s), repeat=5) for p, s in logs]
    base = [median_seconds(lambda p=p: naive(p), repeat=5) for p, _ in logs]
    report(f"classify_log in-process, median per real log ({len(logs)} logs)", statistics.median(ours) * 1000, "ms",
           "whole file + re.search per row", statistics.median(base) * 1000)
    sample = logs[:: max(1, len(logs) // 10)]
    cli = [median_seconds(lambda p=p: subprocess.run(
        [sys.executable, "-m", "goldloop.cli", "kaggle", "classify", str(p), "--json"], capture_output=True), repeat=3)
        for p, _ in sample]
    bare = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True), repeat=5)
    report("goldloop kaggle classify CLI process, median per log", statistics.median(cli), "s",
           "python -c pass process", bare)


def main() -> None:
    from goldloop.kaggle.classify import classify_log

    per_log()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        js, txt = write_logs(Path(tmp))
        print(f"generated {js.stat().st_size / 1e6:.1f} MB JSON and {txt.stat().st_size / 1e6:.1f} MB text logs "
              f"in {time.perf_counter() - start:.1f} s", flush=True)
        for label, path in (("kaggle JSON", js), ("plain text", txt)):
            mb = path.stat().st_size / 1e6
            result = classify_log(path)
            assert result.error_type == "dataset_missing", result.to_dict()
            ours = median_seconds(lambda p=path: classify_log(p), repeat=3, warmup=0)
            # The baseline scans 50 MB once per row (~1 min): one timed run.
            base = median_seconds(lambda p=path: naive(p), repeat=1, warmup=0)
            report(f"classify_log {label} throughput", mb / ours, "MB/s",
                   "whole file in memory + re.search per row (1 run)", mb / base, target="streamed, >= baseline")
            ours_peak = peak_bytes(lambda p=path: classify_log(p)) / 1e6
            base_peak = peak_bytes(lambda p=path: p.read_text(encoding="utf-8")) / 1e6
            report(f"classify_log {label} peak memory", ours_peak, "MB",
                   "reading the whole file", base_peak, target=f"bounded, << {mb:.0f} MB")


if __name__ == "__main__":
    main()
