"""Rank knowledge entries for a query with BM25 (the ``rank-bm25`` package).

Each entry is one document: its question and tags count twice (they say what the entry is
about), then the file name and the body. Okapi BM25 is the standard bag-of-words ranking; on a
corpus of tens to hundreds of short files it is instant and needs no model or index on disk.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from goldloop.knowledge.entries import Entry, KnowledgeError, load_entries
from goldloop.knowledge.text import normalize, one_line, tokenize

QUESTION_WEIGHT = 2
TAG_WEIGHT = 2
SNIPPET_CHARS = 240
MAX_LIMIT = 50


@lru_cache(maxsize=4096)
def _document(entry: Entry) -> tuple[str, ...]:
    # Entries are frozen and cached per file version, so their tokens can be cached too.
    stem = entry.path.rsplit("/", 1)[-1].removesuffix(".md").replace("_", " ")
    return tuple(tokenize(entry.question) * QUESTION_WEIGHT
                 + tokenize(" ".join(entry.tags)) * TAG_WEIGHT
                 + tokenize(stem)
                 + tokenize(entry.body))


def clear_caches() -> None:
    """Forget parsed entries and their tokens (benchmarks measure a cold start with it)."""
    from goldloop.knowledge import entries

    entries._PARSED.clear()
    _document.cache_clear()


def _units(body: str) -> list[str]:
    """Paragraphs and list items of the body, each joined to one line; code blocks skipped."""
    units: list[str] = []
    current: list[str] = []
    in_code = False

    def flush() -> None:
        if current:
            units.append(one_line(" ".join(current)))
            current.clear()

    for raw in body.splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            flush()
            continue
        if in_code or not stripped or stripped.startswith(("#", "|")):
            flush()  # headings and table rows say little on their own
            continue
        if stripped[:2] in {"- ", "* "} or stripped[:3].rstrip(".").isdigit():
            flush()
            stripped = stripped.lstrip("-* ")
        current.append(stripped)
    flush()
    return units


def snippet(body: str, query_tokens: set[str], phrase: str = "") -> str:
    """The paragraph or list item that holds the query phrase or, failing that, the most query
    tokens (ties: the earliest), trimmed to start near the first match."""
    units = _units(body)
    if not units:
        return ""
    phrase = normalize(phrase.strip())
    _, _, _, best = max(((bool(phrase) and phrase in normalize(u)), len(query_tokens & set(tokenize(u))), -i, u)
                        for i, u in enumerate(units))
    if len(best) <= SNIPPET_CHARS:
        return best
    lowered = normalize(best)  # NFKC keeps ASCII offsets; enough to place the window
    at = lowered.find(phrase) if phrase else -1
    if at < 0:
        at = min((lowered.find(tok) for tok in query_tokens if lowered.find(tok) >= 0), default=0)
    start = max(0, at - 60)
    if start:
        start = best.find(" ", start) + 1 or start
    piece = best[start : start + SNIPPET_CHARS - 2].rstrip()
    return ("…" if start else "") + piece + ("…" if start + len(piece) < len(best) else "")


def search(root: Any, query: str, limit: int = 5) -> list[dict[str, Any]]:
    """Entries ranked for ``query``, best first: path, question, score, snippet, tags, updated.

    Only entries sharing at least one term with the query are returned (an empty list means
    nothing in the knowledge base is about it yet).
    """
    if not isinstance(query, str) or not query.strip():
        raise KnowledgeError("the search query is empty", "pass a few keywords, e.g. 'hmm regimes vix'")
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise KnowledgeError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    query_tokens = tokenize(query) or tokenize(query, keep_stopwords=True)
    entries, _problems = load_entries(root)
    if not entries or not query_tokens:
        return []
    from rank_bm25 import BM25Okapi

    documents = [_document(e) for e in entries]
    scores = BM25Okapi([list(d) for d in documents]).get_scores(query_tokens)
    wanted = set(query_tokens)
    ranked = sorted(
        ((float(s), i) for i, s in enumerate(scores) if wanted & set(documents[i])),
        key=lambda pair: (-pair[0], entries[pair[1]].path),
    )
    return [
        {
            "path": entries[i].path,
            "question": entries[i].question,
            "score": round(score, 3),
            "snippet": snippet(entries[i].body, wanted, query),
            "tags": list(entries[i].tags),
            "updated": entries[i].updated,
        }
        for score, i in ranked[: int(limit)]
    ]
