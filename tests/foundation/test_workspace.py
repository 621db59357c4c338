"""Scaffolding, discovery order, settings and credentials."""

from __future__ import annotations

import subprocess

import pytest

from goldloop.config import Config, Secrets, load_config
from goldloop.errors import ConfigError, WorkspaceError
from goldloop.workspace import find_workspace, init_workspace


def test_init_scaffolds_everything_and_commits(ws):
    root = ws.root
    for rel in ("goldloop.toml", ".gitignore", "shared/state.json", "notebooks", "results"):
        assert (root / rel).exists(), rel
    log = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True).stdout
    assert "init: goldloop workspace scaffolded" in log
    assert load_config(root) == Config.model_validate(
        {**Config().model_dump(by_alias=True), "project": {"name": "gold", "preset": "gold", "panel": "goldloop.data.panel"},
         "kaggle": {**Config().kaggle.model_dump(), "owner": "tester"}}
    )


def test_init_twice_keeps_existing_files(ws):
    (ws.root / "goldloop.toml").write_text('features = ["vix"]\n', encoding="utf-8")
    _, created = init_workspace(ws.root)
    assert created == []
    assert load_config(ws.root).features == ["vix"]


def test_discovery_order(tmp_path, monkeypatch):
    a, _ = init_workspace(tmp_path / "a")
    b, _ = init_workspace(tmp_path / "b")
    c, _ = init_workspace(tmp_path / "c")
    nested = c.root / "notebooks" / "deep"
    nested.mkdir(parents=True)
    monkeypatch.setenv("GOLDLOOP_WORKSPACE", str(a.root))
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(b.root))
    assert find_workspace(str(c.root)).root == c.root
    assert find_workspace(None).root == a.root
    monkeypatch.delenv("GOLDLOOP_WORKSPACE")
    assert find_workspace(None).root == b.root
    monkeypatch.delenv("CLAUDE_PROJECT_DIR")
    assert find_workspace(None, cwd=nested).root == c.root


def test_missing_workspace_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("GOLDLOOP_WORKSPACE", raising=False)
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)
    with pytest.raises(WorkspaceError) as err:
        find_workspace(None, cwd=tmp_path)
    assert "goldloop init" in err.value.hint
    with pytest.raises(WorkspaceError, match="has no goldloop.toml"):
        find_workspace(tmp_path)


def test_paths_cannot_escape_the_workspace(ws):
    assert ws.inside("notebooks/vix_1") == (ws.root / "notebooks" / "vix_1").resolve()
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        ws.inside("../elsewhere")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("features = [", "not valid TOML"),
        ('[kaggle]\nbackend = "colab"\n', "kaggle.backend"),
        ('features = ["VIX"]\n', "features"),
        ('[limits]\nmax_attempts_per_feature = 0\n', "limits.max_attempts_per_feature"),
        ('typo = 1\n', "typo"),
    ],
)
def test_bad_settings_are_named(ws, text, needle):
    (ws.root / "goldloop.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(ws.root)
    assert needle in err.value.message


def test_secrets_come_from_env_then_dotenv_and_never_print(ws, monkeypatch):
    (ws.root / ".env").write_text("KAGGLE_USERNAME=alice\nKAGGLE_KEY=filekey1234567\nFRED_API_KEY=fredsecret999\n",
                                  encoding="utf-8")
    monkeypatch.setenv("KAGGLE_KEY", "envkey7654321")
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    secrets = Secrets.load(ws.root)
    assert secrets.get("KAGGLE_KEY") == "envkey7654321"  # the environment wins
    assert secrets.get("FRED_API_KEY") == "fredsecret999"
    shown = repr(secrets) + str(secrets)
    assert "envkey" not in shown and "fredsecret" not in shown and "KAGGLE_KEY" in shown


def test_kaggle_owner_defaults_to_the_pushing_account(tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLE_USERNAME", "alice")
    workspace, _ = init_workspace(tmp_path / "a")
    assert load_config(workspace.root).kaggle.owner == "alice"
    monkeypatch.delenv("KAGGLE_USERNAME")
    workspace, _ = init_workspace(tmp_path / "b")
    assert load_config(workspace.root).kaggle.owner == "goldloop"


def test_a_workspace_ignored_by_an_enclosing_repo_gets_its_own(tmp_path):
    """`make run` in a clone: ./workspace is git-ignored there and must not dirty the clone."""
    from goldloop.gitlog import commit_step

    outer = tmp_path / "clone"
    outer.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=outer, check=True)
    (outer / ".gitignore").write_text("workspace/\n", encoding="utf-8")
    ws, created = init_workspace(outer / "workspace")
    assert ".git/" in created and (ws.root / ".git").is_dir()
    (ws.root / "data" / "vix_1").mkdir(parents=True)
    (ws.root / "data" / "vix_1" / "notes.txt").write_text("x", encoding="utf-8")
    assert commit_step(ws.root, "data", "vix", 1).committed
    status = subprocess.run(["git", "status", "--porcelain"], cwd=outer, capture_output=True, text=True).stdout
    assert status.strip() == "?? .gitignore"  # the clone sees nothing of the workspace


def test_a_tracked_subfolder_uses_the_enclosing_repo(tmp_path):
    outer = tmp_path / "project"
    outer.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=outer, check=True)
    ws, created = init_workspace(outer / "research")
    assert ".git/" not in created and not (ws.root / ".git").exists()


def test_init_allows_the_goldloop_tools_and_merges_existing_settings(tmp_path):
    import json

    from goldloop.workspace import GOLDLOOP_TOOLS_RULE, init_workspace

    ws, created = init_workspace(tmp_path / "fresh")
    settings = json.loads((ws.root / ".claude" / "settings.json").read_text(encoding="utf-8"))
    assert settings == {"permissions": {"allow": [GOLDLOOP_TOOLS_RULE]}}
    assert any(".claude/settings.json" in item for item in created)

    mine = tmp_path / "mine"
    (mine / ".claude").mkdir(parents=True)
    (mine / ".claude" / "settings.json").write_text(json.dumps(
        {"model": "opus", "permissions": {"allow": ["Bash(ls:*)"], "deny": ["Read(.env)"]}}), encoding="utf-8")
    init_workspace(mine)
    merged = json.loads((mine / ".claude" / "settings.json").read_text(encoding="utf-8"))
    assert merged == {"model": "opus", "permissions": {"allow": ["Bash(ls:*)", GOLDLOOP_TOOLS_RULE],
                                                       "deny": ["Read(.env)"]}}
    init_workspace(mine)  # again: nothing duplicated
    again = json.loads((mine / ".claude" / "settings.json").read_text(encoding="utf-8"))
    assert again["permissions"]["allow"].count(GOLDLOOP_TOOLS_RULE) == 1

    odd = tmp_path / "odd"
    (odd / ".claude").mkdir(parents=True)
    (odd / ".claude" / "settings.json").write_text("// my notes\n{", encoding="utf-8")
    _, created = init_workspace(odd)
    assert (odd / ".claude" / "settings.json").read_text(encoding="utf-8") == "// my notes\n{"  # never clobbered
    assert any("left as it is" in item for item in created)
