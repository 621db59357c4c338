"""Quota refusal, cancel, the local run timeout, webhook notification and continuing with Claude."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from goldloop.kaggle import monitor
from goldloop.kaggle.cancel import cancel
from goldloop.kaggle.quota import QuotaExhausted
from goldloop.kaggle.submit import submit
from tests.conftest import REPO
from tests.kaggle.conftest import configure, read_state, wait_for
from tests.kaggle.kernels import make_kernel


def test_gpu_kernel_is_refused_with_the_numbers_when_quota_is_spent(kaggle_ws, emulator):
    folder = make_kernel(kaggle_ws.root, "vix", 1, gpu=True)
    emulator.gpu_hours = (29.5, 30.0)
    emulator.inject("slow", method="GetAcceleratorQuotaStatistics", seconds=0.1)
    result = submit(kaggle_ws.root, folder, "vix", 1, start_monitor=False)  # 0.5 h left: allowed
    assert result["quota"]["gpu_hours"]["remaining"] == 0.5
    make_kernel(kaggle_ws.root, "vix", 1, gpu=True)
    emulator.gpu_hours = (30.0, 30.0)
    monitor.watch(kaggle_ws.root, "vix", 1)
    from goldloop.state.ops import start_attempt
    from goldloop.state.store import StateStore

    start_attempt(StateStore(kaggle_ws), "vix", 2)
    folder2 = make_kernel(kaggle_ws.root, "vix", 2, gpu=True)
    pushes = emulator.methods().count("SaveKernel")
    with pytest.raises(QuotaExhausted) as err:
        submit(kaggle_ws.root, folder2, "vix", 2)
    assert "30 h used" in err.value.message and "remaining 0 h" in err.value.message
    assert emulator.methods().count("SaveKernel") == pushes  # nothing pushed


def test_cancel_through_the_api_is_recorded_by_the_monitor(kws):
    folder = make_kernel(kws.root, "vix", 1, sleep=60)
    submit(kws.root, folder, "vix", 1)
    wait_for(lambda: any(r["last_state"] == "running" for r in monitor.status(kws.root)), timeout=60)
    assert cancel(kws.root, "vix", 1)["stopped"]
    wait_for(lambda: read_state(kws.root).status.value == "training_failed", timeout=60)
    state = read_state(kws.root)
    assert state.error_type == "cancelled" and state.resume_from == "orchestrator"


def test_local_run_timeout_ends_the_run_as_timeout(kws):
    configure(kws.root, run_timeout=0.05)  # 3 s
    folder = make_kernel(kws.root, "vix", 1, sleep=60)
    submit(kws.root, folder, "vix", 1, start_monitor=False)
    outcome = monitor.watch(kws.root, "vix", 1)
    assert outcome["outcome"] == "failed"
    assert read_state(kws.root).error_type == "timeout_limit", read_state(kws.root).error_context


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.skipif(os.name == "nt", reason="the stand-in claude is a POSIX script")
def test_webhook_and_continue_with_claude(kws, tmp_path, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    marker = tmp_path / "claude-was-called"
    fake = tmp_path / "bin" / "claude"
    fake.parent.mkdir()
    # A stand-in for the external `claude` program: records its arguments and working folder.
    fake.write_text(f"#!{sys.executable}\nimport os, sys, json\n"
                    f"open({str(marker)!r}, 'w').write(json.dumps([sys.argv[1:], os.getcwd()]))\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("GOLDLOOP_CLAUDE_BIN", str(fake))
    # the desktop: a stand-in notify-send (what plyer calls on Linux without D-Bus) records its arguments
    shown = tmp_path / "notification"
    notifier = tmp_path / "bin" / "notify-send"
    notifier.write_text(f"#!{sys.executable}\nimport sys, json\nopen({str(shown)!r}, 'w').write(json.dumps(sys.argv[1:]))\n",
                        encoding="utf-8")
    notifier.chmod(notifier.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{notifier.parent}{os.pathsep}{os.environ['PATH']}")
    configure(kws.root, kaggle_extra=f'notify_webhook = "http://127.0.0.1:{server.server_port}/hook"\n'
                                     'continue_with_claude = true\nnotify_desktop = true')
    submit(kws.root, make_kernel(kws.root, "vix", 1), "vix", 1, start_monitor=False)
    outcome = monitor.watch(kws.root, "vix", 1)
    server.shutdown()
    assert outcome["notified"] is True and outcome["continued"]["started"]
    assert _Hook.received[-1]["outcome"] == "complete" and _Hook.received[-1]["feature"] == "vix"
    title, message = json.loads(shown.read_text(encoding="utf-8"))[:2]
    assert (title, message) == ("goldloop", "goldloop: vix attempt 1 complete")
    args, cwd = json.loads(wait_for(lambda: marker.is_file() and marker.read_text(encoding="utf-8"), timeout=30))
    assert args[:2] == ["-p", "resume from last time"] and os.path.realpath(cwd) == os.path.realpath(kws.root)
    assert args[args.index("--plugin-dir") + 1] == str(REPO)  # this bundle is the plugin
    assert "mcp__plugin_goldloop_goldloop" in args[args.index("--settings") + 1]


def test_monitor_gives_up_after_the_maximum_wait(kws):
    configure(kws.root, kaggle_extra="")
    text = (kws.root / "goldloop.toml").read_text(encoding="utf-8")
    (kws.root / "goldloop.toml").write_text(text.replace("max_wait_minutes = 3", "max_wait_minutes = 0.03"),
                                            encoding="utf-8")
    submit(kws.root, make_kernel(kws.root, "vix", 1, sleep=30), "vix", 1, start_monitor=False)
    outcome = monitor.watch(kws.root, "vix", 1)
    state = read_state(kws.root)
    assert outcome["outcome"] == "failed" and state.error_type == "timeout_limit"
    assert "maximum wait" in state.error_context and "stopped" in state.error_context
    assert read_state(kws.root).status.value == "training_failed"


def test_push_git_pushes_the_step_commits(kws, tmp_path):
    import subprocess

    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    configure(kws.root, kaggle_extra="push_git = true")
    for args in (["add", "-A"], ["commit", "-qm", "test config"], ["remote", "add", "origin", str(remote)],
                 ["push", "-q", "-u", "origin", "HEAD"]):
        subprocess.run(["git", *args], cwd=kws.root, check=True, capture_output=True)
    submit(kws.root, make_kernel(kws.root, "vix", 1), "vix", 1, start_monitor=False)
    outcome = monitor.watch(kws.root, "vix", 1)
    assert outcome["commit"]["pushed"] is True
    remote_log = subprocess.run(["git", "log", "-2", "--format=%s"], cwd=remote, capture_output=True, text=True)
    assert remote_log.stdout.splitlines() == ["kaggle: vix attempt 1 - results fetched",
                                              "kaggle: vix attempt 1 - submitted"]
