"""MEMORY.md within a character budget: every seeded rule, then the newest learned lessons.

``memory add`` appends learned lessons at the end of the ``## Lessons`` section, so cutting
the file's tail (as SessionStart once did) dropped exactly the newest ones. Here everything
outside that section (the header and the seeded rule sections) is kept whole, and learned
lessons are taken newest first until the budget is spent; the digest says how many older
lessons were left out. Standard library only: SubagentStart runs it in any python3.
"""

from __future__ import annotations

LESSONS_HEADING = "## Lessons"  # as in goldloop.knowledge.memory


def digest(text: str, budget: int, source: str = "MEMORY.md") -> str:
    lines = text.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == LESSONS_HEADING), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    before, learned, after = lines[: start + 1], lines[start + 1 : end], lines[end:]
    learned = [line for line in learned if line.strip()]
    seeded = "\n".join(before + after)
    if len(seeded) > budget:  # the seeded rules alone overflow: keep their beginning
        return seeded[:budget] + f"\n… (cut at {budget} characters; read {source} for the rest)"
    room = budget - len(seeded)
    kept: list[str] = []
    for line in reversed(learned):
        if len(line) + 1 > room:
            break
        kept.insert(0, line)
        room -= len(line) + 1
    left_out = len(learned) - len(kept)
    note = ([f"({left_out} older learned lesson(s) left out for space; read {source} for all of them)"]
            if left_out else [])
    return "\n".join(before + note + kept + ([""] + after if after else []))
