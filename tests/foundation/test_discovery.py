"""One workspace discovery for every command, `goldloop run` included (issue #11, item 5).

`goldloop run` is pointed at an existing offline workspace with `--data live`: it refuses at
once, naming the workspace it chose, so each order is checked through the real command
without running the loop."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from goldloop.errors import WorkspaceError
from goldloop.workspace import init_workspace, run_location
from tests.conftest import PYTHON


def goldloop(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture()
def two(tmp_path, clean_env):
    """Workspaces A and B, and an empty folder to run from."""
    a, _ = init_workspace(tmp_path / "A", owner="tester")
    b, _ = init_workspace(tmp_path / "B", owner="tester")
    (tmp_path / "elsewhere").mkdir()
    return a.root, b.root, tmp_path / "elsewhere"


def _chosen_by_run(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.split(" runs on offline data")[0].removeprefix("error: ").strip()


@pytest.mark.parametrize("args", [
    ["--workspace", "{A}", "run", "--data", "live"],
    ["-w", "{A}", "run", "--data", "live"],
    ["run", "--workspace", "{A}", "--data", "live"],
    ["run", "--data", "live", "-w", "{A}"],
    ["run", "--data", "live", "--workspace={A}"],
    ["run", "--data", "live", "--workspace-dir", "{A}"],
])
def test_run_takes_the_workspace_flag_before_or_after_the_subcommand(two, clean_env, args):
    a, b, elsewhere = two
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(b)}  # the flag wins over the environment
    done = goldloop(*[x.format(A=a) for x in args], cwd=elsewhere, env=env)
    assert _chosen_by_run(done) == str(a)


@pytest.mark.parametrize("variable", ["GOLDLOOP_WORKSPACE", "CLAUDE_PROJECT_DIR"])
def test_run_follows_the_environment(two, clean_env, variable):
    a, b, _ = two
    done = goldloop("run", "--data", "live", cwd=b, env={**clean_env, variable: str(a)})
    assert _chosen_by_run(done) == str(a)


def test_run_inside_a_workspace_uses_it_instead_of_nesting_one(two, clean_env):
    a, _, _ = two
    done = goldloop("run", "--data", "live", cwd=a / "notebooks", env=clean_env)
    assert _chosen_by_run(done) == str(a)
    assert not (a / "notebooks" / "workspace").exists()


def test_run_creates_dot_workspace_only_when_nothing_names_one(two, clean_env):
    _, _, elsewhere = two
    done = goldloop("run", "--data", "live", cwd=elsewhere, env=clean_env)
    assert done.returncode == 2 and "FRED_API_KEY" in done.stderr, done.stderr  # live data, no key: stops
    assert (elsewhere / "workspace" / "goldloop.toml").is_file()


def test_two_different_folders_for_run_are_refused(two):
    a, b, _ = two
    with pytest.raises(WorkspaceError, match="name different folders"):
        run_location(a, b)
    assert run_location(a, a) == a


@pytest.mark.parametrize("args", [
    ["state", "show", "--json", "--workspace", "{A}"],
    ["state", "show", "-w", "{A}", "--json"],
    ["--workspace", "{A}", "state", "show", "--json"],
    ["next", "--json", "--workspace={A}"],
])
def test_every_command_takes_the_workspace_flag_in_either_place(two, clean_env, args):
    a, b, elsewhere = two
    done = goldloop(*[x.format(A=a) for x in args], cwd=b, env=clean_env)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    # proof it read A, not B (the current folder): break B's state and ask again
    (b / "shared" / "state.json").write_text("{", encoding="utf-8")
    assert goldloop(*[x.format(A=a) for x in args], cwd=b, env=clean_env).returncode == 0


def test_an_option_value_after_double_dash_is_not_taken(two, clean_env):
    a, _, elsewhere = two
    done = goldloop("state", "show", "--", "--workspace", str(a), cwd=elsewhere, env=clean_env)
    assert done.returncode == 2  # the words after -- are arguments, not the option
