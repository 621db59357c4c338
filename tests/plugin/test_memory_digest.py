"""MEMORY.md digest: seeded rules whole, newest learned lessons first, a count of the rest."""

from __future__ import annotations

from goldloop.hooks.memory_digest import digest

SEEDED = "# MEMORY.md\n\n## Kaggle workflow rules (MUST FOLLOW)\n- 2026-11-23: NEVER push a kernel directly.\n"


def _memory(n: int, tail: str = "") -> str:
    lessons = "".join(f"- 2026-11-{n % 28 + 1:02d}: lesson {i:02d} " + "x" * 80 + "\n" for i in range(n))
    return SEEDED + "\n## Lessons\n" + lessons + tail


def test_everything_fits_unchanged():
    text = _memory(3)
    assert digest(text, 10_000) == text.strip()


def test_the_newest_lessons_are_kept_and_the_rest_counted():
    out = digest(_memory(40), 2000)
    assert "NEVER push a kernel directly" in out
    assert "lesson 39" in out and "lesson 00" not in out
    kept = sum(f"lesson {i:02d}" in out for i in range(40))
    assert f"({40 - kept} older learned lesson(s) left out" in out
    assert len(out) <= 2000 + 120  # the note is the only overrun
    order = [out.index(f"lesson {i:02d}") for i in range(40 - kept, 40)]
    assert order == sorted(order)  # still oldest → newest


def test_sections_after_the_lessons_stay_and_oversized_seeds_are_cut():
    out = digest(_memory(40, "\n## Retired\n- 2026-11-01: an old rule\n"), 1500)
    assert "## Retired" in out and "an old rule" in out
    cut = digest(SEEDED * 50, 300)
    assert cut.endswith("read MEMORY.md for the rest)") and len(cut) < 400
