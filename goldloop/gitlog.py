"""One commit per step, in the original's message format.

``entrance: vix attempt 1``, ``datacheck: vix attempt 1 - PASS``,
``final: project completed - attempt 7 confirmed as final meta-model``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from goldloop.errors import GitError, SecretLeakError
from goldloop.names import Stage, check_attempt, check_feature, check_stage
from goldloop.secrets import file_leaks


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8", errors="replace"
        )
    except FileNotFoundError:
        raise GitError("git is not installed", "install git and try again") from None
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


def _git_running_in(root: Path) -> bool:
    import psutil

    resolved = root.resolve()
    for proc in psutil.process_iter(["name", "cwd"]):
        try:
            if proc.info["name"] in ("git", "git.exe") and proc.info["cwd"] and (
                    Path(proc.info["cwd"]).resolve() == resolved or resolved in Path(proc.info["cwd"]).resolve().parents):
                return True
        except (psutil.Error, OSError):
            continue
    return False


GIT_LOCKS = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "config.lock", "packed-refs.lock", "FETCH_HEAD.lock")


def _git_dir(root: Path) -> Path | None:
    done = _git(root, "rev-parse", "--git-dir", check=False)
    return (root / done.stdout.strip()) if done.returncode == 0 else None


def stale_lock_candidates(git_dir: Path) -> list[Path]:
    """git's own lock files: the fixed ones and any ``refs/**.lock`` (a branch being moved)."""
    found = [git_dir / name for name in GIT_LOCKS if (git_dir / name).exists()]
    refs = git_dir / "refs"
    if refs.is_dir():
        found += sorted(refs.rglob("*.lock"))
    return found


def clear_stale_git_locks(root: Path, wait_s: float = 3.0) -> list[str]:
    """Remove git lock files left by a git killed mid-commit (a closed laptop, a SIGKILL).

    ``index.lock`` is not the only one: a kill inside ``git commit`` can leave ``HEAD.lock`` or
    ``refs/heads/<branch>.lock``, and every later commit then fails. A lock is stale when it
    outlives a short wait and no git process works in this repository. Returns what was removed.
    """
    import time

    git_dir = _git_dir(root)
    if git_dir is None:
        return []
    deadline = time.monotonic() + wait_s
    while stale_lock_candidates(git_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    locks = stale_lock_candidates(git_dir)
    if not locks or _git_running_in(root):
        return []
    for lock in locks:
        lock.unlink(missing_ok=True)
    return [lock.relative_to(git_dir).as_posix() for lock in locks]


def is_repo(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-inside-work-tree", check=False).returncode == 0


def ensure_repo(root: Path) -> bool:
    """``git init`` unless ``root`` already belongs to a repository that tracks it.

    A folder inside a repository that ignores it (``./workspace`` in a clone of goldloop)
    gets a repository of its own, so the loop's commits never touch the enclosing one.
    True when a repository was created.
    """
    if is_repo(root) and _git(root, "check-ignore", "-q", ".", check=False).returncode != 0:
        return False
    _git(root, "init", "-q")
    # Commits must work on a fresh machine with no global identity.
    if _git(root, "config", "user.email", check=False).returncode != 0:
        _git(root, "config", "user.email", "goldloop@localhost")
        _git(root, "config", "user.name", "goldloop")
    return True


def message(stage: str, feature: str | None = None, attempt: int | None = None, summary: str | None = None) -> str:
    stage_v = check_stage(stage)
    if stage_v is Stage.FINAL or feature is None:
        head = f"{stage_v.value}:"
    else:
        head = f"{stage_v.value}: {feature if feature == 'meta' else check_feature(feature)}"
        if attempt is not None:
            head += f" attempt {check_attempt(attempt)}"
    if summary:
        summary = " ".join(summary.split())
        head += f" - {summary}" if feature is not None and stage_v is not Stage.FINAL else f" {summary}"
    return head


@dataclass(frozen=True)
class CommitResult:
    committed: bool
    message: str
    sha: str | None
    files: list[str]
    pushed: bool = False
    left: tuple[str, ...] = ()  # changed files that are not the step's: not committed

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"committed": self.committed, "message": self.message, "sha": self.sha,
                                  "files": self.files, "pushed": self.pushed}
        if self.left:
            out["left_uncommitted"] = list(self.left[:20]) + ([f"… {len(self.left) - 20} more"] if len(self.left) > 20 else [])
        return out


def _leaks(root: Path, files: list[str], known_values: list[str]) -> list[str]:
    # Every size: a 50 MB notebook with a key in one output cell is the case that matters.
    return file_leaks(root, files, known_values)


def redact_message(msg: str, known_values: list[str]) -> str:
    """The commit message as git will store it: credentials in a summary are masked."""
    from goldloop.redaction import redact

    return redact(msg, known_values)


STEP_FOLDERS = ("attempts", "designs", "data", "notebooks", "results")  # <folder>/<feature>_<attempt>/
SHARED_PATHS = ("shared/state.json", "MEMORY.md", "knowledge/")  # the loop's own records


def step_prefixes(stage: str, feature: str | None, attempt: int | None) -> list[str]:
    """Path prefixes that belong to a step: its attempt's folders and the loop's records.

    Without an attempt, every attempt of the feature; the final step (or no feature) also
    owns ``results/`` (the final evaluation and the run report).
    """
    prefixes = list(SHARED_PATHS)
    if feature is not None:
        tag = f"{feature}_{attempt}/" if attempt is not None else f"{feature}_"
        prefixes += [f"{folder}/{tag}" for folder in STEP_FOLDERS]
    if feature is None or check_stage(stage) is Stage.FINAL:
        prefixes.append("results/")
    return prefixes


def changed_files(root: Path) -> list[str]:
    """Every changed, deleted or untracked (not ignored) path, relative to ``root``."""
    out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", ".").stdout
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()  # root inside a bigger repo
    files = []
    for entry in filter(None, out.split("\0")):
        path = entry[3:]
        if path.startswith(prefix):
            files.append(path[len(prefix):])
    return files


def _state_is_the_stores(root: Path) -> bool:
    """False when shared/state.json was changed outside the store (or is unreadable)."""
    from goldloop.errors import StateError
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace

    try:
        StateStore(Workspace(root)).read()
    except StateError:
        return False
    return True


def select_step_files(root: Path, stage: str, feature: str | None, attempt: int | None) -> tuple[list[str], list[str]]:
    """(the step's changed files, the other changed files)."""
    prefixes = step_prefixes(stage, feature, attempt)
    mine, left = [], []
    for path in changed_files(root):
        (mine if any(path == p or path.startswith(p) for p in prefixes) else left).append(path)
    if "shared/state.json" in mine and not _state_is_the_stores(root):
        mine.remove("shared/state.json")  # never save a hand edit: `goldloop state accept` first
        left.append("shared/state.json")
    return mine, left


@contextmanager
def commit_lock(root: Path, timeout_s: float = 60.0) -> Iterator[None]:
    """One goldloop committer per repository at a time (the monitor, hooks, tools, `run`)."""
    from filelock import FileLock, Timeout

    git_dir = _git_dir(root)
    if git_dir is None:
        raise GitError(f"{root} is not a git repository", "run `goldloop init` (it runs git init)")
    lock = FileLock(str(git_dir / "goldloop-commit.lock"), timeout=timeout_s)
    try:
        lock.acquire()
    except Timeout:
        raise GitError(f"another goldloop process has been committing in {root} for over {timeout_s:.0f} s",
                       "retry when it has finished") from None
    try:
        yield
    finally:
        lock.release()


def commit_step(
    root: Path,
    stage: str,
    feature: str | None = None,
    attempt: int | None = None,
    summary: str | None = None,
    *,
    push: bool = False,
    secret_values: list[str] | None = None,
    always: bool = False,
) -> CommitResult:
    """Commit the step's own changed files (see :func:`step_prefixes`) as one step; anything
    else is left alone and reported in ``left``. Refuses credentials.

    ``always``: when steps run at once, a neighbour's commit can carry this step's change of
    the shared state.json; the step still gets its own (empty) commit so the log names it."""
    root = Path(root)
    msg = redact_message(message(stage, feature, attempt, summary), secret_values or [])
    if not is_repo(root):
        raise GitError(f"{root} is not a git repository", "run `goldloop init` (it runs git init)")
    with commit_lock(root):
        clear_stale_git_locks(root)
        mine, left = select_step_files(root, stage, feature, attempt)
        if not mine and always:
            sha = _commit(root, msg + " (state saved with the previous commit)", allow_empty=True)
            return CommitResult(sha is not None, msg, sha, [], left=tuple(left))
        if not mine:  # nothing of this step changed, or another process committed it already
            return CommitResult(False, msg, None, [], left=tuple(left))
        _git_paths(root, ["add", "-A"], mine)
        problems = _leaks(root, mine, secret_values or [])
        if problems:
            _git_paths(root, ["reset", "-q"], mine, check=False)  # leave the work tree untouched
            raise SecretLeakError(
                "refused to commit: " + "; ".join(problems[:5]),
                "remove the credential (keep keys in .env, which is git-ignored), then retry",
            )
        sha = _commit(root, msg, mine)
    if sha is None:
        return CommitResult(False, msg, None, [], left=tuple(left))
    pushed = False
    if push:
        done = _git(root, "push", "-q", check=False)
        if done.returncode != 0:
            raise GitError(f"committed {sha[:10]} but push failed: {done.stderr.strip()}",
                           "check the remote and credentials, then `git push`")
        pushed = True
    return CommitResult(True, msg, sha, mine, pushed, tuple(left))


def _git_paths(root: Path, args: list[str], paths: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """``git <args> -- <paths>`` with the paths on stdin (a results folder can hold thousands)."""
    try:
        done = subprocess.run(["git", *args, "--pathspec-from-file=-", "--pathspec-file-nul"], cwd=root,
                              input="\0".join(paths), capture_output=True, text=True, encoding="utf-8",
                              errors="replace")
    except FileNotFoundError:
        raise GitError("git is not installed", "install git and try again") from None
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


def _commit(root: Path, msg: str, paths: list[str] | None = None, allow_empty: bool = False) -> str | None:
    """Commit (only ``paths`` when given); the new sha, or None when nothing was left to commit."""
    # A machine with no git identity still gets commits, signed as goldloop.
    identity = [] if _git(root, "config", "user.email", check=False).stdout.strip() else [
        "-c", "user.email=goldloop@localhost", "-c", "user.name=goldloop"]
    args = [*identity, "commit", "-q", "--no-verify", *(["--allow-empty"] if allow_empty else []), "-m", msg]
    for _ in range(2):
        done = _git_paths(root, args, paths, check=False) if paths else _git(root, *args, check=False)
        if done.returncode == 0:
            return _git(root, "rev-parse", "HEAD").stdout.strip()
        said = done.stderr + done.stdout
        if "nothing to commit" in said or "no changes added" in said:
            return None  # someone else (a git outside goldloop's lock) committed it: fine
        if ".lock" not in said or not clear_stale_git_locks(root):
            break
    raise GitError(f"git commit failed: {(done.stderr or done.stdout).strip()}")


def commit_all(root: Path, msg: str) -> str | None:
    """Commit whatever is staged after ``git add -A`` (no leak scan: scaffolding only)."""
    with commit_lock(root):
        _git(root, "add", "-A", ".")
        if _git(root, "diff", "--cached", "--quiet", check=False).returncode == 0:
            return None
        return _commit(root, msg)


def log_messages(root: Path, limit: int = 200) -> list[str]:
    """Commit subjects, oldest first."""
    done = _git(root, "log", f"-{limit}", "--format=%s", check=False)
    return list(reversed(done.stdout.splitlines())) if done.returncode == 0 else []
