"""Knowledge entries on disk: markdown files with a YAML front matter block.

```
---
question: Which regime-detection method fits which submodel?
tags: [regime, hmm]
sources:
  - https://...
updated: 2026-11-23
---
body (the answer, markdown)
```

Files without front matter still count: the first ``# heading`` (or the file name) is the
question. A file whose front matter does not parse is reported, never silently half-read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldloop.errors import GoldloopError

KNOWLEDGE_DIR = "knowledge"
SKIPPED_FILES = {"README.md", "INDEX.md"}
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class KnowledgeError(GoldloopError):
    """A knowledge entry or MEMORY.md lesson is malformed, duplicated, or cannot be written."""

    def __init__(self, message: str, hint: str | None = None, existing: str | None = None) -> None:
        super().__init__(message, hint)
        self.existing = existing  # the entry that already answers the question, if any


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the workspace root, with forward slashes
    question: str
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    updated: str | None = None
    body: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # unknown front-matter keys

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "question": self.question, "tags": list(self.tags),
                "sources": list(self.sources), "updated": self.updated}


def root_path(root: Any) -> Path:
    """Accept a workspace root as a path, a string, or a ``Workspace``."""
    if isinstance(root, (str, os.PathLike)):  # (a Path's own `.root` is its anchor, "/")
        return Path(root)
    return Path(root.root)


def write_text_atomic(path: Path, text: str) -> None:
    """Atomic replace (the state store's writer), keeping the file's permissions: the temp
    file is created 0600, which would make a shared MEMORY.md private."""
    from goldloop.state.store import atomic_write_text

    mode = path.stat().st_mode & 0o777 if path.exists() else None
    atomic_write_text(path, text)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(path, mode)


def _str_list(value: Any, name: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    raise KnowledgeError(f"{where}: `{name}` must be a list, found {type(value).__name__}",
                         f"write `{name}: [a, b]` or one `  - item` per line")


def parse_entry(text: str, rel: str) -> Entry:
    import yaml

    match = _FRONT.match(text)
    if not match:
        heading = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), None)
        return Entry(rel, heading or Path(rel).stem.replace("_", " "), body=text)
    try:
        # the C loader (libyaml) when present: parsing is most of a search's time
        meta = yaml.load(match.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 2})" if mark else ""
        raise KnowledgeError(f"{rel}: front matter is not valid YAML{where}",
                             "quote values that contain ': ' and check the indentation") from None
    if not isinstance(meta, dict):
        raise KnowledgeError(f"{rel}: front matter must be `key: value` lines",
                             "see docs/knowledge.md for the entry format")
    question = str(meta.pop("question", "") or "").strip()
    if not question:
        raise KnowledgeError(f"{rel}: front matter has no `question`",
                             "add `question: <the question this entry answers>`")
    updated = meta.pop("updated", None)
    return Entry(
        path=rel,
        question=" ".join(question.split()),
        tags=_str_list(meta.pop("tags", None), "tags", rel),
        sources=_str_list(meta.pop("sources", None), "sources", rel),
        updated=str(updated) if updated is not None else None,
        body=text[match.end():],
        extra=meta,
    )


def entry_files(root: Any) -> list[Path]:
    base = root_path(root) / KNOWLEDGE_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.md") if p.name not in SKIPPED_FILES and p.is_file())


# Parsed entries by (file, mtime, size): the MCP server is long-lived and searches often;
# a changed file has a new key, so the cache never serves stale text.
_PARSED: dict[tuple[str, int, int], Entry] = {}
_CACHE_LIMIT = 5000


def _parse_file(path: Path, rel: str) -> Entry:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    entry = _PARSED.get(key)
    if entry is None or entry.path != rel:
        entry = parse_entry(path.read_text(encoding="utf-8"), rel)
        if len(_PARSED) >= _CACHE_LIMIT:
            _PARSED.clear()
        _PARSED[key] = entry
    return entry


def load_entries(root: Any) -> tuple[list[Entry], list[str]]:
    """All readable entries, plus one line per file that could not be read."""
    base = root_path(root)
    entries: list[Entry] = []
    problems: list[str] = []
    for path in entry_files(base):
        rel = path.relative_to(base).as_posix()
        try:
            entries.append(_parse_file(path, rel))
        except UnicodeDecodeError:
            problems.append(f"{rel}: not UTF-8 text")
        except KnowledgeError as exc:
            problems.append(exc.message)
        except FileNotFoundError:  # removed while we listed the folder
            continue
    return entries, problems


def render_entry(question: str, answer: str, tags: list[str], sources: list[str], updated: str) -> str:
    import yaml

    meta = {"question": question, "tags": tags, "sources": sources, "updated": updated}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100_000)
    return f"---\n{front}---\n\n{answer.strip()}\n"
