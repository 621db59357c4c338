"""submit → monitor → fetch → state → commit through the real kaggle client and the emulator,
and every injected fault recovered or reported with nothing lost."""

from __future__ import annotations

import pytest

from goldloop.gitlog import log_messages
from goldloop.kaggle import monitor
from goldloop.kaggle.backends import AuthBackendError
from goldloop.kaggle.fetch import fetch
from goldloop.kaggle.submit import submit
from tests.kaggle.conftest import read_state, wait_for
from tests.kaggle.kernels import make_kernel


def test_submit_monitor_fetch_state_commit_through_emulator(kaggle_ws, emulator):
    from goldloop.kaggle.datasets import push_dataset

    data = kaggle_ws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    folder = make_kernel(kaggle_ws.root, "vix", 1)
    pushed = push_dataset(kaggle_ws.root, "vix", 1)  # also lists the source in kernel-metadata.json
    assert pushed["created"] and pushed["backend"] == "kaggle"
    result = submit(kaggle_ws.root, folder, "vix", 1)
    assert result["submitted"] and result["backend"] == "kaggle" and result["version"] == 1
    assert "SaveKernel" in emulator.methods() and "CreateDataset" in emulator.methods()
    wait_for(lambda: read_state(kaggle_ws.root).status.value != "waiting_training", timeout=90)
    state = read_state(kaggle_ws.root)
    assert state.status.value == "training_complete", state.error_context
    assert state.resume_from == "evaluator" and state.kaggle_kernel == "tester/gold-vix-1"
    assert (kaggle_ws.root / "results" / "vix_1" / "metrics.json").is_file()
    assert "ListKernelSessionOutput" in emulator.methods()
    wait_for(lambda: log_messages(kaggle_ws.root)[-1] == "kaggle: vix attempt 1 - results fetched", timeout=20)
    again = fetch(kaggle_ws.root, "vix", 1)  # manual fetch works too and is idempotent
    assert again["status"]["state"] == "complete" and "output.csv" in again["files"]


def test_unauthorized_push_is_reported_and_nothing_recorded(kaggle_ws, emulator):
    folder = make_kernel(kaggle_ws.root, "vix", 1)
    emulator.inject("unauthorized", method="SaveKernel")
    with pytest.raises(AuthBackendError) as err:
        submit(kaggle_ws.root, folder, "vix", 1)
    assert "401" in err.value.message and emulator.users["tester"] not in str(err.value)
    assert read_state(kaggle_ws.root).status.value == "in_progress"


def test_5xx_burst_slow_and_hanging_answers_never_fail_the_run(kaggle_ws, emulator):
    folder = make_kernel(kaggle_ws.root, "vix", 1, sleep=7)  # still running when the hang comes
    submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    emulator.inject("server_error", count=4, method="GetKernelSessionStatus")
    emulator.inject("slow", count=1, method="GetKernelSessionStatus", seconds=1)
    emulator.inject("hang", count=1, method="GetKernelSessionStatus", seconds=6)  # client timeout is 3 s
    emulator.inject("server_error", count=2, status=502, method="ListKernelSessionOutput")
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    assert outcome["outcome"] == "complete"
    assert read_state(kaggle_ws.root).status.value == "training_complete"
    job = next(r for r in monitor.status(kaggle_ws.root) if r["kernel"] == "tester/gold-vix-1")
    assert job["outcome"] == "complete"
    codes = [c for m, c in emulator.requests if m == "GetKernelSessionStatus"]
    assert codes[:4] == [503] * 4 and 0 in codes  # the burst and the hang really happened


def test_401_while_monitoring_is_recorded_and_polling_goes_on(kaggle_ws, emulator):
    folder = make_kernel(kaggle_ws.root, "vix", 1)
    submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    emulator.inject("unauthorized", count=2, method="GetKernelSessionStatus")
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    assert outcome["outcome"] == "complete"  # credentials fine again: the run's result is kept
    job = next(r for r in monitor.status(kaggle_ws.root) if r["kernel"] == "tester/gold-vix-1")
    assert "401" in job["last_error"]
    assert [c for m, c in emulator.requests if m == "GetKernelSessionStatus"][:2] == [401, 401]


MISSING_LOG = """\
Traceback (most recent call last):
  File "/tmp/ipykernel_27/1.py", line 3, in <module>
    df = pd.read_csv("/kaggle/input/gold-vix-data/table.csv")
FileNotFoundError: [Errno 2] No such file or directory: '/kaggle/input/gold-vix-data/table.csv'
NameError: name 'df' is not defined"""


def test_a_run_failing_with_a_given_log_is_classified_and_routed(kaggle_ws, emulator):
    from goldloop.kaggle.datasets import push_dataset
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore

    # attempt 1: the kernel reads data nobody published → builder_data publishes it
    emulator.fail_next_run(MISSING_LOG, failure="Notebook failed")
    submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1), "vix", 1, start_monitor=False)
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    state = read_state(kaggle_ws.root)
    assert outcome["outcome"] == "failed" and state.status.value == "training_failed"
    assert state.error_type == "dataset_missing" and state.resume_from == "builder_data"
    assert "table.csv" in state.error_context
    assert log_messages(kaggle_ws.root)[-1] == "kaggle: vix attempt 1 - results fetched"
    # attempt 2: the data is published and listed, so the path in the notebook is wrong → builder_model
    start_attempt(StateStore(kaggle_ws), "vix", 2)
    folder = make_kernel(kaggle_ws.root, "vix", 2)
    (kaggle_ws.root / "data" / "vix_2").mkdir(parents=True)
    (kaggle_ws.root / "data" / "vix_2" / "table.csv").write_text("date,vix\n2024-01-02,13\n", encoding="utf-8")
    push_dataset(kaggle_ws.root, "vix", 2)
    emulator.fail_next_run(MISSING_LOG, failure="Notebook failed")
    submit(kaggle_ws.root, folder, "vix", 2, start_monitor=False)
    monitor.watch(kaggle_ws.root, "vix", 2)
    state = read_state(kaggle_ws.root)
    assert state.error_type == "dataset_missing" and state.resume_from == "builder_model"


def test_network_timeout_is_resubmitted_automatically(kaggle_ws, emulator):
    folder = make_kernel(kaggle_ws.root, "vix", 1)
    emulator.fail_next_run("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='fred.stlouisfed.org', "
                           "port=443): Read timed out. (read timeout=30)", failure="Notebook failed")
    submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    att = read_state(kaggle_ws.root).record("vix").attempt(1)
    assert outcome["outcome"] == "complete" and att.retries == 1
    assert "kaggle: vix attempt 1 - resubmitted after network_timeout" in log_messages(kaggle_ws.root)
