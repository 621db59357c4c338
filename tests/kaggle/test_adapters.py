"""The CLI group and the MCP tools over the kaggle package, as a user and Claude reach them."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import PYTHON, REPO, mcp_call
from tests.kaggle.conftest import read_state
from tests.kaggle.kernels import make_kernel

OOM_LOG = [{"stream_name": "stdout", "time": 1.0, "data": "epoch 1\n"},
           {"stream_name": "stderr", "time": 9.5, "data": "Killed\n"}]


def cli(ws, *args, env=None):
    return subprocess.run([PYTHON, "-m", "goldloop.cli", "--workspace", str(ws.root), "kaggle", *args],
                          capture_output=True, text=True, encoding="utf-8", cwd=REPO, env=env, timeout=180)


def test_cli_submit_watch_status_fetch_classify_quota(kws, clean_env):
    make_kernel(kws.root, "vix", 1)
    submitted = cli(kws, "submit", "notebooks/vix_1", "--no-monitor", "--json", env=clean_env)
    assert submitted.returncode == 0, submitted.stderr
    assert json.loads(submitted.stdout)["kernel"] == "tester/gold-vix-1"
    watched = cli(kws, "monitor", "watch", "vix", "1", "--json", env=clean_env)
    assert json.loads(watched.stdout)["outcome"] == "complete", watched.stderr
    assert read_state(kws.root).status.value == "training_complete"
    rows = json.loads(cli(kws, "monitor", "status", "--json", env=clean_env).stdout)
    assert rows[0]["outcome"] == "complete"
    top_level = subprocess.run([PYTHON, "-m", "goldloop.cli", "--workspace", str(kws.root), "monitor", "status",
                                "--json"], capture_output=True, text=True, encoding="utf-8", env=clean_env, timeout=180)
    assert json.loads(top_level.stdout) == rows  # `goldloop monitor status`, as users type it
    fetched = json.loads(cli(kws, "fetch", "vix", "1", "--json", env=clean_env).stdout)
    assert "output.csv" in fetched["files"]
    log = kws.root / "oom.log"
    log.write_text(json.dumps(OOM_LOG), encoding="utf-8")
    classified = json.loads(cli(kws, "classify", str(log), "--json", env=clean_env).stdout)
    assert set(classified) == {"error_type", "route", "evidence"} and classified["error_type"] == "oom"
    assert "Killed" in classified["evidence"]
    quota = json.loads(cli(kws, "quota", "--json", env=clean_env).stdout)
    assert quota["backend"] == "local" and quota["quota"] is None


def test_cli_user_mistakes_exit_2_without_traceback(kws, clean_env):
    for args in (["submit", "notebooks/nope_1"], ["fetch", "vix", "1"], ["classify", "missing.log"],
                 ["submit", "notebooks"], ["dataset-push", "vix", "1"]):
        done = cli(kws, *args, env=clean_env)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "error:" in done.stderr


def test_cli_refuses_a_kernel_with_validator_errors(kws, clean_env):
    folder = make_kernel(kws.root, "vix", 1, fail="def broken(:\n    pass")
    done = cli(kws, "submit", str(folder), "--no-monitor", "--json", env=clean_env)
    assert done.returncode == 3
    result = json.loads(done.stdout)
    assert result["submitted"] is False and result["findings"]
    assert read_state(kws.root).status.value == "in_progress"


def test_mcp_tools_over_stdio(kws, clean_env):
    make_kernel(kws.root, "vix", 1)
    log = kws.root / "oom.log"
    log.write_text(json.dumps(OOM_LOG), encoding="utf-8")

    tools, (submitted, status, start_bad, classified) = mcp_call(
        {**clean_env, "GOLDLOOP_WORKSPACE": str(kws.root)}, [
            ("kaggle_submit", {"folder": "notebooks/vix_1", "feature": "vix", "attempt": 1, "start_monitor": False}),
            ("kaggle_monitor", {"action": "status"}),
            ("kaggle_monitor", {"action": "start"}),
            ("kaggle_classify", {"logfile": "oom.log"}),
        ])
    assert {"kaggle_submit", "kaggle_monitor", "kaggle_fetch", "kaggle_cancel", "kaggle_dataset_push",
            "kaggle_classify"} <= tools.keys()
    assert submitted.structuredContent["kernel"] == "tester/gold-vix-1" and not submitted.isError
    assert status.structuredContent["monitors"][0]["kernel"] == "tester/gold-vix-1"
    assert start_bad.isError and "feature and attempt" in start_bad.content[0].text
    assert classified.structuredContent["error_type"] == "oom"
    assert read_state(kws.root).status.value == "waiting_training"


def test_mcp_kaggle_tools_with_credentials_only_in_the_workspace_env(kws, clean_env, emulator, tmp_path):
    """The first Kaggle tool call used to hang the MCP server for good when the credentials were
    only in the workspace .env: importing kaggle ran its login, whose exit() blocked on closing
    the stdin the MCP reader holds. Now every call answers, and the server keeps answering."""
    from tests.kaggle.conftest import KEY, configure

    configure(kws.root, backend="kaggle")
    (kws.root / ".env").write_text(f"KAGGLE_USERNAME=tester\nKAGGLE_KEY={KEY}\n", encoding="utf-8")
    data = kws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    make_kernel(kws.root, "vix", 1)
    emulator.script_next_run(seconds=30)
    home = tmp_path / "empty-home"  # no ~/.kaggle: the .env is the only source
    home.mkdir()
    env = {**clean_env, "HOME": str(home), "USERPROFILE": str(home), "GOLDLOOP_WORKSPACE": str(kws.root),
           "GOLDLOOP_KAGGLE_API_URL": emulator.url, "GOLDLOOP_KAGGLE_TIMEOUT": "5"}
    _, (published, submitted, status) = mcp_call(env, [
        ("kaggle_dataset_push", {"feature": "vix", "attempt": 1}),
        ("kaggle_submit", {"folder": "notebooks/vix_1", "feature": "vix", "attempt": 1, "start_monitor": False}),
        ("kaggle_monitor", {"action": "status"}),
    ])
    assert not published.isError, published.content
    assert published.structuredContent["dataset"] == "tester/gold-vix-data"
    assert submitted.structuredContent["submitted"] and submitted.structuredContent["version"] == 1
    assert status.structuredContent["monitors"][0]["kernel"] == "tester/gold-vix-1"
    assert {"CreateDataset", "SaveKernel"} <= set(emulator.methods())


def test_mcp_classify_takes_the_run_status(kws, clean_env):
    """A failed run whose log ends in ordinary output (tests/kaggle_classify/real_corpus,
    failed_silent_status_only.txt) is `none` when nothing is known, `unknown` (→ triage) once
    the caller says the run failed; a status Kaggle never reports is a tool error."""
    from tests.kaggle_classify.real_scores import CORPUS

    log = kws.root / "silent.txt"
    log.write_text((CORPUS / "failed_silent_status_only.txt").read_text(encoding="utf-8"), encoding="utf-8")
    _, (plain, failed, done, bad) = mcp_call({**clean_env, "GOLDLOOP_WORKSPACE": str(kws.root)}, [
        ("kaggle_classify", {"logfile": "silent.txt"}),
        ("kaggle_classify", {"logfile": "silent.txt", "status": "error"}),
        ("kaggle_classify", {"logfile": "silent.txt", "status": "complete"}),
        ("kaggle_classify", {"logfile": "silent.txt", "status": "exploded"}),
    ])
    assert plain.structuredContent["error_type"] == "none"
    assert failed.structuredContent["error_type"] == "unknown" and not failed.isError
    assert done.structuredContent["error_type"] == "none"
    assert bad.isError and "unknown run status" in bad.content[0].text
