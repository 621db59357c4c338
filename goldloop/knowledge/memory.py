"""MEMORY.md: dated one-line lessons every session reads, appended without duplicates.

Lessons are bullet lines ``- YYYY-MM-DD: text`` grouped under ``## `` headings; new ones go to
the end of the ``## Lessons`` section (created when missing). A lesson already recorded —
same words, or nearly — is not added again; the caller gets the existing line back.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from goldloop.knowledge.add import refuse_secrets, workspace_lock
from goldloop.knowledge.entries import KnowledgeError, root_path, write_text_atomic
from goldloop.knowledge.text import one_line, similarity

MEMORY_FILE = "MEMORY.md"
LESSONS_HEADING = "## Lessons"
DUPLICATE_THRESHOLD = 0.9
MAX_LESSON_CHARS = 1000
_LESSON = re.compile(r"^\s*[-*]\s+(?:(\d{4}-\d{2}-\d{2})\s*[:—–-]\s*)?(.+?)\s*$")
_HEADER = ("# MEMORY.md — lessons carried between sessions\n\n"
           "One lesson per line, `- YYYY-MM-DD: lesson`; add with `goldloop memory add`.\n")


def read_lessons(root: Any) -> list[dict[str, Any]]:
    """Every lesson line: {date, text, section, line} (date is None for undated bullets)."""
    path = root_path(root) / MEMORY_FILE
    if not path.is_file():
        return []
    lessons, section = [], None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        match = _LESSON.match(line)
        if match and section is not None:
            lessons.append({"date": match.group(1), "text": match.group(2), "section": section,
                            "line": number})
    return lessons


def _clean(lesson: str) -> str:
    text = one_line(lesson or "")
    match = _LESSON.match(f"- {text.lstrip('-* ').strip()}")  # a pasted "- 2026-01-01: x" line
    text = match.group(2) if match else text
    if len(text) < 5:
        raise KnowledgeError("the lesson is empty or too short",
                             "write the trap and its fix in one sentence")
    if len(text) > MAX_LESSON_CHARS:
        raise KnowledgeError(f"the lesson is {len(text)} characters long (limit {MAX_LESSON_CHARS})",
                             "keep lessons to one line; put long explanations in knowledge/")
    return text


def _insert(text: str, line: str) -> str:
    lines = text.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == LESSONS_HEADING)
    except StopIteration:
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join([*lines, "", LESSONS_HEADING, line]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    insert_at = end
    while insert_at > start + 1 and not lines[insert_at - 1].strip():
        insert_at -= 1
    spacer = [""] if end < len(lines) and insert_at == end else []
    lines[insert_at:insert_at] = [line, *spacer]
    return "\n".join(lines) + "\n"


def memory_add(root: Any, lesson: str, today: date | None = None) -> dict[str, Any]:
    """Append ``- <today>: <lesson>`` to MEMORY.md unless the lesson is already there."""
    base = root_path(root)
    text = _clean(lesson)
    refuse_secrets(text, "lesson", base)
    path = base / MEMORY_FILE
    with workspace_lock(base, "memory"):
        for existing in read_lessons(base):
            score = similarity(text, existing["text"])
            if score >= DUPLICATE_THRESHOLD:
                return {"added": False, "path": MEMORY_FILE, "lesson": text, "similarity": round(score, 2),
                        "duplicate_of": {k: existing[k] for k in ("date", "text", "section", "line")}}
        current = path.read_text(encoding="utf-8") if path.is_file() else _HEADER
        stamp = (today or date.today()).isoformat()
        write_text_atomic(path, _insert(current, f"- {stamp}: {text}"))
    return {"added": True, "path": MEMORY_FILE, "lesson": text, "date": stamp}
