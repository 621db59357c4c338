"""`goldloop --version` and the versions every attempt records (issue #11, item 1)."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata

from tests.conftest import PYTHON


def test_version_prints_goldloop_and_the_libraries_that_decide_a_result_without_importing_them():
    # run in a fresh interpreter: the heavy libraries must not be imported to answer
    probe = ("import sys; from goldloop.cli import main; code = main(['--version']); "
             "heavy = [m for m in ('pandas', 'xgboost', 'kaggle') if m in sys.modules]; "
             "print('heavy:', heavy); sys.exit(code)")
    done = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"goldloop {metadata.version('goldloop')}"
    shown = dict(line.split() for line in lines[1:-1])
    assert shown["kaggle"] == metadata.version("kaggle")
    assert shown["pandas"] == metadata.version("pandas")
    assert shown["python"] == platform.python_version()
    xgb = shown["xgboost"]
    assert xgb != "not installed" and xgb.split(".")[0] == __import__("xgboost").__version__.split(".")[0]
    assert lines[-1] == "heavy: []"


def test_every_attempt_records_the_versions_it_ran_with(ws):
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore
    from goldloop.versions import versions

    store = StateStore(ws)
    start_attempt(store, "vix", 1)
    recorded = store.read().record("vix").attempt(1).versions
    assert recorded == versions()
    assert set(recorded) == {"goldloop", "kaggle", "xgboost", "pandas", "python"}
    # the record survives a reload through the schema-validated store
    assert StateStore(ws).read().record("vix").attempt(1).versions["kaggle"] == metadata.version("kaggle")
