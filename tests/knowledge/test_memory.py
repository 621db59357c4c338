"""memory_add: a dated lesson lands in the Lessons section once; duplicates are reported."""

from __future__ import annotations

import os
import stat
import sys
from datetime import date

import pytest

from goldloop.knowledge import KnowledgeError, memory_add, read_lessons

DAY = date(2026, 3, 4)


def test_lesson_is_appended_dated_under_lessons(ws):
    result = memory_add(ws.root, "  GVZCLS starts in 2008:\n  trim the panel before joining it. ", today=DAY)
    assert result == {"added": True, "path": "MEMORY.md", "lesson": "GVZCLS starts in 2008: trim the panel "
                      "before joining it.", "date": "2026-03-04"}
    text = (ws.root / "MEMORY.md").read_text(encoding="utf-8")
    assert text.endswith("## Lessons\n- 2026-03-04: GVZCLS starts in 2008: trim the panel before joining it.\n")
    last = read_lessons(ws.root)[-1]
    assert (last["section"], last["date"]) == ("Lessons", "2026-03-04")


@pytest.mark.parametrize("again", [
    "GVZCLS starts in 2008: trim the panel before joining it.",
    "gvzcls starts in 2008 — trim the panel before joining it",
    "- 2027-01-01: GVZCLS starts in 2008: trim the panel before joining it",
])
def test_the_same_lesson_is_not_added_twice(ws, again):
    memory_add(ws.root, "GVZCLS starts in 2008: trim the panel before joining it.", today=DAY)
    before = (ws.root / "MEMORY.md").read_text(encoding="utf-8")
    result = memory_add(ws.root, again)
    assert result["added"] is False
    assert result["duplicate_of"]["date"] == "2026-03-04"
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8") == before


def test_a_seeded_lesson_counts_as_recorded(ws):
    result = memory_add(ws.root, "NEVER poll Kaggle status by hand; the background monitor polls, fetches "
                                 "results, updates state.json and commits. Use kaggle_monitor to ask it.")
    assert result["added"] is False and result["duplicate_of"]["section"].startswith("Kaggle workflow")


def test_a_different_lesson_is_added(ws):
    memory_add(ws.root, "GVZCLS starts in 2008: trim the panel before joining it.", today=DAY)
    assert memory_add(ws.root, "OVXCLS starts in 2007: trim the panel before joining it.")["added"]


def test_lessons_section_in_the_middle_keeps_following_sections(tmp_path):
    (tmp_path / "MEMORY.md").write_text("# M\n\n## Lessons\n- 2026-01-01: first one here\n\n## Later\n- keep me\n",
                                        encoding="utf-8")
    memory_add(tmp_path, "second lesson goes here", today=DAY)
    assert (tmp_path / "MEMORY.md").read_text(encoding="utf-8") == (
        "# M\n\n## Lessons\n- 2026-01-01: first one here\n- 2026-03-04: second lesson goes here\n\n"
        "## Later\n- keep me\n")


def test_missing_memory_file_is_created(tmp_path):
    memory_add(tmp_path, "a lesson in a bare folder", today=DAY)
    assert read_lessons(tmp_path) == [{"date": "2026-03-04", "text": "a lesson in a bare folder",
                                       "section": "Lessons", "line": 6}]


@pytest.mark.parametrize(("lesson", "fragment"), [
    ("", "too short"), ("x" * 1001, "limit"), ("use KAGGLE_KEY=0123456789abcdef0123456789abcdef", "credential"),
])
def test_bad_lessons_are_refused(ws, lesson, fragment):
    before = (ws.root / "MEMORY.md").read_text(encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        memory_add(ws.root, lesson)
    assert fragment in str(err.value) and "0123456789abcdef" not in str(err.value)
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8") == before


def test_failed_write_keeps_the_old_file(ws, monkeypatch):
    before = (ws.root / "MEMORY.md").read_text(encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        memory_add(ws.root, "this lesson never lands")
    assert (ws.root / "MEMORY.md").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in ws.root.glob(".MEMORY.md.*")) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_permissions_survive_the_atomic_replace(ws):
    path = ws.root / "MEMORY.md"
    path.chmod(0o664)
    memory_add(ws.root, "permissions stay as they were")
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
