"""Why did a kernel run fail? Classify a Kaggle kernel log into an error class and a route.

The patterns are a data table (``error_patterns.toml``); the routes come from
``goldloop.routes``. Logs are read as a stream in blocks, so a 50 MB log never sits in memory
at once. Kaggle's log is a JSON array of ``{"stream_name", "time", "data"}`` entries; plain
text logs work too.

Precedence (what "the error that ended the run" means here):
1. a ``failure_message`` from Kaggle's status that matches a pattern (authoritative);
2. the last *fatal* line (``Killed``, a time limit): the process was ended from outside;
3. the first *error* of a known class (the root cause; later errors are its cascade), else
   the first IPython traceback *header* of a known class (a log cut before the message line);
4. the first generic exception (``unknown``), then a cascade-only error (``NameError``);
5. otherwise ``none``: warnings alone never make a failure.
A *progress* line (an epoch, an Optuna trial) clears every error before it: the process kept
working, so those errors were handled and did not end the run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any

PATTERNS_FILE = Path(__file__).with_name("error_patterns.toml")
KINDS = ("fatal", "error", "header", "cascade", "warning", "progress")
CHUNK_CHARS = 1 << 20  # characters read per block; bounds memory together with MAX_LINE_CHARS
MAX_LINE_CHARS = 1 << 20  # a "line" longer than this is cut (a log with no newlines at all)
MAX_JSON_ENTRY_CHARS = 8 << 20  # one JSON entry larger than this: treat the rest as plain text
EVIDENCE_CHARS = 500
TAIL_CHARS = 12_000  # end of the log kept for the LLM fallback
CONTEXT_CHARS = 4_000  # text kept before a generic exception line (its traceback)

_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# What launchers put before a log line (stripped, repeatedly, before matching, so anchored rows
# still see the message): torchrun/accelerate rank tags "[rank0]:" / "[default0]:", Kaggle's
# log table "7369.2s  59  " (elapsed | line number | text), ISO timestamps with an optional level.
_PREFIX_RE = re.compile(
    r"^(?:\[(?:rank|default)\d+\]:\s?"
    r"|\d+(?:\.\d+)?s\s*(?:\||\t|\s{2,})\s*\d+\s*(?:\||\t|\s{2,})\s?"
    r"|\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?"
    r"(?:\s*[-|]?\s*(?:INFO|WARNING|WARN|ERROR|CRITICAL|DEBUG)\b\s*[-|:]?)?\s*)+"
)
# Kaggle run states (any spelling the API or the CLI prints) -> did the run fail?
_FAILED_STATES = {"error": True, "failed": True, "failure": True, "cancelled": True,
                  "canceled": True, "cancelacknowledged": True, "cancelrequested": True,
                  "complete": False, "completed": False, "success": False}
_JSON_SKIP_RE = re.compile(r"[\s,\[\]]*")


@dataclass(frozen=True)
class Classification:
    error_type: str
    route: dict[str, Any]
    evidence: str
    terminal: bool  # True: the evidence ended the run; False: the run succeeded
    source: str = "patterns"  # patterns | kaggle_status | push | llm
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"error_type": self.error_type, "route": dict(self.route), "evidence": self.evidence,
                "terminal": self.terminal, "source": self.source, "details": dict(self.details)}


@dataclass(frozen=True)
class Pattern:
    id: str
    error_class: str
    kind: str
    priority: int
    regex: re.Pattern[str]
    example: str
    needs: tuple[str, ...]  # literals one of which any matching line contains


@dataclass(frozen=True)
class PatternTable:
    patterns: tuple[Pattern, ...]
    prefilter: re.Pattern[str]  # every row's `needs` as one trie regex: candidate lines, fast
    push_rules: tuple[dict[str, Any], ...]
    rows_by_literal: dict[str, tuple[int, ...]]  # a prefilter literal -> rows it can start
    literal_finder: re.Pattern[str]  # the prefilter as a lookahead: overlapping literals too


@cache
def load_table(path: Path = PATTERNS_FILE) -> PatternTable:
    """Read and check the pattern table (cached). A bad row is a packaging bug: ValueError."""
    import tomllib

    from goldloop.routes import ERROR_ROUTES

    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    rows, seen = [], set()
    for row in raw.get("pattern", []):
        pid = row.get("id", "?")
        if pid in seen:
            raise ValueError(f"{path.name}: duplicate pattern id {pid!r}")
        seen.add(pid)
        if row.get("class") not in ERROR_ROUTES:
            raise ValueError(f"{path.name}: pattern {pid!r} has class {row.get('class')!r}, not in goldloop.routes")
        if row.get("kind") not in KINDS:
            raise ValueError(f"{path.name}: pattern {pid!r} has kind {row.get('kind')!r}; use one of {KINDS}")
        try:
            regex = re.compile(row["regex"], re.M)
        except (KeyError, re.error) as exc:
            raise ValueError(f"{path.name}: pattern {pid!r} has a bad regex: {exc}") from exc
        needs = tuple(row.get("needs") or ())
        if not needs or not all(isinstance(k, str) and k for k in needs):
            raise ValueError(f"{path.name}: pattern {pid!r} needs a non-empty `needs` list of literals")
        rows.append(Pattern(pid, row["class"], row["kind"], int(row.get("priority", 0)), regex,
                            row.get("example", ""), needs))
    literals = _minimal_literals({k for p in rows for k in p.needs})
    prefilter = re.compile(_trie_regex(literals))
    push = tuple(raw.get("push", []))
    for rule in push:
        if rule.get("class") not in ERROR_ROUTES:
            raise ValueError(f"{path.name}: push rule {rule} has a class not in goldloop.routes")
    rows_by_literal = {lit: tuple(i for i, p in enumerate(rows) if any(lit in need for need in p.needs))
                       for lit in literals}
    finder = re.compile(f"(?=({prefilter.pattern}))")
    return PatternTable(tuple(rows), prefilter, push, rows_by_literal, finder)


@lru_cache(maxsize=8192)  # logs repeat the same warning line thousands of times
def match_line(line: str) -> Pattern | None:
    """The row that decides one line: the highest priority among the rows that match it."""
    table = load_table()
    candidates: set[int] = set()
    for literal in set(table.literal_finder.findall(line)):
        candidates.update(table.rows_by_literal[literal])
    best: Pattern | None = None
    for index in sorted(candidates):  # table order breaks priority ties
        pattern = table.patterns[index]
        if (best is None or pattern.priority > best.priority) and pattern.regex.search(line):
            best = pattern
    return best


def _minimal_literals(words: set[str]) -> set[str]:
    """Drop every literal that contains another one: the shorter already finds its lines."""
    return {w for w in words if not any(o != w and o in w for o in words)}


def _trie_regex(words: set[str]) -> str:
    """One regex for a set of literals, factored by common prefixes: Python's ``re`` tries
    alternatives one by one at each position, so ``E(?:rror|xception)`` beats ``Error|Exception``.
    No literal may be a prefix of another (``findall`` must return whole literals)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def route_dict(error_type: str) -> dict[str, Any]:
    from goldloop.routes import route_for

    route = route_for(error_type)
    out: dict[str, Any] = {"agent": route.agent, "instruction": route.instruction,
                           "auto_resubmit": route.auto_resubmit}
    if getattr(route, "agent_if_source_missing", None):
        out["agent_if_source_missing"] = route.agent_if_source_missing
    return out


@dataclass
class _Event:
    pattern: Pattern
    line: str
    offset: int  # characters into the decoded log text
    context: str = ""


class LogScanner:
    """Feed decoded log text in blocks of any size; ``result()`` gives the classification.

    Memory is bounded: only a partial last line, the end of the log and a handful of events
    are kept, however long the log is.
    """

    def __init__(self) -> None:
        self._table = load_table()
        self._carry = ""
        self._offset = 0  # characters of text already scanned
        self._tail = ""
        self._last_line = ""
        self._reset_failures()
        self.warnings: dict[str, int] = {}
        self._first_warning: dict[str, _Event] = {}
        self.progress_lines = 0
        self.lines_matched = 0

    def _reset_failures(self) -> None:
        self._last_fatal: _Event | None = None
        self._first_error: _Event | None = None
        self._header: _Event | None = None
        self._generic: _Event | None = None
        self._cascade: _Event | None = None

    def feed(self, text: str) -> None:
        if not text:
            return
        buf = self._carry + text
        if "\r" in buf:  # progress bars redraw with \r: each redraw is a line of its own
            buf = buf.replace("\r\n", "\n").replace("\r", "\n")
        cut = buf.rfind("\n")
        if cut < 0:
            if len(buf) <= MAX_LINE_CHARS:
                self._carry = buf
                return
            cut = len(buf) - 1  # no newline in a megabyte: scan it as one line
        self._carry = buf[cut + 1:]
        self._scan(buf[: cut + 1])

    def close(self) -> None:
        if self._carry:
            carry, self._carry = self._carry, ""
            self._scan(carry + "\n")

    def _scan(self, block: str) -> None:
        if "\x1b" in block:
            block = _ANSI_RE.sub("", block)
        search = self._table.prefilter.search
        pos, size = 0, len(block)
        while pos < size:
            m = search(block, pos)
            if m is None:
                break
            start = block.rfind("\n", 0, m.start()) + 1
            end = block.find("\n", m.end())
            end = size if end < 0 else end
            line = block[start:end].strip()
            if line and line[0] in "[0123456789":
                line = _PREFIX_RE.sub("", line, count=1).strip()
            pattern = match_line(line) if line else None
            if pattern is not None:
                self._event(_Event(pattern, line[:EVIDENCE_CHARS], self._offset + start), block, start)
            pos = end + 1
        stripped = block.rstrip()
        if stripped:
            self._last_line = stripped[stripped.rfind("\n") + 1:][:EVIDENCE_CHARS]
        self._tail = (self._tail + block[-TAIL_CHARS:])[-TAIL_CHARS:]
        self._offset += size

    def _event(self, ev: _Event, block: str, start: int) -> None:
        self.lines_matched += 1
        kind = ev.pattern.kind
        if kind == "progress":
            self.progress_lines += 1
            self._reset_failures()  # the run went on: earlier errors were handled
        elif kind == "warning":
            cls = ev.pattern.error_class
            self.warnings[cls] = self.warnings.get(cls, 0) + 1
            self._first_warning.setdefault(cls, ev)
        elif kind == "fatal":
            self._last_fatal = ev
        elif kind == "cascade":
            self._cascade = self._cascade or ev
        elif kind == "header":
            self._header = self._header or ev
        elif ev.pattern.error_class != "unknown":
            self._first_error = self._first_error or ev
        elif self._generic is None or ev.pattern.priority > self._generic.pattern.priority:
            ev.context = (self._tail + block[:start])[-CONTEXT_CHARS:] + ev.line
            self._generic = ev

    def result(self, *, failure_message: str | None = None, failed: bool | None = None) -> Classification:
        """The classification of everything fed so far (call ``close()`` first)."""
        details: dict[str, Any] = {"warnings": dict(self.warnings)} if self.warnings else {}
        if failure_message:
            pattern = match_line(failure_message.strip())
            if pattern is not None and pattern.kind in ("fatal", "error") and pattern.error_class != "unknown":
                return _make(pattern.error_class, failure_message.strip(), True, "kaggle_status",
                             {**details, "pattern": pattern.id, "failure_message": failure_message.strip()})
        for ev in (self._last_fatal, self._first_error, self._header, self._generic, self._cascade):
            if ev is not None:
                extra = {"pattern": ev.pattern.id, "offset": ev.offset, **_extract(ev)}
                if ev.context:
                    extra["context"] = ev.context
                return _make(ev.pattern.error_class, ev.line, True, "patterns", {**details, **extra})
        if failed or failure_message:
            evidence = (failure_message or "").strip() or self._last_line
            return _make("unknown", evidence, True, "patterns",
                         {**details, "reason": "the run failed but the log shows no recognised error",
                          "context": self._tail})
        warning = max(self._first_warning.values(), key=lambda e: e.pattern.priority, default=None)
        return _make("none", warning.line if warning else "", False, "patterns", details)

    @property
    def tail(self) -> str:
        return self._tail


def _make(error_type: str, evidence: str, terminal: bool, source: str, details: dict[str, Any]) -> Classification:
    return Classification(error_type, route_dict(error_type), evidence, terminal, source, details)


_MISSING_PATH_RE = re.compile(r"""['"]((?:[A-Za-z]:)?[/\\][^'"]+|[^'"\s]+\.(?:csv|parquet|json|pkl|npy|feather|txt))['"]""")
_KAGGLE_INPUT_RE = re.compile(r"[/\\]input[/\\](?:datasets[/\\]([^/\\]+)[/\\])?([^/\\]+)")
_MODULE_RE = re.compile(r"No module named '([\w.]+)'")


def _extract(ev: _Event) -> dict[str, str]:
    """Facts the next agent needs: the missing file and dataset, or the missing module."""
    out: dict[str, str] = {}
    if ev.pattern.error_class == "dataset_missing":
        m = _MISSING_PATH_RE.search(ev.line)
        if m:
            out["missing_path"] = m.group(1)
            src = _KAGGLE_INPUT_RE.search(m.group(1))
            if src:
                out["dataset_slug"] = src.group(2)
                if src.group(1):
                    out["dataset_owner"] = src.group(1)
    elif ev.pattern.error_class == "module_not_found":
        m = _MODULE_RE.search(ev.line)
        if m:
            out["module"] = m.group(1)
    return out


# ---------------------------------------------------------------- reading logs

def iter_log_text(fh: IO[str], chunk_chars: int = CHUNK_CHARS):
    """Decoded log text in blocks of about ``chunk_chars``: Kaggle JSON logs are unpacked
    entry by entry (JSON array or JSON lines); anything else passes through as plain text."""
    first = fh.read(chunk_chars)
    head = first.lstrip()
    if not head.startswith(("[", "{")):
        yield first
        while block := fh.read(chunk_chars):
            yield block
        return
    yield from _iter_json_entries(fh, first, chunk_chars)


def _iter_json_entries(fh: IO[str], buf: str, chunk_chars: int):
    decode = json.JSONDecoder().raw_decode
    skip = _JSON_SKIP_RE.match
    pieces: list[str] = []
    pending = 0
    stream = None
    pos = 0
    parsed_any = False
    while True:
        pos = skip(buf, pos).end()
        if pos >= len(buf):
            more = fh.read(chunk_chars)
            if not more:
                break
            buf, pos = more, 0
            continue
        try:
            obj, end = decode(buf, pos)
        except json.JSONDecodeError as exc:
            # A block can end inside an entry (a number, a \uXXXX escape, a long string): read
            # on. An error well before the end, with the entry complete, is not Kaggle's JSON.
            incomplete = exc.pos >= len(buf) - 64 or exc.msg.startswith("Unterminated string")
            more = fh.read(max(chunk_chars, len(buf) - pos)) if incomplete else ""
            if more and len(buf) - pos <= MAX_JSON_ENTRY_CHARS:
                buf, pos = buf[pos:] + more, 0
                continue
            # Not Kaggle's JSON after all (a text log starting with "[I ...]"), or broken JSON:
            # the rest is plain text. Before any entry parsed, that is the whole buffer.
            pieces.append(buf + more if not parsed_any else "\n" + buf[pos:] + more)
            yield "".join(pieces)
            while block := fh.read(chunk_chars):
                yield block
            return
        if isinstance(obj, dict):
            data = obj.get("data")
            text = data if isinstance(data, str) else ("" if data is None else json.dumps(data))
            name = obj.get("stream_name")
            if name != stream and pieces and not pieces[-1].endswith(("\n", "\r")):
                pieces.append("\n")  # stdout and stderr interleave: never glue their lines
            stream = name
        else:  # a bare value in the array: keep its text
            text = obj if isinstance(obj, str) else json.dumps(obj)
        parsed_any = True
        pieces.append(text)
        pending += len(text)
        pos = end
        if pending >= chunk_chars:
            yield "".join(pieces)
            pieces, pending = [], 0
            buf, pos = buf[pos:], 0
    if pieces:
        yield "".join(pieces)


# ---------------------------------------------------------------- public API

def scan_log(source: str | Path, *, chunk_chars: int = CHUNK_CHARS) -> LogScanner:
    """Stream a log file through a scanner (for callers that want the warnings or the tail)."""
    from goldloop.errors import GoldloopError

    path = Path(source)
    if not path.is_file():
        raise GoldloopError(f"Log file not found: {path}",
                            hint="Pass the kernel log (<slug>.log from `goldloop kaggle fetch`, or a .txt/.json log).")
    scanner = LogScanner()
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        for block in iter_log_text(fh, chunk_chars):
            scanner.feed(block)
    scanner.close()
    return scanner


def run_failed(status: str | None) -> bool | None:
    """True/False for a Kaggle run state (``error``, ``KernelWorkerStatus.COMPLETE``…), None
    when no state is given. An unknown state is refused: guessing could class a failure as none."""
    if status is None or not str(status).strip():
        return None
    key = str(status).strip().rsplit(".", 1)[-1].replace("_", "").lower()
    if key not in _FAILED_STATES:
        from goldloop.errors import GoldloopError

        raise GoldloopError(f"unknown run status {status!r}",
                            hint="use the state Kaggle reported: error, complete or cancelled")
    return _FAILED_STATES[key]


def classify_log(source: str | Path, *, status: str | None = None, failure_message: str | None = None,
                 failed: bool | None = None, llm: bool = False,
                 chunk_chars: int = CHUNK_CHARS) -> Classification:
    """Classify a log file (.log/.json/.txt), streamed.

    ``status``: the run state the caller knows (``error``, ``complete``, ``cancelled``); a run
    that did not complete is never classed ``none`` (``unknown`` at worst). ``failure_message``:
    Kaggle's status failure message, if any (authoritative when it names a class). ``failed``:
    the same as ``status="error"``. ``llm``: for ``unknown``, ask Claude when ANTHROPIC_API_KEY is set.
    """
    failed = _merge_failed(status, failed)
    scanner = scan_log(source, chunk_chars=chunk_chars)
    return _finish(scanner, failure_message, failed, llm)


def classify_text(text: str, *, status: str | None = None, failure_message: str | None = None,
                  failed: bool | None = None, llm: bool = False) -> Classification:
    """Classify log text already in memory (Kaggle JSON or plain)."""
    import io

    failed = _merge_failed(status, failed)
    scanner = LogScanner()
    for block in iter_log_text(io.StringIO(text)):
        scanner.feed(block)
    scanner.close()
    return _finish(scanner, failure_message, failed, llm)


def _merge_failed(status: str | None, failed: bool | None) -> bool | None:
    from_status = run_failed(status)
    return failed if from_status is None else (from_status or bool(failed))


def _finish(scanner: LogScanner, failure_message: str | None, failed: bool | None, llm: bool) -> Classification:
    result = scanner.result(failure_message=failure_message, failed=failed)
    if llm and result.error_type == "unknown":
        from goldloop.kaggle.llm_classify import refine_unknown

        result = refine_unknown(result, scanner.tail)
    return result


def classify_push_error(status_code: int, body: str) -> Classification:
    """Classify the Kaggle API's answer to a push (401/403 auth, 409 conflict, 429/5xx transient)."""
    message = _body_message(body)
    evidence = f"HTTP {status_code}: {message}"[:EVIDENCE_CHARS]
    code = str(status_code)
    for rule in load_table().push_rules:
        wanted = str(rule.get("status", ""))
        if wanted != code and not (wanted.endswith("xx") and code[:1] == wanted[:1] and len(code) == 3):
            continue
        if rule.get("body_regex") and not re.search(rule["body_regex"], message):
            continue
        return _make(rule["class"], evidence, True, "push", {"status_code": status_code})
    best = None
    for line in message.splitlines():
        pattern = match_line(line.strip())
        if pattern and pattern.kind in ("fatal", "error") and (best is None or pattern.priority > best.priority):
            best = pattern
    error_type = best.error_class if best else "unknown"
    return _make(error_type, evidence, True, "push", {"status_code": status_code})


def _body_message(body: str) -> str:
    """The human part of an API error body: Kaggle answers JSON ({"message"}, {"errors": [...]})."""
    text = (body or "").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:2000]
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("message", "error", "detail", "reason") if data.get(k)]
        errors = data.get("errors")
        if isinstance(errors, list):
            parts += [e if isinstance(e, str) else json.dumps(e) for e in errors]
        if parts:
            return " ".join(parts)[:2000]
    return text[:2000]
