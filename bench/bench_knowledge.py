"""Knowledge-base figures, each against a baseline measured in the same run:

- BM25 search over the shipped entries, and over a 500-entry base (the shipped ones copied
  under varied names) cold (caches emptied, like a fresh CLI call) and warm (the long-lived MCP
  server re-uses parsed entries and their tokens), against a naive scan that reads every file and counts the query's
  words (what an agent's grep amounts to; it ranks worse but is the floor for "read it all");
- ``add`` of a new entry (parse every entry + duplicate check + locked atomic write) against
  a plain ``write_text`` of the same file;
- ``memory_add`` (read, de-duplicate, locked atomic replace) against a plain append.
- ranking quality: share of the labelled queries whose expected entry ranks first, against
  the naive scan.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.common import median_seconds, report

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    ("how many regimes should an HMM use", "methodologies/regime_detection.md"),
    ("Hurst exponent DFA window", "methodologies/persistence_measurement.md"),
    ("TIPS yields for G10 countries on FRED", "data_sources/fred_multi_country.md"),
    ("rolling correlation window length", "financial_concepts/window_lengths.md"),
    ("409 Conflict kernel still running", "kaggle/api_pitfalls.md"),
    ("dataset mount path", "kaggle/notebook_environment.md"),
    ("Gate 2 pass but Gate 3 fail", "evaluation/quality_gates.md"),
    ("when to stop the meta-model", "evaluation/when_to_stop.md"),
    ("レジーム検出の手法", "methodologies/regime_detection.md"),
    ("過学習の対策", "evaluation/overfitting_lessons.md"),
    ("HMM VIX states", "methodologies/regime_detection.md"),
    ("real rate series", "data_sources/fred_multi_country.md"),
    ("kaggle secrets notebook", "kaggle/api_pitfalls.md"),
    ("yfinance empty dataframe", "data_sources/gold_price_and_market_data.md"),
    ("shift features by one day", "data_sources/publication_lags_and_alignment.md"),
    ("mean reversion half-life", "methodologies/persistence_measurement.md"),
    ("MAE target waived", "evaluation/when_to_stop.md"),
    ("unit root test", "methodologies/stationarity.md"),
    ("ドル指数", "data_sources/fred_multi_country.md"),
    ("未来リーク", "data_sources/publication_lags_and_alignment.md"),
]


def _cold(fn):
    """Run ``fn`` with the per-process parse and token caches emptied (a fresh CLI call)."""
    from goldloop.knowledge.search import clear_caches

    def run():
        clear_caches()
        return fn()

    return run


def naive_scan(root: Path, query: str, limit: int = 5) -> list[str]:
    from goldloop.knowledge.text import tokenize

    words = set(tokenize(query))
    scored = []
    for path in sorted((root / "knowledge").rglob("*.md")):
        tokens = tokenize(path.read_text(encoding="utf-8"))
        scored.append((sum(tokens.count(w) for w in words), path.relative_to(root).as_posix()))
    return [p for s, p in sorted(scored, reverse=True)[:limit] if s > 0]


def _big_base(root: Path, copies: int) -> None:
    shutil.copytree(REPO / "knowledge", root / "knowledge")
    sources = sorted((REPO / "knowledge").rglob("*.md"))
    for i in range(copies):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8").replace("question: ", f"question: Variant {i} of ", 1)
        target = root / "knowledge" / "bulk" / f"entry_{i:04d}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def main() -> None:
    from goldloop.knowledge import add, load_entries, memory_add, search

    query = "how many regimes should an HMM use"
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "small", Path(tmp) / "big"
        shutil.copytree(REPO / "knowledge", small / "knowledge")
        shutil.copy(REPO / "MEMORY.md", small / "MEMORY.md")
        _big_base(big, 500 - len(list((REPO / "knowledge").rglob("*.md"))) + 1)
        n_small, n_big = len(load_entries(small)[0]), len(load_entries(big)[0])

        report(f"search, {n_small} shipped entries, cold", median_seconds(_cold(lambda: search(small, query)), 9) * 1e3,
               "ms",
               "naive read+count scan", median_seconds(lambda: naive_scan(small, query), 9) * 1e3, target="< 50 ms")
        naive_big = median_seconds(lambda: naive_scan(big, query), 5) * 1e3
        report(f"search, {n_big} entries, cold (fresh process)", median_seconds(_cold(lambda: search(big, query)), 5)
               * 1e3, "ms", "naive read+count scan", naive_big, target="< 1000 ms")
        report(f"search, {n_big} entries, warm (MCP server)", median_seconds(lambda: search(big, query), 5) * 1e3,
               "ms", "naive read+count scan", naive_big, target="< 300 ms")

        hits_bm25 = sum(search(small, q, 1)[0]["path"] == f"knowledge/{want}" for q, want in QUERIES)
        hits_naive = sum((naive_scan(small, q, 1) or [""])[0] == f"knowledge/{want}" for q, want in QUERIES)
        report("top-1 accuracy on labelled queries", hits_bm25 / len(QUERIES) * 100, "%",
               "naive read+count scan", hits_naive / len(QUERIES) * 100)

        counter = iter(range(10_000))

        def add_one() -> None:
            i = next(counter)
            add(small, f"Benchmark question number {i} about quokka{i} habits?", "answer", ["t"], ["s"])

        def plain_write() -> None:
            i = next(counter)
            (small / "knowledge" / f"plain_{i}.md").write_text("---\nquestion: q\n---\nanswer\n", encoding="utf-8")

        report(f"add (duplicate check over ~{n_small} entries + locked atomic write)",
               median_seconds(add_one, 7) * 1e3, "ms", "plain write_text", median_seconds(plain_write, 7) * 1e3)

        def memory_one() -> None:
            i = next(counter)
            memory_add(small, f"lesson {i}: quokka{i} walrus{i} different every time")

        def plain_append() -> None:
            with (small / "PLAIN.md").open("a", encoding="utf-8") as handle:
                handle.write("- 2026-01-01: lesson\n")

        report("memory_add (dedup + locked atomic replace)", median_seconds(memory_one, 7) * 1e3, "ms",
               "plain append", median_seconds(plain_append, 7) * 1e3)


if __name__ == "__main__":
    main()
