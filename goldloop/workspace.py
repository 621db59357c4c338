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

from goldloop.config import CONFIG_FILE
from goldloop.errors import WorkspaceError

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
data/cache/
results/**/*.parquet
results/**/*.pkl
*.log
"""

CONFIG_TEMPLATE = """\
# goldloop workspace settings. Every key is optional; these are the defaults.
features = ["vix", "gold_technicals", "cross_asset", "real_rate", "regime"]

[project]
name = "{name}"
target = "gold next-day return"

[kaggle]
owner = "{owner}"          # your Kaggle username; kernels become owner/<slug>
backend = "local"          # "local" runs kernels here with nbclient; "kaggle" pushes to Kaggle
stop_on_give_up = false    # at max_wait_minutes, delete the still-running kernel (else you are told)
poll_seconds = 60
continue_with_claude = false   # after results arrive, run `claude -p "resume from last time"`
notify_desktop = false     # a desktop notification when a run ends (plyer); notify_webhook = "https://…" POSTs JSON

[data]
source = "{source}"        # "offline": real market data shipped by PyPI packages (1986-2012, no keys)
                           # "live": FRED + Yahoo through fredapi / yfinance (FRED_API_KEY, internet)
start = "2007-01-01"       # live only: the first date fetched; `end = "YYYY-MM-DD"` caps the last
# train_end = "1995-12-31" # default: offline 1995-12-31 / 2007-12-31, live 60 % / 80 % of the days
# val_end = "2007-12-31"

[limits]
max_attempts_per_feature = 6
max_meta_attempts = 15
meta_stop_after = 8        # stop when this many meta-model attempts in a row fail to beat the best

[gates.gate1]
max_overfit_ratio = 1.5

[gates.gate2]
min_mi_increase = 0.05
mi_null_shifts = 10        # gain measured against the new columns shifted out of alignment; 0 = against the base alone
max_vif = 10.0
max_corr_std = 0.15
screen_only = true         # MI and stability are reported, VIF decides (no MI test can see a daily IC of 0.05)

[gates.gate3]
alpha = 0.05               # the primary test (Clark-West, walk-forward ridge arms from the drift) decides at this level
min_da_gain_pp = 0.5       # the original's three thresholds: secondary figures on XGBoost arms
min_sharpe_gain = 0.05
min_mae_drop_pp = 0.01
cost_bps = 5.0

[gates.final]
direction_accuracy = 0.56
high_confidence_da = 0.60
mae_pct = 0.75
sharpe = 0.8
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


def init_workspace(
    target: str | Path, name: str | None = None, owner: str | None = None, data_source: str = "offline"
) -> tuple[Workspace, list[str]]:
    """Scaffold a workspace; existing files are kept. Returns the workspace and what was created.

    The Kaggle owner defaults to the user of the Kaggle credentials — KAGGLE_USERNAME
    (environment or the target's .env), ~/.kaggle/kaggle.json, the access token's owner —
    since kernels must live under the account that pushes them; else "goldloop".
    """
    from goldloop.gitlog import ensure_repo
    from goldloop.state.store import StateStore

    root = Path(target).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    created: list[str] = []

    def write_once(rel: str, text: str) -> None:
        path = root / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            created.append(rel)

    project = name or root.name.replace("-", "_") or "gold"
    if owner is None:
        from goldloop.kaggle.credentials import kaggle_username

        owner = kaggle_username(root)[0] or "goldloop"
    write_once(CONFIG_FILE, CONFIG_TEMPLATE.format(name=project, owner=owner, source=data_source))
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
    workspace = Workspace(root)
    store = StateStore(workspace)
    if not workspace.state_path.exists():
        store.initialize(project=project)
        created.append(str(STATE_RELPATH.as_posix()))
    if ensure_repo(root):
        created.append(".git/")
    from goldloop.gitlog import commit_all

    commit_all(root, "init: goldloop workspace scaffolded")
    return workspace, created


def git_available() -> bool:
    return shutil.which("git") is not None and subprocess.run(
        ["git", "--version"], capture_output=True
    ).returncode == 0
