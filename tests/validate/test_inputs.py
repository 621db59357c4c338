"""Bad input becomes a finding or a clear GoldloopError; suppression and settings work."""

from __future__ import annotations

import json

import pytest

from goldloop.errors import GoldloopError
from goldloop.validate import errors, validate_path
from goldloop.validate.model import ValidationInputError
from tests.validate.kernels import metadata, notebook, write_kernel, write_notebook


def rules(report) -> list[str]:
    return [f.rule for f in report.findings]


def test_invalid_json_is_a_finding(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    report = validate_path(path)
    assert rules(report) == ["GL100"] and not report.ok
    assert "line 1" in report.findings[0].message


def test_nbformat_3_is_a_finding(tmp_path):
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "worksheets": [{"cells": []}]}), encoding="utf-8")
    report = validate_path(path)
    assert rules(report) == ["GL100"] and "nbformat 3" in report.findings[0].message


def test_binary_file_is_a_finding(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert rules(validate_path(path)) == ["GL100"]


def test_empty_notebook_is_a_warning(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3"}}, "cells": []}), encoding="utf-8")
    report = validate_path(path)
    assert rules(report) == ["GL102"] and report.ok


def test_folder_without_metadata_reports_it_and_skips_metadata_rules(tmp_path):
    write_notebook(tmp_path / "k" / "nb.ipynb", ["import torch\nx = torch.zeros(1).cuda()"])
    report = validate_path(tmp_path / "k")
    assert rules(report) == ["GL501"]
    assert "gpu_consistency" in report.skipped[0]


def test_unreadable_metadata_types(tmp_path):
    folder = write_kernel(tmp_path / "k", ["x = 1"])
    (folder / "kernel-metadata.json").write_text("[1, 2]", encoding="utf-8")
    report = validate_path(folder)
    assert rules(report) == ["GL501"] and "JSON object" in report.findings[0].message


def test_metadata_with_wrong_types_does_not_crash(tmp_path):
    meta = metadata(dataset_sources="tester/x", enable_gpu=3, title=7, id=["a"], code_file=None)
    folder = write_kernel(tmp_path / "k", ["x = 1"], meta)
    report = validate_path(folder)
    assert "GL502" in rules(report)


@pytest.mark.parametrize("make", ["missing", "empty_dir", "other_suffix", "two_notebooks"])
def test_unusable_paths_raise_a_goldloop_error(tmp_path, make):
    target = tmp_path / make
    if make == "empty_dir":
        target.mkdir()
    elif make == "other_suffix":
        target = tmp_path / "data.csv"
        target.write_text("a,b\n", encoding="utf-8")
    elif make == "two_notebooks":
        write_notebook(target / "a.ipynb", ["x = 1"])
        write_notebook(target / "b.ipynb", ["x = 1"])
    with pytest.raises(ValidationInputError) as info:
        validate_path(target)
    assert isinstance(info.value, GoldloopError) and info.value.hint


def test_script_kernel(tmp_path):
    folder = tmp_path / "k"
    folder.mkdir()
    (folder / "kernel-metadata.json").write_text(json.dumps(metadata(
        code_file="train.py", kernel_type="script", dataset_sources=[])), encoding="utf-8")
    (folder / "train.py").write_text("import pandas as pd\nprint(undefined_thing)\n",
                                     encoding="utf-8")
    report = validate_path(folder)
    assert rules(report) == ["GL601"]
    assert report.findings[0].cell is None and report.findings[0].line == 2


def test_single_notebook_says_metadata_checks_were_skipped(tmp_path):
    report = validate_path(write_notebook(tmp_path / "nb.ipynb", ["x = 1"]))
    assert report.findings == [] and report.skipped[0].startswith(
        "metadata checks skipped: single notebook")


def test_line_suppression(tmp_path):
    cells = ["print(a)  # goldloop: ignore[GL601]\nprint(b)  # goldloop: ignore[syntax]\n"
             "print(c)  # goldloop: ignore"]
    report = validate_path(write_notebook(tmp_path / "nb.ipynb", cells))
    assert [f.line for f in report.findings] == [2]


def test_select_and_ignore(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", ["print(a)\n'x'.UPPER()"])
    assert sorted(rules(validate_path(path))) == ["GL201", "GL601"]
    assert rules(validate_path(path, select=["undefined_name"])) == ["GL601"]
    assert rules(validate_path(path, ignore=["GL601"])) == ["GL201"]
    assert rules(validate_path(path, select=["ALL"], ignore=["method_case,GL601"])) == []
    with pytest.raises(ValidationInputError):
        validate_path(path, select=["GL999"])


def test_workspace_settings_apply(ws):
    (ws.root / "goldloop.toml").write_text('[validate]\nignore = ["GL601"]\n', encoding="utf-8")
    path = write_notebook(ws.root / "notebooks" / "nb.ipynb", ["print(a)"])
    assert validate_path(path).findings == []  # found by walking up to goldloop.toml
    assert rules(validate_path(path, workspace_root=ws.root, select=["GL601"])) == []


def test_configured_secret_value_is_found(tmp_path, monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", "plainfredvalue")
    report = validate_path(write_notebook(tmp_path / "nb.ipynb", ["k = 'plainfredvalue'"]))
    assert rules(report) == ["GL1101"]
    assert "plainfredvalue" not in json.dumps(report.to_dict())


def test_public_kernel_is_named_in_secret_message(tmp_path):
    folder = write_kernel(tmp_path / "k", ["token = 'ghp_" + "a1B2" * 9 + "'"],
                          metadata(is_private=False, dataset_sources=[]))
    finding = validate_path(folder).findings[0]
    assert finding.rule == "GL1101" and "public" in finding.message


def test_report_shape_and_errors_helper(tmp_path):
    report = validate_path(write_notebook(tmp_path / "nb.ipynb", ["print(a)"],
                                          outputs={0: [{"output_type": "stream", "text": "1"}]}))
    data = report.to_dict()
    assert set(data) == {"path", "ok", "findings", "skipped"} and data["ok"] is False
    assert set(data["findings"][0]) == {"rule", "category", "severity", "message", "cell",
                                        "line", "hint"}
    assert [f.rule for f in errors(report)] == ["GL601"]


def test_magics_do_not_break_names(tmp_path):
    cells = ["%%capture\nimport pandas as pd", "%%bash\necho $HOME", "files = !ls\nprint(files)",
             "pd.DataFrame??\n?pd.concat"]
    report = validate_path(write_notebook(tmp_path / "nb.ipynb", cells))
    assert report.findings == []


def test_notebook_payload_is_not_changed(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", ["print(a)"])
    before = path.read_bytes()
    validate_path(path)
    assert path.read_bytes() == before and notebook(["x"])["nbformat"] == 4
