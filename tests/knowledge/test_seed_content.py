"""The shipped knowledge base and MEMORY.md: real content, well-formed, copied by `goldloop init`."""

from __future__ import annotations

import re

from goldloop.knowledge import load_entries, read_lessons
from tests.conftest import REPO

REQUIRED = {
    "knowledge/methodologies/regime_detection.md",
    "knowledge/methodologies/persistence_measurement.md",
    "knowledge/data_sources/fred_multi_country.md",
    "knowledge/financial_concepts/window_lengths.md",
    "knowledge/kaggle/api_pitfalls.md",
}


def test_bundle_entries_are_complete_and_parse():
    entries, problems = load_entries(REPO)
    assert problems == []
    assert len(entries) >= 8
    assert REQUIRED <= {e.path for e in entries}
    for entry in entries:
        assert entry.question.endswith("?"), entry.path
        assert len(entry.tags) >= 5 and len(entry.sources) >= 1, entry.path
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.updated or ""), entry.path
        assert len(entry.body) > 800, entry.path
        # every entry is findable from Japanese too
        assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t) for t in entry.tags), entry.path


def test_fred_entry_names_the_family_series_and_the_g10_trap():
    body = (REPO / "knowledge/data_sources/fred_multi_country.md").read_text(encoding="utf-8")
    for series in ("DFII10", "DGS10", "DGS2", "T10Y2Y", "T10YIE", "DTWEXBGS", "VIXCLS", "DCOILWTICO"):
        assert f"`{series}`" in body, series
    assert "G10" in body and "do not exist" in body
    assert "GOLDAMGBD228NLBM" in body  # removed from FRED in 2022: must be flagged, not recommended


def test_memory_seeds_the_original_lessons_each_dated():
    lessons = read_lessons(REPO)
    assert len(lessons) >= 12
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", lesson["date"] or "") for lesson in lessons)
    text = " ".join(lesson["text"] for lesson in lessons)
    for needle in ("cp932", "KAGGLE_API_TOKEN", "KAGGLE_KEY", "/kaggle/input/datasets/{owner}/{slug}/",
                   "409", "Secrets", "NEVER push", "NEVER poll", "G10", "39 → 24", "attempt 7"):
        assert needle in text, needle


def test_init_copies_knowledge_and_memory_into_the_workspace(ws):
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8") == (REPO / "MEMORY.md").read_text(encoding="utf-8")
    ws_entries, _ = load_entries(ws.root)
    bundle_entries, _ = load_entries(REPO)
    assert [e.path for e in ws_entries] == [e.path for e in bundle_entries]
