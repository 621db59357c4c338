"""One commit per step, in the original's message format.

``entrance: vix attempt 1``, ``datacheck: vix attempt 1 - PASS``,
``final: project completed - attempt 7 confirmed as final meta-model``.
"""

from __future__ import annotations

import subprocess
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


def clear_stale_index_lock(root: Path, wait_s: float = 3.0) -> bool:
    """Remove ``.git/index.lock`` left by a git killed mid-commit (a closed laptop, a SIGKILL).

    A lock is stale when it outlives a short wait and no git process works in this repository;
    otherwise every later step would fail with "Unable to create index.lock". True if removed.
    """
    import time

    done = _git(root, "rev-parse", "--git-dir", check=False)
    if done.returncode != 0:
        return False
    lock = (root / done.stdout.strip()) / "index.lock"
    deadline = time.monotonic() + wait_s
    while lock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if lock.exists() and not _git_running_in(root):
        lock.unlink(missing_ok=True)
        return True
    return False


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

    def to_dict(self) -> dict[str, object]:
        return {"committed": self.committed, "message": self.message, "sha": self.sha,
                "files": self.files, "pushed": self.pushed}


def _leaks(root: Path, files: list[str], known_values: list[str]) -> list[str]:
    # Every size: a 50 MB notebook with a key in one output cell is the case that matters.
    return file_leaks(root, files, known_values)


def redact_message(msg: str, known_values: list[str]) -> str:
    """The commit message as git will store it: credentials in a summary are masked."""
    from goldloop.redaction import redact

    return redact(msg, known_values)


def commit_step(
    root: Path,
    stage: str,
    feature: str | None = None,
    attempt: int | None = None,
    summary: str | None = None,
    *,
    push: bool = False,
    secret_values: list[str] | None = None,
    paths: list[str] | None = None,
) -> CommitResult:
    """Stage everything in the workspace (or only ``paths``) and commit it as one step; refuse
    credentials. Steps running at once (parallel attempts, monitors) commit one at a time."""
    root = Path(root)
    msg = redact_message(message(stage, feature, attempt, summary), secret_values or [])
    if not is_repo(root):
        raise GitError(f"{root} is not a git repository", "run `goldloop init` (it runs git init)")
    with _commit_lock(root):
        return _stage_and_commit(root, msg, paths, push, secret_values)


def _commit_lock(root: Path):
    """One committer at a time per workspace (threads and processes): concurrent ``git add`` /
    ``git commit`` would fight over .git/index.lock or put one step's files in another's commit."""
    from filelock import FileLock

    lock_dir = root / ".goldloop"
    lock_dir.mkdir(exist_ok=True)
    return FileLock(str(lock_dir / "commit.lock"), timeout=120)


def _stage_and_commit(root: Path, msg: str, paths: list[str] | None, push: bool,
                      secret_values: list[str] | None) -> CommitResult:
    clear_stale_index_lock(root)
    _git(root, "add", "-A", "--", *(paths or ["."]))
    staged = [f for f in _git(root, "diff", "--cached", "--name-only", "-z").stdout.split("\0") if f]
    problems = _leaks(root, staged, secret_values or [])
    if problems:
        _git(root, "reset", "-q", "--", *staged, check=False)  # leave the work tree untouched
        raise SecretLeakError(
            "refused to commit: " + "; ".join(problems[:5]),
            "remove the credential (keep keys in .env, which is git-ignored), then retry",
        )
    if not staged:
        return CommitResult(False, msg, None, [])
    sha = _commit(root, msg)
    pushed = False
    if push:
        done = _git(root, "push", "-q", check=False)
        if done.returncode != 0:
            raise GitError(f"committed {sha[:10]} but push failed: {done.stderr.strip()}",
                           "check the remote and credentials, then `git push`")
        pushed = True
    return CommitResult(True, msg, sha, staged, pushed)


def _commit(root: Path, msg: str) -> str:
    # A machine with no git identity still gets commits, signed as goldloop.
    identity = [] if _git(root, "config", "user.email", check=False).stdout.strip() else [
        "-c", "user.email=goldloop@localhost", "-c", "user.name=goldloop"]
    _git(root, *identity, "commit", "-q", "--no-verify", "-m", msg)
    return _git(root, "rev-parse", "HEAD").stdout.strip()


def commit_all(root: Path, msg: str) -> str | None:
    """Commit whatever is staged after ``git add -A`` (no leak scan: scaffolding only)."""
    _git(root, "add", "-A", ".")
    if _git(root, "diff", "--cached", "--quiet", check=False).returncode == 0:
        return None
    return _commit(root, msg)


def log_messages(root: Path, limit: int = 200) -> list[str]:
    """Commit subjects, oldest first."""
    done = _git(root, "log", f"-{limit}", "--format=%s", check=False)
    return list(reversed(done.stdout.splitlines())) if done.returncode == 0 else []
