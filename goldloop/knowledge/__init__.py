"""The Q&A knowledge base (``knowledge/``) and the session memory (``MEMORY.md``).

``search`` ranks entries with BM25, ``add`` writes a new entry unless the question is already
answered, ``memory_add`` appends a dated lesson unless it is already recorded. All act on a
workspace root (the copies that ``goldloop init`` made from the bundle).
"""

from __future__ import annotations

from goldloop.knowledge.add import add
from goldloop.knowledge.entries import Entry, KnowledgeError, load_entries
from goldloop.knowledge.memory import memory_add, read_lessons
from goldloop.knowledge.search import search

__all__ = ["Entry", "KnowledgeError", "add", "load_entries", "memory_add", "read_lessons", "search"]
