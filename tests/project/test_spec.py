"""The project spec in goldloop.toml, presets, workspace families: real files, real CLI, real data."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from goldloop.config import parse_config
from goldloop.errors import ConfigError
from tests.conftest import PYTHON


def goldloop(*args: str, cwd, env, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def _set_features(root: Path, features: list[str]) -> None:
    path = root / "goldloop.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("features ="))
    lines[index] = "features = [" + ", ".join(f'"{f}"' for f in features) + "]"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the spec --------------------------------------------------------------------------------
def test_spec_defaults_are_the_gold_project_and_the_old_template_still_reads():
    spec = parse_config({}).project
    assert (spec.name, spec.target.series, spec.panel_module) == ("gold", "gold", "goldloop.data.panel")
    legacy = parse_config({"project": {"name": "x", "target": "gold next-day return"}}).project
    assert legacy.target.series == "gold"
    assert parse_config({"project": {"target": "wti"}}).project.target.series == "wti"
    own = parse_config({"project": {"target": "wti", "series": {"wti": {"builtin": "wti"}}}}).project
    assert own.panel_module == "goldloop.project.series_panel"


@pytest.mark.parametrize("project, needle", [
    ({"series": {"x": {"file": "a.csv", "fred": "DGS10"}}}, "exactly one of builtin, file, fred, yahoo"),
    ({"series": {"x": {"file": "../outside.csv"}}}, "inside the workspace"),
    ({"series": {"x": {"builtin": "wti", "zone": "Mars/Olympus"}}}, "IANA time zone"),
    ({"target": {"series": "x", "derive": "next_price"}}, "project.target.derive"),
    ({"targt": "x"}, "project.targt"),
    ({"kaggle_datasets": ["not a ref"]}, "owner/slug"),
])
def test_spec_mistakes_are_errors_naming_the_key(project, needle):
    with pytest.raises(ConfigError) as err:
        parse_config({"project": project})
    assert needle in err.value.message


# -- presets ----------------------------------------------------------------------------------
def test_list_presets_prints_one_name_per_line(tmp_path, clean_env):
    done = goldloop("init", "--list-presets", cwd=tmp_path, env=clean_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["blank", "gold", "oil"]
    assert not list(tmp_path.iterdir())  # listing writes nothing


def test_unknown_preset_is_refused_before_anything_is_written(tmp_path, clean_env):
    done = goldloop("init", "ws", "--preset", "silver", cwd=tmp_path, env=clean_env)
    assert done.returncode == 2 and "unknown preset 'silver'" in done.stderr and "blank, gold, oil" in done.stderr
    assert not (tmp_path / "ws").exists()


def test_gold_preset_is_the_default_and_keeps_gold_slugs(tmp_path, clean_env):
    done = goldloop("init", "ws", cwd=tmp_path, env=clean_env)
    assert done.returncode == 0, done.stderr
    spec = parse_config(tomllib.loads((tmp_path / "ws" / "goldloop.toml").read_text(encoding="utf-8")))
    assert (spec.project.name, spec.project.preset, spec.project.target.series) == ("gold", "gold", "gold")
    assert spec.features == ["vix", "gold_technicals", "cross_asset", "real_rate", "regime"]


def test_blank_preset_is_a_commented_template_that_fails_clearly_until_filled(tmp_path, clean_env):
    done = goldloop("init", "mine", "--preset", "blank", cwd=tmp_path, env=clean_env)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "mine"
    text = (root / "goldloop.toml").read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) > 20
    spec = parse_config(tomllib.loads(text))
    assert spec.project.name == "mine" and spec.features == []
    assert (root / "families" / "README.md").is_file()
    _set_features(root, ["vix"])  # a built-in family: its inputs are not in the blank data
    done = goldloop("run", "--fast", "--workspace-dir", str(root), cwd=root, env=clean_env)
    assert done.returncode == 2, done.stderr
    assert "data/price.csv" in done.stderr and "Traceback" not in done.stderr


# -- item 9: unknown features ------------------------------------------------------------------
def test_unknown_features_in_goldloop_toml_exit_2_naming_them_and_the_known(tmp_path, clean_env):
    goldloop("init", "ws", cwd=tmp_path, env=clean_env)
    root = tmp_path / "ws"
    _set_features(root, ["vix", "neighborhood_stats", "lot_features"])
    done = goldloop("run", "--fast", "--workspace-dir", str(root), cwd=root, env=clean_env)
    assert done.returncode == 2, done.stderr
    assert "unknown feature families: neighborhood_stats, lot_features" in done.stderr
    assert "gold_technicals" in done.stderr and "families/<name>.py" in done.stderr
    assert "Traceback" not in done.stderr
    state = (root / "shared" / "state.json").read_text(encoding="utf-8")
    assert '"attempts": [{' not in state  # nothing ran


def test_unknown_feature_on_the_command_line_is_refused_too(tmp_path, clean_env):
    goldloop("init", "ws", cwd=tmp_path, env=clean_env)
    root = tmp_path / "ws"
    done = goldloop("run", "--fast", "--workspace-dir", str(root), "--features", "saleprice",
                    cwd=root, env=clean_env)
    assert done.returncode == 2 and "saleprice" in done.stderr and "vix" in done.stderr
