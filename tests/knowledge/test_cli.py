"""`goldloop knowledge …` and `goldloop memory …` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import PYTHON


def goldloop(*args: str, cwd, env) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_search_add_duplicate_and_memory(ws, clean_env, tmp_path):
    run = lambda *a: goldloop(*a, cwd=ws.root, env=clean_env)  # noqa: E731

    human = run("knowledge", "search", "過学習")
    assert human.returncode == 0 and "overfitting_lessons.md" in human.stdout

    answer = tmp_path / "answer.md"
    answer.write_text("Use the **GVZCLS** series — 日次、2008年から。\n", encoding="utf-8")
    added = run("knowledge", "add", "-q", "Which index measures gold's implied volatility?",
                "--answer-file", str(answer), "-t", "gvz", "-t", "金", "-s", "https://fred.stlouisfed.org/series/GVZCLS",
                "-c", "data_sources", "--json")
    assert added.returncode == 0, added.stderr
    path = json.loads(added.stdout)["path"]
    assert "日次" in (ws.root / path).read_text(encoding="utf-8")

    again = run("knowledge", "add", "-q", "which index measures gold implied volatility", "-a", "x",
                "-t", "gvz", "-s", "x")
    assert again.returncode == 2
    assert path in again.stderr and "hint" in again.stderr and "Traceback" not in again.stderr

    both = run("knowledge", "add", "-q", "A question with two answers?", "-a", "x", "--answer-file",
               str(answer), "-t", "t", "-s", "s")
    assert both.returncode == 2 and "exactly one" in both.stderr

    listed = json.loads(run("knowledge", "list", "--json").stdout)
    assert path in {e["path"] for e in listed["entries"]} and listed["problems"] == []

    first = run("memory", "add", "Kaggle", "datasets", "need", "a", "minute", "--json")
    second = run("memory", "add", "Kaggle datasets need a minute.")
    assert json.loads(first.stdout)["added"] is True
    assert second.returncode == 0 and "already recorded" in second.stdout
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8").endswith(
        f"- {json.loads(first.stdout)['date']}: Kaggle datasets need a minute\n")


def test_outside_a_workspace_is_a_clear_error(tmp_path, clean_env):
    done = goldloop("knowledge", "search", "hmm", cwd=tmp_path, env=clean_env)
    assert done.returncode == 2 and "goldloop init" in done.stderr and "Traceback" not in done.stderr
