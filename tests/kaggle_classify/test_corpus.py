"""The labelled corpus: every log must get its class and evidence (100%)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from goldloop.kaggle.classify import classify_log, classify_text

HERE = Path(__file__).parent
CASES = tomllib.loads((HERE / "labels.toml").read_text(encoding="utf-8"))["case"]


def test_corpus_covers_every_class_three_times():
    from goldloop.routes import ERROR_ROUTES
    from tests.kaggle_classify.real_scores import cases as real_cases

    # the generated corpus (kept, clearly separate) plus the real one cover every class 3 times
    counts = Counter(case["error_type"] for case in [*CASES, *real_cases()])
    assert len(CASES) >= 40
    assert set(counts) == set(ERROR_ROUTES), set(ERROR_ROUTES) ^ set(counts)
    assert min(counts.values()) >= 3, counts
    assert {p.suffix for p in (HERE / "corpus").iterdir()} == {".log", ".txt"}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_case(case):
    path = HERE / "corpus" / case["file"]
    result = classify_log(path, failure_message=case.get("failure_message"), failed=case.get("failed"))
    assert result.error_type == case["error_type"], result.to_dict()
    assert case["evidence"] in result.evidence, result.evidence
    assert result.terminal is (case["error_type"] != "none")
    # In memory and streamed, with tiny blocks, the answer is the same.
    text = path.read_text(encoding="utf-8")
    same = classify_text(text, failure_message=case.get("failure_message"), failed=case.get("failed"))
    assert (same.error_type, same.evidence) == (result.error_type, result.evidence)
    tiny = classify_log(path, failure_message=case.get("failure_message"), failed=case.get("failed"), chunk_chars=97)
    assert (tiny.error_type, tiny.evidence) == (result.error_type, result.evidence)


def test_to_dict_shape_and_route_from_table():
    from goldloop.routes import route_for

    result = classify_log(HERE / "corpus" / "network_fred_read_timeout.log")
    data = result.to_dict()
    assert {"error_type", "route", "evidence"} <= set(data)
    route = route_for("network_timeout")
    assert data["route"] == {"agent": route.agent, "instruction": route.instruction, "auto_resubmit": True}


def test_dataset_missing_details_name_the_source():
    result = classify_log(HERE / "corpus" / "dataset_missing_papermill.log")
    assert result.details["missing_path"] == "/kaggle/input/gold-real-rate-data/real_rate.csv"
    assert result.details["dataset_slug"] == "gold-real-rate-data"
    assert result.route["agent_if_source_missing"] == "builder_data"
