"""knowledge add: new entries land atomically; near-duplicates are refused with a pointer."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from goldloop.knowledge import KnowledgeError, add, load_entries, search
from tests.conftest import PYTHON, REPO

ANSWER = "Use GVZCLS (CBOE gold ETF volatility index, daily since 2008) as the gold-specific fear gauge."


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "knowledge").rglob("*") if p.is_file()}


def test_add_writes_an_entry_that_search_finds(ws):
    result = add(ws.root, "Which implied-volatility index is specific to gold?", ANSWER,
                 ["gvz", "implied volatility", "金"], ["https://fred.stlouisfed.org/series/GVZCLS"],
                 category="data_sources", today=date(2026, 1, 2))
    assert result["path"] == "knowledge/data_sources/implied_volatility_index_specific_gold.md"
    text = (ws.root / result["path"]).read_text(encoding="utf-8")
    assert text.startswith("---\nquestion: Which implied-volatility index is specific to gold?\n")
    entry = next(e for e in load_entries(ws.root)[0] if e.path == result["path"])
    assert entry.tags == ("gvz", "implied volatility", "金") and entry.updated == "2026-01-02"
    assert entry.body.strip() == ANSWER
    assert search(ws.root, "gold implied volatility index GVZ")[0]["path"] == result["path"]


@pytest.mark.parametrize("question", [
    "Which regime-detection method (HMM, Markov-switching, change-point, clustering) fits which submodel, "
    "and how many regimes should it use?",                                           # the same question
    "which regime detection method fits which submodel and how many regimes should it use",  # reworded
    "What rolling window lengths should daily financial features use?",             # shorter paraphrase
])
def test_near_duplicate_is_refused_and_points_to_the_entry(ws, question):
    before = _files(ws.root)
    with pytest.raises(KnowledgeError) as err:
        add(ws.root, question, ANSWER, ["x"], ["y"])
    assert err.value.existing in {"knowledge/methodologies/regime_detection.md",
                                  "knowledge/financial_concepts/window_lengths.md"}
    assert err.value.existing in err.value.message and err.value.existing in err.value.hint
    assert _files(ws.root) == before


def test_japanese_duplicate_with_reordered_words_is_refused(ws):
    add(ws.root, "どの窓長を使うべきか？ボラティリティの計算", "21営業日", ["窓長"], ["x"])
    with pytest.raises(KnowledgeError) as err:
        add(ws.root, "ボラティリティの計算にはどの窓長を使うべきか？", "21営業日", ["窓長"], ["x"])
    assert err.value.existing.startswith("knowledge/general/entry_")


def test_a_related_but_different_question_is_accepted(ws):
    result = add(ws.root, "Which regime detection method fits the dollar submodel?", ANSWER, ["dollar"], ["y"])
    assert (ws.root / result["path"]).is_file()


def test_same_slug_gets_a_numbered_file(ws):
    first = add(ws.root, "How is GVZ computed from GLD options?", ANSWER, ["gvz"], ["y"])
    target = ws.root / first["path"]
    target.write_text(target.read_text(encoding="utf-8").replace("How is GVZ computed", "Quokka"),
                      encoding="utf-8")  # the question changed, the file name did not
    second = add(ws.root, "How is GVZ computed from GLD options?", ANSWER, ["gvz"], ["y"])
    assert second["path"] == first["path"].replace(".md", "_2.md")


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"question": "short"}, "too short"),
    ({"answer": "   "}, "answer is empty"),
    ({"tags": []}, "tag"),
    ({"sources": ["  "]}, "source"),
    ({"category": "../etc"}, "category"),
    ({"answer": "api_key = 'abcd1234efgh5678ijkl'"}, "credential"),
])
def test_bad_input_is_refused_and_nothing_is_written(ws, kwargs, fragment):
    args = {"question": "Is this a perfectly fine question?", "answer": ANSWER, "tags": ["t"],
            "sources": ["s"], **kwargs}
    before = _files(ws.root)
    with pytest.raises(KnowledgeError) as err:
        add(ws.root, **args)
    assert fragment in str(err.value)
    assert "abcd1234efgh5678ijkl" not in str(err.value)
    assert _files(ws.root) == before


def test_a_failed_write_leaves_no_partial_file(ws, monkeypatch):
    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    before = _files(ws.root)
    with pytest.raises(OSError):
        add(ws.root, "Does a failed write leave a half-written entry?", ANSWER, ["t"], ["s"])
    assert _files(ws.root) == before  # neither the entry nor its temp file


def test_two_processes_adding_the_same_question_make_one_entry(ws):
    code = ("import sys; from goldloop.knowledge import add, KnowledgeError\n"
            "try:\n    print(add(sys.argv[1], 'Can two agents add the same question at once?', 'No.', ['t'], ['s'])['path'])\n"
            "except KnowledgeError:\n    print('refused')\n")
    procs = [subprocess.Popen([PYTHON, "-c", code, str(ws.root)], cwd=REPO, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outputs[1] == "refused" and outputs[0].startswith("knowledge/general/")
    assert len(list((ws.root / "knowledge" / "general").glob("*.md"))) == 1
