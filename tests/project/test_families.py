"""Workspace feature families on the oil preset's real data: discovered, validated at start-up,
run like built-in submodels; Gate 1 catches a family that peeks at the future."""

from __future__ import annotations

import pytest

from goldloop.errors import ConfigError
from goldloop.project import load_project, validate_project

PEEK = '''"""A family with a bug: its window reaches five days ahead."""

from goldloop.models.submodels.base import Submodel

INPUTS = ["wti_logret"]


class Peek(Submodel):
    DEFAULTS = {"window": 5}
    VARIATIONS = [{}]

    def output_columns(self, inputs):
        return [self._col("ahead")]

    def fit(self, X):
        self._check_input(X)
        self.fitted_ = True
        return self

    def transform(self, X):
        r = self._check_input(X).iloc[:, 0]
        ahead = r.shift(-1).rolling(self.params["window"]).mean().shift(-(self.params["window"] - 1))
        return self._frame(X, {self._col("ahead"): ahead.fillna(0.0)})

    def loss(self, X, rows):
        return 1.0
'''


@pytest.fixture(scope="module")
def oil(tmp_path_factory):
    from goldloop.workspace import init_workspace

    workspace, _ = init_workspace(tmp_path_factory.mktemp("oil") / "ws", owner="tester", preset="oil")
    return workspace.root


def _family_file(root, name, text):
    path = root / "families" / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_preset_families_are_discovered_next_to_the_builtin_ones(oil):
    project = validate_project(oil)
    assert project.families["oil_trend"].origin == "workspace"
    assert project.families["vix"].origin == "builtin"
    assert {"oil_trend", "equity_stress", "vix"} <= set(project.families_with_data())
    assert "gold_technicals" not in project.families_with_data()  # its inputs are not in this data
    assert project.target_column == "wti_next_ret" and project.slug == "oil"


@pytest.mark.parametrize("text, needle", [
    ("import numpy\n", "defines 0 Submodel subclasses"),
    ("from goldloop.models.submodels.base import Submodel\nINPUTS = ['wti_logret']\n"
     "class A(Submodel):\n    def fit(self, X):\n        return self\n", "does not implement output_columns, transform, loss"),
    (PEEK.replace('INPUTS = ["wti_logret"]', "INPUTS = []"), "INPUTS must be a non-empty list"),
    (PEEK.replace('VARIATIONS = [{}]', 'VARIATIONS = [{"windw": 3}]'), "VARIATIONS must be a list of dicts"),
    ("raise RuntimeError('boom')\n", "importing it failed: RuntimeError: boom"),
])
def test_broken_family_modules_are_errors_naming_file_and_problem(oil, text, needle):
    path = _family_file(oil, "broken", text)
    try:
        with pytest.raises(ConfigError) as err:
            load_project(oil).families  # noqa: B018 - discovery is the point
        assert "families/broken.py" in err.value.message and needle in err.value.message
    finally:
        path.unlink()


def test_a_family_reading_a_column_the_data_lacks_is_refused_at_start_up(oil):
    path = _family_file(oil, "needs_brent", PEEK.replace('["wti_logret"]', '["brent_logret"]'))
    try:
        with pytest.raises(ConfigError) as err:
            validate_project(oil, ["needs_brent"])
        assert "brent_logret" in err.value.message and "wti_logret" in err.value.hint
    finally:
        path.unlink()


def test_a_family_shadowing_a_builtin_one_is_refused(oil):
    path = _family_file(oil, "vix", PEEK)
    try:
        with pytest.raises(ConfigError, match="shadow built-in families"):
            load_project(oil).families  # noqa: B018
    finally:
        path.unlink()


def test_gate1_passes_the_causal_family_and_catches_the_one_peeking_ahead(oil):
    from goldloop.gates import check
    from goldloop.models.submodels.base import run_submodel

    path = _family_file(oil, "peek", PEEK)
    try:
        project = load_project(oil)
        base, target = project.base_table()
        train_end, val_end = project.split()
        verdicts = {}
        for name in ("oil_trend", "peek"):
            fam = project.family(name)
            model = fam.submodel(prefix=name, **fam.params_for_attempt(1))
            out, metrics = run_submodel(model, base[fam.inputs], train_end, val_end)
            result = check(out, base, target, metrics=metrics, settings=project.config.gates, gates=("gate1",))
            verdicts[name] = {c["name"]: c["pass"] for c in result.gates["gate1"]["checks"]}
        assert all(ok for n, ok in verdicts["oil_trend"].items() if n.startswith("leakage")), verdicts
        assert verdicts["peek"]["leakage[peek_ahead]"] is False
    finally:
        path.unlink()


def test_kernel_of_a_workspace_family_inlines_it_and_mounts_the_projects_datasets(oil):
    import json

    from goldloop.notebooks import build_kernel
    from goldloop.validate import validate_path

    config = oil / "goldloop.toml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace('preset = "oil"\n', 'preset = "oil"\nkaggle_datasets = ["tester/eia-weekly"]\n'),
                      encoding="utf-8")
    try:
        folder = build_kernel(oil, "oil_trend", 2)
    finally:
        config.write_text(original, encoding="utf-8")
    meta = json.loads((folder / "kernel-metadata.json").read_text(encoding="utf-8"))
    assert meta["id"] == "tester/oil-oil-trend-2" and meta["code_file"] == "oil-oil-trend-2.ipynb"
    assert meta["dataset_sources"] == ["tester/oil-oil-trend-data", "tester/eia-weekly"]
    notebook = (folder / meta["code_file"]).read_text(encoding="utf-8")
    assert "inlined from the workspace's families/oil_trend.py" in notebook
    assert "MODEL_CLASS = TrendState" in notebook and "'window': 60" in notebook  # attempt 2's variation
    import re

    import nbformat

    code = "\n".join(c.source for c in nbformat.read(folder / meta["code_file"], as_version=4).cells
                     if c.cell_type == "code")
    # goldloop is absent on Kaggle: only base.py's guarded try-import of its error class remains
    assert re.findall(r"^\s*(?:from|import) goldloop.*$", code, re.M) == ["    from goldloop.errors import GoldloopError"]
    assert "oil submodel" in notebook
    report = validate_path(folder, workspace_root=oil)
    assert not [f for f in report.findings if f.severity == "error"], report.findings
