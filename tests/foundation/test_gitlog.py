"""One commit per step with the original's messages; credentials are refused."""

from __future__ import annotations

import subprocess

import pytest

from goldloop.errors import GitError, SecretLeakError
from goldloop.gitlog import commit_step, log_messages, message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("entrance", "vix", 1, None), "entrance: vix attempt 1"),
        (("datacheck", "vix", 1, "PASS"), "datacheck: vix attempt 1 - PASS"),
        (("kaggle", "vix", 1, "submitted"), "kaggle: vix attempt 1 - submitted"),
        (("eval", "meta", 7, "COMPLETED"), "eval: meta attempt 7 - COMPLETED"),
        (("final", None, None, "project completed - attempt 7 confirmed as final meta-model"),
         "final: project completed - attempt 7 confirmed as final meta-model"),
    ],
)
def test_messages_follow_the_original_format(args, expected):
    assert message(*args) == expected


def test_commits_land_in_order_with_their_files(ws):
    (ws.root / "notebooks" / "vix_1").mkdir()
    (ws.root / "notebooks" / "vix_1" / "nb.ipynb").write_text("{}", encoding="utf-8")
    first = commit_step(ws.root, "model", "vix", 1, "notebook generated")
    assert first.committed and first.files == ["notebooks/vix_1/nb.ipynb"]
    (ws.root / "results" / "vix_1").mkdir(parents=True, exist_ok=True)
    (ws.root / "results" / "vix_1" / "x.txt").write_text("1", encoding="utf-8")
    commit_step(ws.root, "kaggle", "vix", 1, "results fetched")
    assert log_messages(ws.root)[-2:] == [
        "model: vix attempt 1 - notebook generated",
        "kaggle: vix attempt 1 - results fetched",
    ]


def test_nothing_to_commit_is_fine(ws):
    result = commit_step(ws.root, "eval", "vix", 1, "COMPLETED")
    assert result.committed is False and result.sha is None


def test_env_file_is_ignored_and_never_committed(ws):
    (ws.root / ".env").write_text("KAGGLE_KEY=0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    result = commit_step(ws.root, "data", "vix", 1)
    assert ".env" not in result.files


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data/vix_1/my-kaggle-copy.txt", '{"username": "me", "key": "0123456789abcdef0123456789abcdef"}'),
        ("data/vix_1/notes.py", 'ANTHROPIC_API_KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345"'),
        ("data/vix_1/cfg.py", 'api_key = "a8Fk29dkQ0x7LmZp3vB1"'),
    ],
)
def test_credentials_are_refused_and_the_tree_is_untouched(ws, name, content):
    path = ws.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ws.root, capture_output=True, text=True).stdout
    with pytest.raises(SecretLeakError) as err:
        commit_step(ws.root, "data", "vix", 1)
    assert "sk-ant-api03-abc" not in str(err.value)  # the secret itself is never echoed
    assert path.read_text(encoding="utf-8") == content
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=ws.root, capture_output=True, text=True).stdout == head
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=ws.root, capture_output=True, text=True)
    assert staged.stdout == ""


def test_configured_secret_values_are_refused(ws):
    (ws.root / "data" / "vix_1").mkdir(parents=True)
    (ws.root / "data" / "vix_1" / "log.txt").write_text("token was myVerySecretValue42\n", encoding="utf-8")
    with pytest.raises(SecretLeakError, match="configured_secret"):
        commit_step(ws.root, "data", "vix", 1, secret_values=["myVerySecretValue42"])


def test_placeholders_are_not_secrets(ws):
    (ws.root / "data" / "vix_1").mkdir(parents=True)
    (ws.root / "data" / "vix_1" / "README.txt").write_text('api_key = "your-api-key-goes-here"\n', encoding="utf-8")
    assert commit_step(ws.root, "data", "vix", 1).committed


def test_outside_a_repository_is_a_clear_error(tmp_path):
    with pytest.raises(GitError, match="not a git repository"):
        commit_step(tmp_path, "data", "vix", 1)


def test_a_lock_left_by_a_killed_git_is_cleared(ws):
    lock = ws.root / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")  # what a git killed mid-commit leaves behind
    (ws.root / "data" / "vix_1").mkdir(parents=True)
    (ws.root / "data" / "vix_1" / "notes.txt").write_text("x", encoding="utf-8")
    result = commit_step(ws.root, "data", "vix", 1)
    assert result.committed and not lock.exists()
