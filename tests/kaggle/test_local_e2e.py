"""The embedded default: LocalBackend submit → detached monitor → results → state → commit."""

from __future__ import annotations

import json

from goldloop.gitlog import log_messages
from goldloop.kaggle import monitor
from goldloop.kaggle.submit import submit
from tests.kaggle.conftest import read_state, wait_for
from tests.kaggle.kernels import make_kernel


def test_local_backend_end_to_end_with_dataset_in_both_shapes(kws):
    from goldloop.kaggle.datasets import push_dataset

    data = kws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n2024-01-03,14.1\n", encoding="utf-8")
    pushed = push_dataset(kws.root, "vix", 1)
    assert pushed["dataset"] == "tester/gold-vix-data" and "table.csv" in pushed["files"]
    folder = make_kernel(kws.root, "vix", 1, dataset="tester/gold-vix-data")

    result = submit(kws.root, folder, "vix", 1)
    assert result["submitted"] and result["backend"] == "local" and result["monitor"]["started"]
    assert read_state(kws.root).status.value == "waiting_training"
    assert log_messages(kws.root)[-1] == "kaggle: vix attempt 1 - submitted"

    wait_for(lambda: read_state(kws.root).status.value != "waiting_training", timeout=90)
    state = read_state(kws.root)
    assert state.status.value == "training_complete", state.error_context
    att = state.record("vix").attempt(1)
    assert att.kernel == "tester/gold-vix-1" and att.kernel_version == 1
    assert att.metrics["val_loss"] == 0.6
    results = kws.root / "results" / "vix_1"
    assert (results / "output.csv").read_text(encoding="utf-8").splitlines()[1:] == ["2024-01-02,13.2", "2024-01-03,14.1"]
    log = json.loads((results / "gold-vix-1.log").read_text(encoding="utf-8"))
    assert {"stream_name", "time", "data"} <= set(log[0]) and any("rows 2" in e["data"] for e in log)
    wait_for(lambda: log_messages(kws.root)[-1] == "kaggle: vix attempt 1 - results fetched", timeout=20)
    # both mounts exist in the sandbox
    sandbox = kws.root / ".goldloop" / "kernels" / "tester" / "gold-vix-1" / "v1" / "sandbox" / "input"
    assert (sandbox / "datasets" / "tester" / "gold-vix-data" / "table.csv").is_file()
    assert (sandbox / "gold-vix-data" / "table.csv").is_file()
    rows = wait_for(lambda: [r for r in monitor.status(kws.root) if r["outcome"] == "complete" and not r["alive"]])
    assert rows[0]["kernel"] == "tester/gold-vix-1" and rows[0]["polls"] >= 1


def test_failed_run_is_recorded_with_error_type_and_context(kws):
    # a path only known at run time, so the full validator lets it through and the run fails
    folder = make_kernel(kws.root, "vix", 1, fail='import pandas as pd\nslug = "".join(reversed("gnissim"))\n'
                                                   'pd.read_csv(ROOT / "input" / slug / "x.csv")')
    submit(kws.root, folder, "vix", 1, start_monitor=False)
    outcome = monitor.watch(kws.root, "vix", 1, poll_seconds=0.2)
    assert outcome["outcome"] == "failed"
    state = read_state(kws.root)
    assert state.status.value == "training_failed"
    assert state.error_type and state.error_type != "none"
    assert "x.csv" in state.error_context
    assert state.record("vix").attempt(1).error_type == state.error_type
    assert log_messages(kws.root)[-1] == "kaggle: vix attempt 1 - results fetched"
