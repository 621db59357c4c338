"""Property: the validator never crashes, whatever JSON or text the notebook holds."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from goldloop.validate import validate_path
from goldloop.validate.model import CATEGORIES

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)
# Source snippets that exercise the rules, shuffled with random text.
FRAGMENTS = ["import pandas as pd", "import torch", "x.cuda()", "df.append(x)", "!pip install a",
             "%%bash", "%time y = 1", "trial.suggest_int(f'a{i}', 1, 2)", "yf.download('A')[0]",
             "open('/etc/x', 'w')", "'/kaggle/input/a/b'", "def f(:", "    ", "\\", "'''",
             "print(undefined)", "api_key = 'a1b2c3d4e5f6g7h8i9'", "\x00", "ROOT / 'input' / x"]
source = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("\n".join),
    st.lists(st.text(max_size=20), max_size=3),
    json_values,
)
cell = st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw", 3])},
    optional={"source": source, "outputs": json_values | st.lists(json_values, max_size=2),
              "execution_count": json_values},
)
notebook = st.one_of(
    json_values,
    st.fixed_dictionaries({"cells": st.lists(cell | json_values, max_size=5)},
                          optional={"nbformat": st.integers(0, 5), "metadata": json_values}),
)
kernel_meta = st.one_of(json_values, st.dictionaries(
    st.sampled_from(["id", "title", "code_file", "language", "kernel_type", "enable_gpu",
                     "enable_internet", "is_private", "dataset_sources", "other"]),
    json_values, max_size=8))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(nb=notebook, meta=kernel_meta)
@example(nb={"cells": [{"cell_type": "markdown", "source": True}]}, meta={})  # found by CI: a bool source
def test_validator_never_crashes(tmp_path_factory, nb, meta):
    folder = tmp_path_factory.mktemp("k")
    (folder / "nb.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    if isinstance(meta, dict) and isinstance(meta.get("code_file"), str):
        meta["code_file"] = "nb.ipynb"
    (folder / "kernel-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    for target in (folder, folder / "nb.ipynb"):
        report = validate_path(target)
        data = report.to_dict()
        assert data["ok"] == (not any(f["severity"] == "error" for f in data["findings"]))
        assert all(f["category"] in CATEGORIES for f in data["findings"])
        json.dumps(data)
