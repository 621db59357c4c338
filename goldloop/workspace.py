"""Find and scaffold a goldloop workspace.

A workspace is a folder with ``goldloop.toml``, ``shared/state.json``, ``MEMORY.md``,
``knowledge/`` and ``notebooks/``, usually its own git repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from goldloop.errors import WorkspaceError
from goldloop.names import CONFIG_FILE

STATE_RELPATH = Path("shared") / "state.json"

GITIGNORE = """\
# goldloop: never commit credentials, caches or bulky run outputs
.env
.env.*
kaggle.json
__pycache__/
.ipynb_checkpoints/
.goldloop/
shared/.state_backups/
shared/.state.lock
.*.tmp
data/cache/
results/**/*.parquet
results/**/*.pkl
*.log
"""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def state_path(self) -> Path:
        return self.root / STATE_RELPATH

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def private(self) -> Path:
        """Machine-local, git-ignored files (monitor pids, caches, sandboxes)."""
        return self.root / ".goldloop"

    def inside(self, path: str | Path) -> Path:
        """Resolve ``path`` relative to the workspace and refuse anything outside it."""
        candidate = (self.root / path).resolve()
        root = self.root.resolve()
        if candidate != root and root not in candidate.parents:
            raise WorkspaceError(
                f"path {str(path)!r} is outside the workspace {root}",
                "pass a path inside the workspace",
            )
        return candidate


def bundle_root() -> Path:
    """The plugin bundle (this repository): holds MEMORY.md, knowledge/ and templates."""
    return Path(__file__).resolve().parent.parent


def find_workspace(explicit: str | Path | None = None, cwd: Path | None = None) -> Workspace:
    """Discovery order: explicit → GOLDLOOP_WORKSPACE → CLAUDE_PROJECT_DIR → walk up from cwd."""
    for source, value in (
        ("--workspace", explicit),
        ("GOLDLOOP_WORKSPACE", os.environ.get("GOLDLOOP_WORKSPACE")),
        ("CLAUDE_PROJECT_DIR", os.environ.get("CLAUDE_PROJECT_DIR")),
    ):
        if value:
            root = Path(value).expanduser().resolve()
            if (root / CONFIG_FILE).is_file():
                return Workspace(root)
            if source != "CLAUDE_PROJECT_DIR":
                raise WorkspaceError(
                    f"{source} points at {root}, which has no {CONFIG_FILE}",
                    f"run `goldloop init {root}` first, or point {source} at a workspace",
                )
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return Workspace(folder)
    raise WorkspaceError(
        f"no goldloop workspace found from {start} upwards (no {CONFIG_FILE})",
        "run `goldloop init` here, or pass --workspace DIR / set GOLDLOOP_WORKSPACE",
    )


def run_location(run_dir: str | Path | None = None, explicit: str | Path | None = None,
                 cwd: Path | None = None) -> Path:
    """Where `goldloop run` works; it creates the workspace there when missing.

    The same order as :func:`find_workspace`: ``-d``/``--workspace`` → GOLDLOOP_WORKSPACE →
    CLAUDE_PROJECT_DIR (when it is a workspace) → the workspace around ``cwd``; only when none
    of them names one, ``./workspace``. A folder named by a flag or GOLDLOOP_WORKSPACE is used
    even before it exists (run scaffolds it), unlike the other commands, which need one.
    """
    if run_dir and explicit and Path(run_dir).expanduser().resolve() != Path(explicit).expanduser().resolve():
        raise WorkspaceError(f"--workspace {explicit} and --workspace-dir {run_dir} name different folders",
                             "give one of them")
    named = run_dir or explicit or os.environ.get("GOLDLOOP_WORKSPACE")
    if named:
        return Path(named).expanduser().resolve()
    start = (cwd or Path.cwd()).resolve()
    try:
        return find_workspace(None, cwd=start).root
    except WorkspaceError:
        return start / "workspace"


GOLDLOOP_TOOLS_RULE = "mcp__plugin_goldloop_goldloop"  # every tool of the plugin's MCP server
CLAUDE_SETTINGS = Path(".claude") / "settings.json"


def allow_goldloop_tools(root: Path) -> str | None:
    """Merge the allow rule for the goldloop tools into ``.claude/settings.json``.

    Without it a plain ``claude -p "resume from last time"`` cannot call a single goldloop
    tool (headless sessions cannot ask). Existing settings are kept; a file that is not a
    JSON object is left alone. Returns what happened, or None when the rule was there.
    """
    import json

    path = root / CLAUDE_SETTINGS
    settings: dict = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            settings = None  # type: ignore[assignment]
        if not isinstance(settings, dict) or not isinstance(settings.get("permissions", {}), dict) or \
                not isinstance(settings.get("permissions", {}).get("allow", []), list):
            return (f"{CLAUDE_SETTINGS.as_posix()} is not in the expected form; left as it is (add "
                    f'"{GOLDLOOP_TOOLS_RULE}" to permissions.allow yourself)')
    allow = settings.setdefault("permissions", {}).setdefault("allow", [])
    if GOLDLOOP_TOOLS_RULE in allow:
        return None
    allow.append(GOLDLOOP_TOOLS_RULE)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    os.replace(tmp, path)
    return f"{CLAUDE_SETTINGS.as_posix()} (allow {GOLDLOOP_TOOLS_RULE})"


def init_workspace(
    target: str | Path, name: str | None = None, owner: str | None = None, data_source: str = "offline",
    preset: str = "gold",
) -> tuple[Workspace, list[str]]:
    """Scaffold a workspace from a preset (goldloop/presets/); existing files are kept.
    Returns the workspace and what was created.

    The Kaggle owner defaults to the user of the Kaggle credentials — KAGGLE_USERNAME
    (environment or the target's .env), ~/.kaggle/kaggle.json, the access token's owner —
    since kernels must live under the account that pushes them; else "goldloop".
    """
    from goldloop.gitlog import ensure_repo
    from goldloop.presets import default_name, preset_dir, preset_files
    from goldloop.state.store import StateStore

    preset_dir(preset)  # an unknown preset fails before anything is written
    if preset != "gold" and data_source != "offline":
        raise WorkspaceError(f"--data {data_source} applies to the gold preset only",
                             f"the {preset} preset names its sources in [project.series] of goldloop.toml")
    root = Path(target).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    created: list[str] = []

    def write_once(rel: str, text: str) -> None:
        path = root / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            created.append(rel)

    project = name or default_name(preset, root)
    if owner is None:
        from goldloop.kaggle.credentials import kaggle_username

        owner = kaggle_username(root)[0] or "goldloop"
    for rel, text in preset_files(preset, name=project, owner=owner, source=data_source).items():
        write_once(rel, text)
    write_once(".gitignore", GITIGNORE)
    bundle = bundle_root()
    if (bundle / "MEMORY.md").is_file():
        write_once("MEMORY.md", (bundle / "MEMORY.md").read_text(encoding="utf-8"))
    if (bundle / "knowledge").is_dir() and not (root / "knowledge").exists():
        shutil.copytree(bundle / "knowledge", root / "knowledge")
        created.append("knowledge/")
    for folder in ("notebooks", "results", "shared"):
        if not (root / folder).exists():
            (root / folder).mkdir(parents=True)
            (root / folder / ".gitkeep").write_text("", encoding="utf-8")
            created.append(f"{folder}/")
    settings_note = allow_goldloop_tools(root)
    if settings_note:
        created.append(settings_note)
    workspace = Workspace(root)
    store = StateStore(workspace)
    if not workspace.state_path.exists():
        store.initialize(project=project)
        created.append(str(STATE_RELPATH.as_posix()))
    if ensure_repo(root):
        created.append(".git/")
    from goldloop.gitlog import commit_all

    commit_all(root, f"init: goldloop workspace scaffolded (preset {preset})")
    return workspace, created


def git_available() -> bool:
    return shutil.which("git") is not None and subprocess.run(
        ["git", "--version"], capture_output=True
    ).returncode == 0
