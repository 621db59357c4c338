"""Kaggle as it really is: one test per row of issue #12's table, the stock ``kaggle`` client
and goldloop's backend both against the emulator (whose behaviours cite their sources in
docs/kaggle.md). Scripted sessions keep these fast; test_emulator_e2e runs real notebooks."""

from __future__ import annotations

import json

import pytest

from goldloop.gitlog import log_messages
from goldloop.kaggle import monitor
from goldloop.kaggle.backends import (
    AuthBackendError,
    ForbiddenBackendError,
    KernelConflictError,
    NotFoundBackendError,
    TransientBackendError,
)
from goldloop.kaggle.cancel import cancel
from goldloop.kaggle.credentials import KaggleCredentials
from goldloop.kaggle.kaggle_backend import KaggleBackend, make_api
from goldloop.kaggle.submit import submit
from tests.kaggle.conftest import KEY, configure, read_state, wait_for
from tests.kaggle.kernels import make_kernel

K = "tester/gold-vix-1"


def stock_api(emulator):
    """The stock kaggle client (KaggleApi + kagglesdk), pointed at the emulator."""
    return make_api(KaggleCredentials("test", "tester", key=KEY), emulator.url)


def attempt(root, feature="vix", number=1):
    return read_state(root).record(feature).attempt(number)


def test_push_while_running_starts_a_second_session_but_goldloop_never_does(kaggle_ws, emulator):
    # Kaggle's behaviour (kaggle-api issue #388), through the stock client: two pushes, two sessions.
    other = make_kernel(kaggle_ws.root, "vix", 2)
    emulator.script_next_run(seconds=30)
    emulator.script_next_run(seconds=30)
    api = stock_api(emulator)
    assert [api.kernels_push(str(other)).version_number for _ in range(2)] == [1, 2]
    assert len(emulator.active_sessions("tester/gold-vix-2")) == 2
    # goldloop: the second submit of a running attempt adopts the session, pushes nothing.
    folder = make_kernel(kaggle_ws.root, "vix", 1)
    emulator.script_next_run(seconds=30)
    first = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    again = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    assert first["submitted"] and first["version"] == 1
    assert again["adopted"] and not again["submitted"] and again["version"] == 1
    assert "second, billed session" in again["message"]
    assert emulator.sessions_started(K) == 1
    assert attempt(kaggle_ws.root).kernel_version == 1


def test_no_session_id_and_the_only_stop_is_deleting_the_kernel(kaggle_ws, emulator):
    emulator.script_next_run(seconds=60)
    submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1), "vix", 1, start_monitor=False)
    backend = KaggleBackend(kaggle_ws.root)
    status = backend.status(K, 1)
    assert status.state == "running" and set(status.raw) <= {"status", "failureMessage"}
    said = cancel(kaggle_ws.root, "vix", 1)
    assert not said["stopped"] and f"https://www.kaggle.com/code/{K}" in said["message"]
    assert emulator.active_sessions(K) and read_state(kaggle_ws.root).status.value == "waiting_training"
    done = cancel(kaggle_ws.root, "vix", 1, delete_kernel=True)
    assert done["deleted"] and not emulator.active_sessions(K)
    state = read_state(kaggle_ws.root)
    assert state.status.value == "training_failed" and state.error_type == "cancelled"
    assert state.resume_from == "orchestrator" and "deleted" in state.error_context
    with pytest.raises(NotFoundBackendError):  # a deleted kernel answers 404
        backend.status(K)
    assert monitor.watch(kaggle_ws.root, "vix", 1)["outcome"] == "failed"  # ends at once, nothing re-recorded


def test_403_means_not_found_or_not_yours_and_401_means_credentials(kaggle_ws, emulator, monkeypatch):
    backend = KaggleBackend(kaggle_ws.root)
    for ref in ("tester/gold-never-pushed-1", "someone/gold-vix-1"):
        with pytest.raises(ForbiddenBackendError) as err:
            backend.status(ref)
        assert "not found or not yours" in err.value.message and "your Kaggle user tester" in err.value.message
    assert "owner someone" in err.value.message
    with pytest.raises(ValueError, match="Permission"):  # the stock client sees the same 403
        stock_api(emulator).kernels_status("someone/gold-vix-1")
    monkeypatch.setenv("KAGGLE_KEY", "f" * 32)
    with pytest.raises(AuthBackendError) as err:
        KaggleBackend(kaggle_ws.root).status(K)
    assert "401" in err.value.message and "f" * 32 not in str(err.value)


@pytest.mark.parametrize("style", ["envelope", "legacy"])
def test_409_is_a_title_conflict_and_its_message_survives_the_envelope(kaggle_ws, emulator, style):
    emulator.error_style = style
    emulator.script_next_run(seconds=0.2)
    stock_api(emulator).kernels_push(str(make_kernel(kaggle_ws.root, "vix", 1)))
    clash = make_kernel(kaggle_ws.root, "vix", 2)
    meta = json.loads((clash / "kernel-metadata.json").read_text(encoding="utf-8"))
    meta["title"] = "gold-vix-1"  # another kernel of tester already has this title
    (clash / "kernel-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(KernelConflictError) as err:
        KaggleBackend(kaggle_ws.root).push(clash)
    assert "already exists" in err.value.message and "title" in err.value.hint
    assert "running" not in err.value.message  # not the old "still running, cancel it"
    if style == "envelope":
        assert "ALREADY_EXISTS" in err.value.message


@pytest.mark.parametrize("fault", ["rate_limit", "server_error", "non_json", "cut"])
def test_html_non_json_and_cut_answers_are_transient(kaggle_ws, emulator, fault):
    emulator.inject(fault, method="GetKernelSessionStatus")
    with pytest.raises(TransientBackendError) as err:
        KaggleBackend(kaggle_ws.root).status(K)
    assert "the monitor retries these by itself; run the command again" in err.value.hint
    if fault in ("rate_limit", "server_error"):
        assert "HTML page" in err.value.message


def test_gpu_cap_is_200_with_error_queued_then_pushed_when_a_slot_frees(kaggle_ws, emulator):
    configure(kaggle_ws.root, backend="kaggle", kaggle_extra="capacity_retry_seconds = 0.3")
    emulator.gpu_slots = 1
    emulator.script_next_run(seconds=3)  # another GPU run holds the one slot
    stock_api(emulator).kernels_push(str(make_kernel(kaggle_ws.root, "vix", 2, gpu=True)))
    emulator.script_next_run(seconds=0.3)
    result = submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1, gpu=True), "vix", 1, start_monitor=False)
    assert result["queued"] and not result["submitted"] and "1 GPU sessions already running" in result["message"]
    assert "retrying every 0.3 s" in result["message"]
    assert ("SaveKernel", 200) in emulator.requests and emulator.sessions_started(K) == 0
    assert read_state(kaggle_ws.root).status.value == "waiting_training"
    assert monitor.watch(kaggle_ws.root, "vix", 1)["outcome"] == "complete"
    assert emulator.sessions_started(K) == 1 and attempt(kaggle_ws.root).kernel_version == 1
    assert "kaggle: vix attempt 1 - pushed v1 from the queue" in log_messages(kaggle_ws.root)


def test_a_push_with_invalid_sources_is_recorded_with_its_warning(kaggle_ws, emulator):
    emulator.script_next_run(seconds=30)
    folder = make_kernel(kaggle_ws.root, "vix", 1, dataset="tester/gold-vix-data")  # never published
    result = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)
    assert result["submitted"] and result["version"] == 1
    assert "tester/gold-vix-data" in result["warnings"][0] and "started without them" in result["warnings"][0]
    assert emulator.sessions_started(K) == 1  # it runs (and bills) anyway
    att = attempt(kaggle_ws.root)
    assert att.kernel_version == 1 and "push warning" in att.error_context
    assert read_state(kaggle_ws.root).status.value == "waiting_training"


def test_pinned_status_is_immune_to_the_stale_window_after_a_push(kaggle_ws, emulator):
    emulator.stale_seconds = 60
    api, folder = stock_api(emulator), make_kernel(kaggle_ws.root, "vix", 1)
    emulator.script_next_run(seconds=0.1)
    api.kernels_push(str(folder))
    backend = KaggleBackend(kaggle_ws.root)
    wait_for(lambda: backend.status(K).state == "complete", timeout=20)
    emulator.script_next_run(seconds=60)
    api.kernels_push(str(folder))
    assert backend.status(K).state == "complete"  # unpinned: still the previous session
    assert backend.status(K, 2).state == "running"  # pinned: the truth
    current = backend.current_run(K)
    assert current.version == 2 and current.state == "running"


def test_a_new_dataset_version_waits_for_the_last_one_to_be_processed(kaggle_ws, emulator):
    from goldloop.kaggle.datasets import push_dataset

    emulator.dataset_processing_seconds = 1.5
    data = kaggle_ws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    assert push_dataset(kaggle_ws.root, "vix", 1)["created"]
    assert not push_dataset(kaggle_ws.root, "vix", 1, notes="v2")["created"]
    assert ("CreateDatasetVersion", 200) in emulator.requests
    assert ("CreateDatasetVersion", 403) not in emulator.requests
    assert emulator.methods().count("GetDatasetStatus") >= 3  # it waited for READY


def test_outputs_across_pages_expired_urls_relisted_and_a_hostile_name_refused(kaggle_ws, emulator):
    emulator.output_page_size = 2
    files = {"a.csv": b"1\n", "b.csv": b"2\n", "sub/c.csv": b"3\n", "metrics.json": b'{"val_loss": 0.5}'}
    emulator.script_next_run(seconds=0.2, files=files, log="done")
    submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1), "vix", 1, start_monitor=False)
    backend = KaggleBackend(kaggle_ws.root)
    wait_for(lambda: backend.status(K, 1).finished, timeout=20)
    dest = kaggle_ws.root / "results" / "vix_1"
    emulator.inject("expired_url", count=2)
    got = backend.download_output(K, dest, 1)
    assert set(files) <= set(got["files"]) and "gold-vix-1.log" in got["files"]
    assert all((dest / name).read_bytes() == data for name, data in files.items())  # never an error page
    assert emulator.methods().count("ListKernelSessionOutput") >= 3  # pages, and a fresh listing
    emulator.inject("evil_name", count=1)
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    assert outcome["outcome"] == "complete" and outcome["refused"][0]["name"] == "../escape.txt"
    assert not (dest.parent / "escape.txt").exists()
    assert any("refused output names: ../escape.txt" in e.summary for e in read_state(kaggle_ws.root).history)


def test_lost_push_answer_is_adopted_and_odd_statuses_never_stop_the_monitor(kaggle_ws, emulator):
    emulator.inject("lost_answer", method="SaveKernel")
    emulator.script_next_run(seconds=2)
    result = submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1), "vix", 1, start_monitor=False)
    assert result["submitted"] and result["version"] == 1 and "lost" in result["warnings"][0]
    assert ("SaveKernel", 0) in emulator.requests and emulator.sessions_started(K) == 1
    for kind in ("unknown_status", "cut", "non_json", "not_found", "rate_limit"):
        emulator.inject(kind, method="GetKernelSessionStatus")
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    assert outcome["outcome"] == "complete" and read_state(kaggle_ws.root).status.value == "training_complete"
    job = next(r for r in monitor.status(kaggle_ws.root) if r["kernel"] == K)
    assert job["outcome"] == "complete"
    from goldloop.kaggle.jobs import context, load_job

    assert load_job(context(kaggle_ws.root), K)["unknown_status"] == "PREEMPTED"


@pytest.mark.parametrize("stop", [False, True])
def test_give_up_stops_the_run_or_says_it_still_burns_quota(kaggle_ws, emulator, stop):
    configure(kaggle_ws.root, backend="kaggle", kaggle_extra=f"stop_on_give_up = {str(stop).lower()}")
    text = (kaggle_ws.root / "goldloop.toml").read_text(encoding="utf-8")
    (kaggle_ws.root / "goldloop.toml").write_text(text.replace("max_wait_minutes = 3", "max_wait_minutes = 0.02"),
                                                  encoding="utf-8")
    emulator.script_next_run(seconds=120)
    submit(kaggle_ws.root, make_kernel(kaggle_ws.root, "vix", 1), "vix", 1, start_monitor=False)
    outcome = monitor.watch(kaggle_ws.root, "vix", 1)
    state = read_state(kaggle_ws.root)
    assert outcome["gave_up"] and state.status.value == "training_failed" and state.error_type == "timeout_limit"
    if stop:
        assert not emulator.active_sessions(K) and "deleted" in state.error_context
    else:
        assert emulator.active_sessions(K) and "STILL be running" in state.error_context
        assert "--delete-kernel" in state.error_context


def test_private_kaggle_attributes_goldloop_touches_still_exist():
    """Fails loudly when a newer kaggle/kagglesdk drops one (docs/kaggle.md lists them)."""
    from kagglesdk import KaggleClient
    from kagglesdk.kaggle_env import KaggleEnv

    from goldloop.kaggle.kaggle_backend import PRIVATE_SDK_ATTRIBUTES
    from goldloop.kaggle.utf8 import import_kaggle_api

    client = KaggleClient(env=KaggleEnv.LOCAL, username="u", password="p")
    http = client._http_client
    http._init_session()
    owners = {"KaggleClient": client, "KaggleHttpClient": http, "KaggleApi": import_kaggle_api()}
    missing = [name for name in PRIVATE_SDK_ATTRIBUTES
               if not hasattr(owners[name.split(".")[0]], name.split(".")[1])]
    assert not missing, f"kaggle/kagglesdk no longer has {missing}: update goldloop/kaggle/kaggle_backend.py"
    assert http._session is not None and http._endpoint


def test_a_hung_dataset_upload_times_out_and_is_resumed(kaggle_ws, emulator):
    """kaggle's resumable upload has no timeout of its own: goldloop gives it one (3 s here)."""
    from goldloop.kaggle.datasets import push_dataset

    data = kaggle_ws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    import time

    emulator.inject("hang", method="UploadBlob", seconds=90)
    started = time.monotonic()
    assert push_dataset(kaggle_ws.root, "vix", 1)["created"]
    assert time.monotonic() - started < 60  # not waiting out the hung PUT
    assert ("UploadBlob", 0) in emulator.requests and ("UploadBlob", 200) in emulator.requests
    stored = emulator.root / "store" / "datasets" / "tester" / "gold-vix-data"
    assert any(p.stat().st_size > 0 for p in stored.rglob("*") if p.is_file() and not p.name.startswith("."))
