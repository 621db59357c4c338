"""UTF-8 forcing under a non-UTF-8 default encoding, and every form of Kaggle credentials."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from goldloop.kaggle.backends import AuthBackendError
from goldloop.kaggle.credentials import find_credentials
from goldloop.kaggle.kaggle_backend import KaggleBackend
from tests.kaggle.conftest import KEY, wait_for
from tests.kaggle.kernels import make_kernel

SCRIPT = textwrap.dedent("""
    import locale, sys
    from pathlib import Path
    from goldloop.kaggle.credentials import KaggleCredentials
    from goldloop.kaggle.kaggle_backend import make_api
    from goldloop.kaggle.utf8 import KAGGLE_MODULES
    assert locale.getpreferredencoding(False).lower().startswith(("ansi", "ascii", "cp")), locale.getpreferredencoding(False)
    api = make_api(KaggleCredentials("test", "tester", key=sys.argv[1]), sys.argv[2], force_utf8=True)
    # Whatever the installed kaggle does itself: any open() that kaggle's modules make
    # without an encoding now writes UTF-8 (a writer that uses the locale default).
    probe = Path(sys.argv[3], "probe.txt")
    for name in KAGGLE_MODULES:
        module = sys.modules[name]
        with eval("open", vars(module))(probe, "w") as fh:
            fh.write("\\u91d1 \\u26a0")
        assert probe.read_bytes() == "\\u91d1 \\u26a0".encode("utf-8"), name
    files, _ = api.kernels_output("tester/gold-vix-1", sys.argv[3], force=True, quiet=True)
    print("OK", Path(sys.argv[3], "gold-vix-1.log").read_text(encoding="utf-8").count("\\u91d1"))
""")


@pytest.mark.skipif(os.name == "nt", reason="forces a POSIX C locale")
def test_kaggle_writes_survive_a_non_utf8_default_encoding(emulator, tmp_path):
    """Our forcing works under a C locale whichever kaggle is installed (2.2.4 crashed
    without it; 2.2.5 writes its log as UTF-8 itself) - we test ours, not theirs."""
    backend = KaggleBackend(tmp_path, api_url=emulator.url)
    backend.push(make_kernel(tmp_path, "vix", 1, text="gold 金 ✓"))
    wait_for(lambda: backend.status("tester/gold-vix-1").finished, timeout=60)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "PYTHONIOENCODING", "LANG", "LC_CTYPE")}
    env.update(LC_ALL="C", PYTHONPATH=os.getcwd())
    out = tmp_path / "forced"
    out.mkdir()
    forced = subprocess.run([sys.executable, "-X", "utf8=0", "-c", SCRIPT, KEY, emulator.url, str(out)],
                            capture_output=True, text=True, encoding="utf-8", errors="replace",
                            env=env, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.strip() == "OK 1"


def test_utf8_open_defaults_text_to_utf8_only(tmp_path):
    from goldloop.kaggle.utf8 import utf8_open

    with utf8_open(tmp_path / "t.txt", "w") as fh:
        fh.write("金")
    assert (tmp_path / "t.txt").read_bytes() == "金".encode()
    with utf8_open(tmp_path / "t.txt", "w", encoding="utf-16") as fh:  # an explicit encoding wins
        fh.write("金")
    assert (tmp_path / "t.txt").read_bytes() == "金".encode("utf-16")
    with utf8_open(tmp_path / "t.bin", "wb") as fh:  # binary stays binary
        fh.write(b"\x00")


@pytest.fixture()
def no_creds(tmp_path, monkeypatch):
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN", "KAGGLE_CONFIG_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_username_and_key_from_env_and_from_dotenv(no_creds, monkeypatch):
    monkeypatch.setenv("KAGGLE_USERNAME", "tester")
    monkeypatch.setenv("KAGGLE_KEY", KEY)
    creds = find_credentials(no_creds)
    assert creds.source == "KAGGLE_USERNAME/KAGGLE_KEY (environment)" and KEY not in repr(creds)
    monkeypatch.delenv("KAGGLE_KEY")
    (no_creds / ".env").write_text(f"KAGGLE_KEY={KEY}\n", encoding="utf-8")
    assert find_credentials(no_creds).source == "KAGGLE_USERNAME/KAGGLE_KEY (.env)"


def test_kaggle_json_in_config_dir(no_creds, monkeypatch):
    cfg = no_creds / "cfg"
    cfg.mkdir()
    (cfg / "kaggle.json").write_text(json.dumps({"username": "tester", "key": KEY}), encoding="utf-8")
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(cfg))
    creds = find_credentials(no_creds)
    assert creds.source == str(cfg / "kaggle.json") and creds.username == "tester" and creds.key == KEY


def test_legacy_key_in_kaggle_api_token_is_mapped_to_kaggle_key(no_creds, monkeypatch, emulator):
    monkeypatch.delenv("KAGGLE_KEY")
    monkeypatch.setenv("KAGGLE_API_TOKEN", KEY)
    creds = find_credentials(no_creds)
    assert "legacy key used as KAGGLE_KEY" in creds.source and creds.key == KEY and creds.token is None
    assert KaggleBackend(no_creds, api_url=emulator.url).quota()["gpu_hours"]["remaining"] == 30


def test_new_access_token_is_sent_as_bearer(no_creds, monkeypatch, emulator):
    monkeypatch.delenv("KAGGLE_KEY")
    monkeypatch.delenv("KAGGLE_USERNAME")
    emulator.tokens["KGAT_abcdef0123456789"] = "tester"
    monkeypatch.setenv("KAGGLE_API_TOKEN", "KGAT_abcdef0123456789")
    backend = KaggleBackend(no_creds, api_url=emulator.url)
    described = json.dumps(backend.describe())
    assert "KAGGLE_API_TOKEN (environment)" in described and "KGAT_abcdef" not in described
    assert backend.quota()["gpu_hours"]["total_time_allowed"] == 30
    emulator.tokens.clear()  # a revoked token is an auth error, not a crash
    with pytest.raises(AuthBackendError):
        KaggleBackend(no_creds, api_url=emulator.url).quota()


def test_no_credentials_is_a_clear_error(no_creds):
    with pytest.raises(AuthBackendError) as err:
        find_credentials(no_creds)
    assert "KAGGLE_API_TOKEN" in err.value.hint and "kaggle.json" in err.value.hint


def test_token_only_credentials_push_a_dataset_learning_the_username_like_kaggle(kaggle_ws, emulator, monkeypatch):
    """Only KAGGLE_API_TOKEN (no username anywhere): dataset-push used to crash with KeyError 'username'."""
    from goldloop.kaggle.datasets import push_dataset

    monkeypatch.delenv("KAGGLE_KEY")
    monkeypatch.delenv("KAGGLE_USERNAME")
    emulator.tokens["KGAT_only_token"] = "tester"
    token_file = kaggle_ws.root.parent / "token.txt"  # kagglesdk also takes a path to the token
    token_file.write_text("KGAT_only_token\n", encoding="utf-8")
    monkeypatch.setenv("KAGGLE_API_TOKEN", str(token_file))
    data = kaggle_ws.root / "data" / "vix_1"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("date,vix\n2024-01-02,13.2\n", encoding="utf-8")
    pushed = push_dataset(kaggle_ws.root, "vix", 1)
    assert pushed["created"] and pushed["dataset"] == "tester/gold-vix-data"
    assert "IntrospectToken" in emulator.methods() and "CreateDataset" in emulator.methods()


def test_init_takes_the_owner_from_username_then_kaggle_json_then_the_token(no_creds, monkeypatch, emulator):
    from goldloop.config import load_config
    from goldloop.workspace import init_workspace

    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    home = no_creds / "home"
    (home / ".kaggle").mkdir(parents=True)
    (home / ".kaggle" / "kaggle.json").write_text(json.dumps({"username": "jsonuser", "key": KEY}), encoding="utf-8")
    init_workspace(no_creds / "a")
    assert load_config(no_creds / "a").kaggle.owner == "jsonuser"  # not "goldloop"
    monkeypatch.setenv("KAGGLE_USERNAME", "envuser")
    init_workspace(no_creds / "b")
    assert load_config(no_creds / "b").kaggle.owner == "envuser"
    monkeypatch.delenv("KAGGLE_USERNAME")
    (home / ".kaggle" / "kaggle.json").unlink()
    emulator.tokens["KGAT_tok"] = "tokenuser"
    monkeypatch.setenv("KAGGLE_API_TOKEN", "KGAT_tok")
    init_workspace(no_creds / "c")
    assert load_config(no_creds / "c").kaggle.owner == "tokenuser"


def test_run_with_the_kaggle_backend_checks_credentials_and_owner_before_its_first_commit(
        no_creds, monkeypatch, emulator):
    from goldloop.autopilot.runner import run
    from goldloop.errors import ConfigError
    from goldloop.gitlog import log_messages
    from goldloop.workspace import init_workspace

    monkeypatch.setenv("KAGGLE_KEY", "f" * 32)  # wrong key: refused before anything exists
    with pytest.raises(AuthBackendError):
        run(no_creds / "fresh", {"backend": "kaggle"}, say=lambda m: None)
    assert not (no_creds / "fresh").exists()
    monkeypatch.setenv("KAGGLE_KEY", KEY)
    init_workspace(no_creds / "ws", owner="somebody-else")
    before = log_messages(no_creds / "ws")
    with pytest.raises(ConfigError) as err:
        run(no_creds / "ws", {"backend": "kaggle"}, say=lambda m: None)
    assert "'somebody-else'" in err.value.message and 'owner = "tester"' in err.value.hint
    assert log_messages(no_creds / "ws") == before
