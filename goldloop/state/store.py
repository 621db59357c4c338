"""The locked, atomic, validated store for ``shared/state.json``.

Every state change in the product goes through :meth:`StateStore.update`: take the
inter-process lock, read and validate, apply the change, validate again, write a temp file,
fsync, ``os.replace`` — so a reader never sees half a file and a killed writer leaves the
previous version in place. Each write also refreshes one slot of a small ring of backups.

The store is tamper-evident: before each write it records the SHA-256 of the text it is
about to write in ``shared/.state_backups/written.json`` (with the previous one, so a kill
between the two writes is no false alarm). A read that finds other content raises
:class:`StateChangedOutsideError` naming what changed; ``accept`` records the change as an
event, ``recover`` rolls it back. A file equal to the one committed at git ``HEAD`` (a
``git pull`` from another machine) counts as written by a store.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from goldloop.errors import StateChangedOutsideError, StateError
from goldloop.state.invariants import impossibilities
from goldloop.state.migrations import migrate
from goldloop.state.model import Event, State, utcnow
from goldloop.workspace import STATE_RELPATH, Workspace

SCHEMA_FILE = Path(__file__).with_name("state.schema.json")
BACKUP_SLOTS = 10
LOCK_TIMEOUT_S = 30.0
T = TypeVar("T")


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _fast_validator() -> Callable[[Any], Any]:
    # fastjsonschema compiles the schema to Python: ~100x faster than walking it, which
    # matters because state.json (with its history) is validated on every read and write.
    import fastjsonschema

    return fastjsonschema.compile(_schema())


def schema_problems(raw: Any) -> list[str]:
    """Violations of the shipped JSON Schema, as readable lines (empty when valid)."""
    import fastjsonschema

    try:
        _fast_validator()(raw)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    # Slow path, only for invalid input: jsonschema lists every problem with its location.
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(top)'}: {err.message}"
        for err in sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    ]


def _unreadable(exc: BaseException) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def parse_state(text: str, source: str) -> State:
    """Text → State, with an error that names the problem and the way out."""
    hint = "run `goldloop state recover` to restore the newest valid backup or git version"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", hint
        ) from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, 100,000-deep nesting
        raise StateError(f"{source} cannot be read: {_unreadable(exc)}", hint) from None
    if not isinstance(raw, dict):
        raise StateError(f"{source} must hold a JSON object, found {type(raw).__name__}", hint)
    raw = migrate(raw, source)
    problems = schema_problems(raw)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else "")
        raise StateError(f"{source} does not match the state schema: {shown}", hint)
    try:
        state = State.model_validate(raw)
    except ValidationError as exc:
        raise StateError(f"{source} is invalid: {exc.errors()[0]['msg']}", hint) from None
    impossible = impossibilities(state)
    if impossible:
        raise StateError(f"{source} holds an impossible state: {'; '.join(impossible[:3])}", hint)
    return state


def dump_state(state: State) -> str:
    raw = state.model_dump(mode="json")
    problems = schema_problems(raw) or impossibilities(state)
    if problems:  # a bug in our own code or a refused change: never write a bad file
        raise StateError(f"refusing to write an invalid state: {'; '.join(problems[:3])}")
    return json.dumps(raw, indent=2, ensure_ascii=False) + "\n"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe_change(before: str | None, after: str, limit: int = 8) -> str:
    """What differs between two state.json texts, in one line: ``status: 'x' → 'y'; …``."""
    try:
        old, new = json.loads(before) if before else {}, json.loads(after)
    except json.JSONDecodeError:
        return "the file is not valid JSON"
    changes: list[str] = []

    def short(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:57] + "..."

    def walk(a: Any, b: Any, path: str) -> None:
        if a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                if key not in ("history", "updated_at"):
                    walk(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{path}[{i}]")
        else:
            changes.append(f"{path or '(top)'}: {short(a)} → {short(b)}")

    walk(old, new, "")
    if isinstance(old, dict) and isinstance(new, dict):
        before_n, after_n = len(old.get("history") or []), len(new.get("history") or [])
        if before_n != after_n:
            changes.append(f"history: {before_n} → {after_n} events")
        elif old.get("history") != new.get("history"):
            changes.append("history: events rewritten")
    if not changes:
        return "formatting only"
    more = f" (+{len(changes) - limit} more)" if len(changes) > limit else ""
    return "; ".join(changes[:limit]) + more


def atomic_write_text(path: Path, text: str, durable: bool = True) -> None:
    """Write ``text`` so that ``path`` holds either the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        _fault_point()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _replace_quietly(path: Path, text: str) -> None:
    """Atomic like :func:`atomic_write_text`, outside its fault-injection count."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_writes = 0


def _fault_point() -> None:
    """Fault injection for the resume tests: GOLDLOOP_FAULT_KILL_AT_WRITE=N kills this process
    with SIGKILL between writing the temp file and replacing state.json on its N-th write."""
    global _writes
    target = os.environ.get("GOLDLOOP_FAULT_KILL_AT_WRITE")
    if not target:
        return
    _writes += 1
    if _writes == int(target):
        import signal

        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


class StateStore:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.state_path
        self.backups = self.path.parent / ".state_backups"
        self.lock_path = self.path.parent / ".state.lock"
        self.written_path = self.backups / "written.json"
        self._holder: int | None = None  # the thread holding the lock through this store, if any

    # -- reading -------------------------------------------------------------------------
    def _text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise StateError(
                f"{self.path} does not exist",
                "run `goldloop init` to scaffold the workspace, or `goldloop state recover`",
            ) from None
        except UnicodeDecodeError:
            raise StateError(
                f"{self.path} is not UTF-8 text", "run `goldloop state recover`"
            ) from None

    def read(self) -> State:
        """The current state; refuses a file that the store did not write (see the module doc)."""
        text = self._text()
        state = parse_state(text, str(STATE_RELPATH.as_posix()))
        if self.changed_outside(text) is None:
            return state
        if self._holder == threading.get_ident():
            self.check_written(text)  # under our own lock: the mismatch is real
        # Unlocked, two writes by other threads or processes can land between reading the file
        # and reading the write record; look again with writers held off.
        with self.locked():
            text = self._text()
            state = parse_state(text, str(STATE_RELPATH.as_posix()))
            self.check_written(text)
        return state

    def _written(self) -> dict[str, Any]:
        try:
            record = json.loads(self.written_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # a record broken like state.json itself
            return {}
        return record if isinstance(record, dict) else {}

    def changed_outside(self, text: str | None = None) -> str | None:
        """None when ``text`` (default: state.json) is what a store wrote, else what changed."""
        text = self._text() if text is None else text
        record = self._written()
        digest = content_hash(text)
        if not record.get("sha256") or digest in (record.get("sha256"), record.get("previous")):
            return None  # no record (a workspace from before this check, a fresh clone) or ours
        if self._equals_committed(text):
            return None  # a `git pull` / checkout of a version some store wrote and committed
        return describe_change(self._last_written_text(record), text)

    def check_written(self, text: str) -> None:
        change = self.changed_outside(text)
        if change is not None:
            raise StateChangedOutsideError(
                f"{STATE_RELPATH.as_posix()} was changed outside goldloop's state store ({change}); "
                "nothing acts on it until you decide",
                "if the change is right, run `goldloop state accept` (records it as an event); to "
                "undo it, run `goldloop state recover` (restores the last version the store wrote)",
            )

    def _last_written_text(self, record: dict[str, Any]) -> str | None:
        backup = self.backups / str(record.get("backup", ""))
        try:
            text = backup.read_text(encoding="utf-8")
        except OSError:
            return None
        return text if content_hash(text) == record.get("sha256") else None

    def _equals_committed(self, text: str) -> bool:
        done = subprocess.run(
            ["git", "show", f"HEAD:./{STATE_RELPATH.as_posix()}"], cwd=self.workspace.root,
            capture_output=True, encoding="utf-8", errors="replace",
        )
        return done.returncode == 0 and done.stdout == text

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except Timeout:
            raise StateError(
                f"state is locked by another goldloop process for over {LOCK_TIMEOUT_S:.0f} s",
                "wait for it to finish (a lock held by a dead process is released by the OS)",
            ) from None
        self._holder = threading.get_ident()
        try:
            yield
        finally:
            self._holder = None
            lock.release()

    def update(self, change: Callable[[State], T]) -> tuple[State, T]:
        """Apply ``change`` under the lock and persist; returns the new state and its result."""
        with self.locked():
            state = self.read()
            result = change(state)
            state.updated_at = utcnow()
            self._write(state)
            return state, result

    def initialize(self, project: str) -> State:
        with self.locked():
            if self.path.exists():
                raise StateError(f"{self.path} exists already", "use `goldloop state show`")
            state = State(project=project)
            self._write(state)
            return state

    def _write(self, state: State) -> None:
        text = dump_state(state)
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # under the lock: only a killed writer leaves these
        slot = f"state.{len(state.history) % BACKUP_SLOTS}.json"
        self._record_written(text, slot)
        atomic_write_text(self.path, text)
        # The ring holds the last BACKUP_SLOTS valid versions, the newest equal to state.json,
        # so a state.json broken by hand recovers to exactly what was last written.
        atomic_write_text(self.backups / slot, text, durable=False)

    def _record_written(self, text: str, slot: str) -> None:
        """Before state.json is replaced: its coming hash, and the one it replaces (a kill
        between the two writes leaves the old file, which must still read as ours)."""
        self.backups.mkdir(parents=True, exist_ok=True)
        record = {"sha256": content_hash(text), "previous": self._written().get("sha256"),
                  "backup": slot, "at": utcnow()}
        _replace_quietly(self.written_path, json.dumps(record, indent=2) + "\n")

    def accept(self, actor: str = "user") -> dict[str, Any]:
        """Take a state.json changed outside the store as the new state, with a history event."""
        with self.locked():
            text = self._text()
            state = parse_state(text, str(STATE_RELPATH.as_posix()))
            change = self.changed_outside(text)
            if change is None:
                return {"accepted": False, "reason": "state.json is what the store last wrote; nothing to accept"}
            state.history.append(Event(actor=actor, status=state.status, feature=state.current_feature,
                                       attempt=state.current_attempt,
                                       summary=f"accepted a change made outside the store: {change}"))
            state.updated_at = utcnow()
            self._write(state)
            return {"accepted": True, "change": change, "events": len(state.history)}

    # -- recovery ------------------------------------------------------------------------
    def recovery_candidates(self) -> Iterator[tuple[str, str]]:
        """(label, text) of earlier versions, newest first: backups, then git history."""
        if self.backups.is_dir():
            for backup in sorted(
                self.backups.glob("state.*.json"), key=lambda p: p.stat().st_mtime, reverse=True
            ):
                yield f"backup {backup.name}", backup.read_text(encoding="utf-8", errors="replace")
        rel = STATE_RELPATH.as_posix()
        log = subprocess.run(
            ["git", "log", "--format=%H", "--", rel],
            cwd=self.workspace.root, capture_output=True, text=True, encoding="utf-8",
        )
        for sha in log.stdout.split() if log.returncode == 0 else []:
            shown = subprocess.run(
                ["git", "show", f"{sha}:{rel}"],
                cwd=self.workspace.root, capture_output=True, text=True, encoding="utf-8",
            )
            if shown.returncode == 0:
                yield f"git {sha[:10]}", shown.stdout

    def best_candidate(self) -> tuple[str, State] | None:
        """The newest valid earlier version by content — ``updated_at``, then history length —
        since file times lie after ``cp -r``, unzip or rsync. Git's versions come in commit order,
        so the first valid one is its newest and older ones need no parsing."""
        best: tuple[tuple[str, int], str, State] | None = None
        for label, text in self.recovery_candidates():
            try:
                state = parse_state(text, label)
            except StateError:
                continue
            key = (state.updated_at, len(state.history))
            if best is None or key > best[0]:
                best = (key, label, state)
            if label.startswith("git "):
                break
        return (best[1], best[2]) if best else None

    def recover(self) -> dict[str, Any]:
        """Restore the newest valid earlier version; the broken file is kept beside it."""
        with self.locked():
            try:
                self.read()
                return {"recovered": False, "reason": "state.json is valid; nothing to recover"}
            except StateError as exc:
                problem = exc.message
            best = self.best_candidate()
            if best is not None:
                label, state = best
                kept = None
                if self.path.exists():
                    kept = self.path.with_name(f"state.broken-{utcnow().replace(':', '')}.json")
                    os.replace(self.path, kept)
                state.history.append(
                    Event(actor="goldloop", status=state.status, summary=f"recovered from {label}")
                )
                self._write(state)
                return {
                    "recovered": True,
                    "source": label,
                    "problem": problem,
                    "broken_file_kept_at": str(kept) if kept else None,
                    "events": len(state.history),
                }
        raise StateError(
            f"no valid earlier version of state.json was found ({problem})",
            "fix shared/state.json by hand (see `goldloop state schema`) or re-run `goldloop init`",
        )
