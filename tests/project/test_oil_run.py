"""The non-gold preset end to end: `goldloop init --preset oil` → `goldloop run --fast` completes
with its own target, families, slugs and report, and no gold anywhere in what it writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PYTHON

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]  # a whole run, on a shared machine

FEATURES = ["oil_trend", "equity_stress"]
GOLD = re.compile(r"gold(?!loop)", re.IGNORECASE)  # the product's own name is not the gold project


def _goldloop(*args: str, cwd: Path, env: dict, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


@pytest.fixture(scope="module")
def oil_run(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLDLOOP_", "KAGGLE_", "CLAUDE_"))}
    env["GOLDLOOP_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))  # the panel is built, not reused
    base = tmp_path_factory.mktemp("oil")
    done = _goldloop("init", "ws", "--preset", "oil", cwd=base, env=env)
    assert done.returncode == 0, done.stderr
    root = base / "ws"
    args = ["run", "--fast", "--max-attempts", "1", "--workspace-dir", str(root), "--json"]
    for feature in FEATURES:
        args += ["--features", feature]
    run = _goldloop(*args, cwd=root, env=env)
    assert run.returncode == 0, run.stderr[-4000:]
    return root, run, env


def _written(root: Path) -> dict[str, str]:
    """Every text file the run wrote (the knowledge base and MEMORY.md are the bundle's, copied)."""
    out = {}
    for folder in ("notebooks", "data", "results", "shared", "designs"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in (".ipynb", ".json", ".csv", ".md") \
                    and path.name != "research.md":  # it quotes knowledge entries by title
                out[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return out


def test_oil_run_completes_with_its_target_families_slugs_and_report(oil_run):
    root, run, _ = oil_run
    summary = json.loads(run.stdout)
    assert summary["final_attempt"] is not None and set(summary["features"]) == set(FEATURES)
    state = json.loads((root / "shared" / "state.json").read_text(encoding="utf-8"))
    assert state["project"] == "oil"
    kernels = [a["kernel"] for r in [*state["features"].values(), state["meta"]] for a in r["attempts"]
               if a.get("kernel")]
    assert kernels and all(re.fullmatch(r"goldloop/oil-[a-z0-9-]+-\d+", k) for k in kernels), kernels
    base = (root / "data" / "meta_1" / "base.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "wti_next_ret" in base.split(",")
    trend = next((root / "notebooks" / "oil_trend_1").glob("*.ipynb")).read_text(encoding="utf-8")
    assert "inlined from the workspace's families/oil_trend.py" in trend and "class TrendState" in trend
    report = (root / "results" / "run" / "report.md").read_text(encoding="utf-8")
    assert "# goldloop run report — oil" in report and "metric_over_attempts.png" in report
    assert (root / "results" / "run" / "metric_over_attempts.png").stat().st_size > 5000


def test_no_gold_name_anywhere_in_the_outputs(oil_run):
    root, run, _ = oil_run
    found = {name: GOLD.findall(text)[:3] for name, text in _written(root).items() if GOLD.search(text)}
    assert not found, found
    assert not GOLD.search(run.stdout) and not GOLD.search(run.stderr)
    log = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True).stdout
    assert not GOLD.search(log)


def test_attempts_csv_and_json_round_trip(oil_run):
    from goldloop.attempts import COLUMNS, attempt_table, from_csv
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    root, _, env = oil_run
    rows = attempt_table(StateStore(Workspace(root)).read())
    as_csv = _goldloop("attempts", "--csv", cwd=root, env=env, timeout=120)
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines()[0] == ",".join(COLUMNS)
    assert from_csv(as_csv.stdout) == json.loads(json.dumps(rows))
    as_json = _goldloop("attempts", "--json", "--feature", "meta", cwd=root, env=env, timeout=120)
    assert json.loads(as_json.stdout) == [r for r in rows if r["feature"] == "meta"]
    assert {r["feature"] for r in rows} == {*FEATURES, "meta"}
    gated = [r for r in rows if r["gate3"]]
    assert gated and all(r["primary_p"] is not None and r["mi_gain"] is not None for r in gated)
    saved = (root / "results" / "run" / "attempts.csv").read_text(encoding="utf-8")
    assert from_csv(saved) == from_csv(as_csv.stdout)
