"""Messages that survive printing (issue #11, item 6): literal text, CLI commands rather than MCP
tool names, flags shown as flags, --json on every command."""

from __future__ import annotations

import json
import subprocess

import pytest

from goldloop.workspace import init_workspace
from tests.conftest import PYTHON


def goldloop(*args: str, cwd, env) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture()
def root(tmp_path):
    return init_workspace(tmp_path / "ws", owner="tester")[0].root


def test_an_error_hint_with_brackets_prints_intact(root, clean_env):
    # the hint names the [data] table of goldloop.toml; rich markup used to eat it
    done = goldloop("run", "--data", "live", cwd=root, env=clean_env)
    assert done.returncode == 2
    assert "change [data] source in" in done.stderr, done.stderr


def test_values_with_brackets_print_intact_in_tables_and_lines(root, clean_env):
    summary = "[data] checked; [kaggle] pushed; names match [a-z0-9_]+ [bold]"
    done = goldloop("state", "set", "in_progress", "-m", summary, "--feature", "vix", "--attempt", "1",
                    "--stage", "entrance", cwd=root, env={**clean_env, "COLUMNS": "400"})
    assert done.returncode == 0, done.stderr
    history = goldloop("state", "history", cwd=root, env={**clean_env, "COLUMNS": "400"})
    assert summary in history.stdout, history.stdout


def test_cli_output_names_the_command_a_person_types(root, clean_env):
    from goldloop.state.ops import transition
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    store = StateStore(Workspace(root))
    transition(store, "in_progress", actor="test", summary="start", feature="vix", attempt=1, stage="entrance")
    transition(store, "waiting_training", actor="test", summary="pushed", feature="vix", attempt=1, stage="kaggle")
    human = goldloop("next", cwd=root, env={**clean_env, "COLUMNS": "400"}).stdout
    assert "goldloop monitor status" in human and "kaggle_monitor" not in human, human
    # machines (and the agents, through MCP) keep the tool's name
    assert "kaggle_monitor" in json.loads(goldloop("next", "--json", cwd=root, env=clean_env).stdout)["instruction"]


def _leaf_commands():
    import typer.main

    from goldloop.cli import build_app

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command

    yield from walk(typer.main.get_command(build_app()), [])


def test_every_command_takes_json_as_the_readme_says():
    missing = [" ".join(path) for path, command in _leaf_commands()
               if "--json" not in {o for p in command.params for o in getattr(p, "opts", [])}]
    assert missing == []


def test_help_shows_flags_as_flags(clean_env, tmp_path):
    done = goldloop("state", "show", "--help", cwd=tmp_path, env={**clean_env, "COLUMNS": "120"})
    assert done.returncode == 0
    assert "--json" in done.stdout and "--full" in done.stdout
    assert "<bool>" not in done.stdout, done.stdout
    run_help = goldloop("run", "--help", cwd=tmp_path, env={**clean_env, "COLUMNS": "120"}).stdout
    assert "<bool>" not in run_help and "--max-attempts" in run_help and "<int" in run_help  # values keep their type
