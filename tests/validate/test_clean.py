"""Notebooks in the style of real Kaggle kernels, and goldloop's own built kernels, are clean."""

from __future__ import annotations

import pytest

from goldloop.validate import validate_path
from tests.validate.clean_kernels import CLEAN
from tests.validate.kernels import metadata, write_kernel


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_kernel_has_no_findings(tmp_path, name):
    cells, overrides = CLEAN[name]
    slug = f"gold-{name.replace('_', '-')}-1"
    folder = write_kernel(tmp_path / name, cells, metadata(slug, **overrides))
    report = validate_path(folder)
    assert [f.message for f in report.findings] == []
    assert report.ok and report.skipped == []


def test_corpus_is_big_enough():
    assert len(CLEAN) >= 8


@pytest.mark.parametrize("feature", ["vix", "meta"])
def test_built_template_kernels_are_clean(ws, feature):
    builder = pytest.importorskip("goldloop.notebooks.builder")
    folder = builder.build_kernel(ws, feature, 1)
    report = validate_path(folder, workspace_root=ws.root)
    assert [f.message for f in report.findings] == []
