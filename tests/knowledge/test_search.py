"""BM25 ranking over the real seeded entries, English and Japanese."""

from __future__ import annotations

import pytest

from goldloop.knowledge import KnowledgeError, load_entries, search
from goldloop.knowledge.text import tokenize

TOP_HIT = [
    ("how many regimes should an HMM use", "knowledge/methodologies/regime_detection.md"),
    ("change point detection ruptures PELT", "knowledge/methodologies/regime_detection.md"),
    ("Hurst exponent DFA window", "knowledge/methodologies/persistence_measurement.md"),
    ("variance ratio test", "knowledge/methodologies/persistence_measurement.md"),
    ("TIPS yields for G10 countries on FRED", "knowledge/data_sources/fred_multi_country.md"),
    ("DTWEXBGS publication lag", "knowledge/data_sources/fred_multi_country.md"),
    ("rolling correlation window length", "knowledge/financial_concepts/window_lengths.md"),
    ("409 Conflict kernel still running", "knowledge/kaggle/api_pitfalls.md"),
    ("cp932 UnicodeEncodeError Windows", "knowledge/kaggle/api_pitfalls.md"),
    ("dataset mount path /kaggle/input", "knowledge/kaggle/notebook_environment.md"),
    ("Gate 2 pass but Gate 3 fail", "knowledge/evaluation/quality_gates.md"),
    ("max_depth min_child_weight overfitting", "knowledge/evaluation/overfitting_lessons.md"),
    ("ADF KPSS unit root", "knowledge/methodologies/stationarity.md"),
    ("look-ahead leakage publication lag shift", "knowledge/data_sources/publication_lags_and_alignment.md"),
    # Japanese: character bigrams meet the Japanese tags
    ("レジーム検出の手法", "knowledge/methodologies/regime_detection.md"),
    ("ハースト指数", "knowledge/methodologies/persistence_measurement.md"),
    ("過学習の対策", "knowledge/evaluation/overfitting_lessons.md"),
    ("実質金利のデータソース", "knowledge/data_sources/fred_multi_country.md"),
]


@pytest.mark.parametrize(("query", "expected"), TOP_HIT)
def test_the_right_entry_ranks_first(ws, query, expected):
    results = search(ws.root, query)
    assert results, query
    assert results[0]["path"] == expected, [(r["path"], r["score"]) for r in results]
    assert results[0]["score"] > 0
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_result_shape_and_snippet_is_about_the_query(ws):
    results = search(ws.root, "KAGGLE_API_TOKEN", limit=2)
    assert len(results) <= 2
    first = results[0]
    assert set(first) >= {"path", "question", "score", "snippet", "tags", "updated"}
    assert "KAGGLE_API_TOKEN" in first["snippet"]
    assert len(first["snippet"]) <= 242


def test_unrelated_query_returns_nothing(ws):
    assert search(ws.root, "quokka sourdough") == []


def test_full_width_and_case_are_normalised():
    assert tokenize("ＨＭＭ Regimes") == tokenize("hmm regime")
    assert tokenize("変化点検出") == ["変化", "化点", "点検", "検出"]


@pytest.mark.parametrize(("query", "limit"), [("", 5), ("   ", 5), ("hmm", 0), ("hmm", 51)])
def test_bad_input_is_a_clear_error(ws, query, limit):
    with pytest.raises(KnowledgeError) as err:
        search(ws.root, query, limit=limit)
    assert err.value.message


def test_a_broken_entry_is_reported_and_the_rest_still_searchable(ws):
    broken = ws.root / "knowledge" / "general" / "broken.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("---\nquestion: [unclosed\n---\nbody\n", encoding="utf-8")
    plain = ws.root / "knowledge" / "general" / "plain.md"
    plain.write_text("# Why is the quokka so happy?\n\nNobody knows about quokka moods.\n", encoding="utf-8")
    entries, problems = load_entries(ws.root)
    assert any("broken.md" in p and "YAML" in p for p in problems)
    assert "Why is the quokka so happy?" in {e.question for e in entries}
    assert search(ws.root, "quokka")[0]["path"] == "knowledge/general/plain.md"


def test_missing_knowledge_folder_is_an_empty_result(tmp_path):
    assert search(tmp_path, "hmm") == []


def test_an_edited_entry_is_searched_with_its_new_text(ws):
    path = ws.root / "knowledge" / "kaggle" / "api_pitfalls.md"
    assert search(ws.root, "wombat") == []  # parsed and cached now
    path.write_text(path.read_text(encoding="utf-8") + "\nA wombat once pushed a kernel by hand.\n",
                    encoding="utf-8")
    assert search(ws.root, "wombat")[0]["path"] == "knowledge/kaggle/api_pitfalls.md"
