"""Add a knowledge entry — unless the question is already answered.

The researcher adds what it learned; a question that is nearly the same as an existing one is
refused with a pointer to that entry, so knowledge grows by extending entries rather than by
piling up near-identical reports (what happened in the original project before the base).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from goldloop.knowledge.entries import (
    KNOWLEDGE_DIR,
    KnowledgeError,
    load_entries,
    render_entry,
    root_path,
    write_text_atomic,
)
from goldloop.knowledge.text import containment, normalize, one_line, similarity

DUPLICATE_THRESHOLD = 0.8
CONTAINMENT_THRESHOLD = 0.9
DEFAULT_CATEGORY = "general"
_CATEGORY = re.compile(r"^[a-z0-9_]{1,40}(/[a-z0-9_]{1,40})?$")
LOCK_TIMEOUT_S = 30.0


@contextmanager
def workspace_lock(root: Path, name: str) -> Iterator[None]:
    """One writer at a time for check-then-write (two agents adding the same thing at once)."""
    from filelock import FileLock, Timeout

    lock_dir = root / ".goldloop"  # git-ignored, machine-local
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_dir / f"{name}.lock"), timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except Timeout:
        raise KnowledgeError(f"{name} is locked by another goldloop process for over {LOCK_TIMEOUT_S:.0f} s",
                             "wait for it to finish and try again") from None
    try:
        yield
    finally:
        lock.release()


def refuse_secrets(text: str, what: str, root: Any = None) -> None:
    """Knowledge and MEMORY.md are committed and injected into every session: no keys."""
    from goldloop.redaction import secret_values
    from goldloop.secrets import find_secrets

    hits = find_secrets(text, secret_values(root))
    if hits:
        raise KnowledgeError(
            f"the {what} looks like it contains a credential ({hits[0].kind}, line {hits[0].line})",
            "remove the key or token; knowledge and MEMORY.md are committed to git",
        )


def _clean_list(values: list[str] | tuple[str, ...] | None, name: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values or []:
        item = one_line(str(value))
        if item and normalize(item) not in {normalize(v) for v in out}:
            out.append(item)
    if not out:
        raise KnowledgeError(f"at least one {name[:-1]} is required",
                             "tags make the entry findable; sources let the architect fact-check it"
                             if name == "sources" else "add a few keywords as tags, e.g. ['regime', 'hmm']")
    return out


def _slug(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", normalize(question))
    words = [w for w in words if w not in {"a", "an", "the", "of", "for", "to", "and", "in", "on",
                                           "is", "are", "do", "does", "we", "should", "how", "what",
                                           "which", "when", "why"}]
    slug = "_".join(words)[:60].rstrip("_")
    if not slug:  # e.g. a question in Japanese only
        import hashlib

        slug = "entry_" + hashlib.sha1(question.encode("utf-8")).hexdigest()[:8]
    return slug


def duplicate_score(question: str, existing: str) -> float:
    """How surely ``question`` repeats ``existing`` (0 when it does not): near-identical
    wording, or nearly all of the shorter question's words inside the longer one."""
    score = similarity(question, existing)
    if score >= DUPLICATE_THRESHOLD:
        return score
    contained = containment(question, existing)
    return contained if contained >= CONTAINMENT_THRESHOLD else 0.0


def find_duplicate(root: Any, question: str) -> tuple[str, str, float] | None:
    """The existing entry (path, question, score) that already asks ``question``, if any."""
    entries, _ = load_entries(root)
    scored = [(duplicate_score(question, e.question), e) for e in entries]
    score, entry = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return (entry.path, entry.question, score) if entry is not None and score > 0 else None


def add(
    root: Any,
    question: str,
    answer: str,
    tags: list[str],
    sources: list[str],
    category: str = DEFAULT_CATEGORY,
    today: date | None = None,
) -> dict[str, Any]:
    """Write ``knowledge/<category>/<slug>.md`` and return its metadata (with ``path``)."""
    base = root_path(root)
    question = one_line(question or "")
    answer = (answer or "").strip()
    if len(question) < 8:
        raise KnowledgeError("the question is empty or too short",
                             "state the question the entry answers, e.g. 'How many HMM states for VIX?'")
    if len(question) > 400:
        raise KnowledgeError(f"the question is {len(question)} characters long (limit 400)",
                             "keep the question short; put the detail in the answer")
    if not answer:
        raise KnowledgeError("the answer is empty", "write what was learned, with the reasoning")
    category = (category or DEFAULT_CATEGORY).strip().strip("/")
    if not _CATEGORY.match(category):
        raise KnowledgeError(f"category {category!r} is not a folder name like 'methodologies'",
                             "use lower-case letters, digits and underscores (one optional sub-folder)")
    tag_list, source_list = _clean_list(tags, "tags"), _clean_list(sources, "sources")
    refuse_secrets("\n".join([question, answer, *tag_list, *source_list]), "entry", base)

    with workspace_lock(base, "knowledge"):
        duplicate = find_duplicate(base, question)
        if duplicate:
            path, existing, score = duplicate
            raise KnowledgeError(
                f"this question is already answered in {path}: {existing!r} (similarity {score:.2f})",
                f"read {path} and extend that entry (edit it and bump `updated`), "
                "or ask a clearly different question",
                existing=path,
            )
        folder = base / KNOWLEDGE_DIR / category
        stem = _slug(question)
        target = folder / f"{stem}.md"
        n = 2
        while target.exists():
            target, n = folder / f"{stem}_{n}.md", n + 1
        updated = (today or date.today()).isoformat()
        write_text_atomic(target, render_entry(question, answer, tag_list, source_list, updated))
    return {"path": target.relative_to(base).as_posix(), "question": question, "tags": tag_list,
            "sources": source_list, "updated": updated}
