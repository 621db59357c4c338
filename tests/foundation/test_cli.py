"""The goldloop command as a user runs it: real subprocesses, exit codes, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PYTHON


def goldloop(*args: str, cwd, env) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_init_next_set_history(tmp_path, clean_env):
    done = goldloop("init", "proj", "--json", cwd=tmp_path, env=clean_env)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "proj"
    assert "shared/state.json" in json.loads(done.stdout)["created"]
    nxt = json.loads(goldloop("next", "--json", cwd=root, env=clean_env).stdout)
    assert (nxt["agent"], nxt["feature"], nxt["attempt"]) == ("entrance", "vix", 1)
    done = goldloop("state", "set", "in_progress", "-m", "begin", "--feature", "vix", "--attempt", "1",
                    "--stage", "entrance", "--json", cwd=root, env=clean_env)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "in_progress"
    history = json.loads(goldloop("state", "history", "--json", cwd=root, env=clean_env).stdout)
    assert history[-1]["summary"] == "begin"


def test_user_errors_exit_2_with_message_and_hint(tmp_path, clean_env):
    goldloop("init", "proj", cwd=tmp_path, env=clean_env)
    root = tmp_path / "proj"
    done = goldloop("state", "set", "completed", "-m", "x", cwd=root, env=clean_env)
    assert done.returncode == 2
    assert "cannot move from 'not_started' to 'completed'" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr
    done = goldloop("next", cwd=tmp_path, env=clean_env)  # no workspace here
    assert done.returncode == 2 and "goldloop init" in done.stderr
    (root / "shared" / "state.json").write_text("{oops", encoding="utf-8")
    done = goldloop("state", "show", cwd=root, env=clean_env)
    assert done.returncode == 2 and "goldloop state recover" in done.stderr
    done = goldloop("state", "recover", "--json", cwd=root, env=clean_env)
    assert done.returncode == 0 and json.loads(done.stdout)["recovered"] is True


def test_usage_errors_exit_2(tmp_path, clean_env):
    done = goldloop("state", "set", cwd=tmp_path, env=clean_env)
    assert done.returncode == 2


def test_console_script_is_installed():
    from pathlib import Path

    script = Path(sys.executable).with_name("goldloop")
    assert script.exists() or script.with_suffix(".exe").exists()


def test_human_output_survives_a_non_utf8_locale(tmp_path, clean_env):
    """Tables print '×', '✓', '—': a Windows pipe (cp1252) or a C locale must not crash them."""
    import subprocess

    from tests.conftest import PYTHON

    env = {**clean_env, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    env.pop("PYTHONIOENCODING", None)
    csv = tmp_path / "t.csv"
    csv.write_text("date,x\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n", encoding="utf-8")
    done = subprocess.run([PYTHON, "-m", "goldloop.cli", "data", "check", "--path", str(csv)], env=env,
                          capture_output=True, cwd=tmp_path, timeout=120)
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    assert "×" in done.stdout.decode("utf-8")  # UTF-8 bytes, whatever the locale
