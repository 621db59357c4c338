"""Run options: flags, remembered per workspace so a plain `goldloop run` resumes alike."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from goldloop.config import Config
from goldloop.errors import ConfigError
from goldloop.names import check_feature

OPTIONS_FILE = Path(".goldloop") / "autopilot.json"


@dataclass
class RunOptions:
    backend: str = "local"
    features: list[str] = field(default_factory=list)  # empty: every configured feature with offline data
    max_attempts: int | None = None
    fast: bool = False
    poll_seconds: float = 0.5  # the local backend finishes in seconds; Kaggle runs use the config's
    parallel: int = 0  # attempts in flight at once; 0: [parallel] runs in goldloop.toml (default 1)

    def save(self, root: Path) -> None:
        path = root / OPTIONS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, root: Path) -> RunOptions | None:
        path = root / OPTIONS_FILE
        if not path.is_file():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError, RecursionError) as exc:
            raise ConfigError(f"{path} is unreadable: {exc}", f"delete {path} and run again with your flags") from None


ALL_FEATURES = "all"  # `--features all`: forget a remembered feature list
# How each remembered choice is written on the command line, and how it is undone.
FLAG_TEXT = {
    "backend": (lambda v: f"--backend {v}", "--backend local"),
    "features": (lambda v: " ".join(f"--features {f}" for f in v), f"--features {ALL_FEATURES}"),
    "max_attempts": (lambda v: f"--max-attempts {v}", "--max-attempts 0"),
    "fast": (lambda v: "--fast", "--no-fast"),
}


def _given(flags: dict[str, object]) -> dict[str, object]:
    """The flags typed now; `--features all` and `--max-attempts 0` mean "back to the default"."""
    given = {k: v for k, v in flags.items() if v is not None and v != [] and v != ()}
    features = list(given.get("features") or [])
    if ALL_FEATURES in features:
        if features != [ALL_FEATURES]:
            raise ConfigError(f"--features {ALL_FEATURES} cannot be combined with feature names",
                              f"give either --features {ALL_FEATURES} or the names")
        given["features"] = []
    if given.get("max_attempts") == 0:
        given["max_attempts"] = None
    return given


def remembered_line(root: Path, flags: dict[str, object]) -> str | None:
    """Which remembered flags this run uses, where they are kept and how to undo them."""
    saved = RunOptions.load(root)
    if saved is None:
        return None
    given, default = _given(flags), RunOptions()
    used = [k for k in FLAG_TEXT if k not in given and getattr(saved, k) != getattr(default, k)]
    if not used:
        return None
    return (f"remembered flags from {root / OPTIONS_FILE}: "
            + " ".join(FLAG_TEXT[k][0](getattr(saved, k)) for k in used)
            + " (undo: " + ", ".join(FLAG_TEXT[k][1] for k in used) + ")")


def resolve(root: Path, flags: dict[str, object]) -> RunOptions:
    """Flags given now win over the remembered ones, which win over the defaults."""
    saved = RunOptions.load(root) or RunOptions()
    options = RunOptions(**{**asdict(saved), **_given(flags)})
    for name in options.features:
        check_feature(name)
    if options.parallel < 0:
        raise ConfigError(f"--parallel must be at least 1, not {options.parallel}")
    if options.backend not in ("local", "kaggle"):
        raise ConfigError(f"unknown backend {options.backend!r}", "use --backend local or --backend kaggle")
    options.save(root)
    return options


# What --fast trims: fewer meta-model attempts and a shorter stop rule.
FAST_LIMITS = {"max_attempts_per_feature": 2, "max_meta_attempts": 3, "meta_stop_after": 2}
DEFAULT_RUN_LIMITS = {"max_attempts_per_feature": 3, "max_meta_attempts": 6, "meta_stop_after": 3}


def effective_config(project: Any, options: RunOptions) -> Config:
    """The config the planner sees during this run: chosen features and the run's limits.

    A family no catalog knows (neither goldloop's nor the workspace's ``families/``) is an
    error naming it and the known ones, in goldloop.toml as on the command line; a known family
    without data on this source is skipped when goldloop.toml lists it, refused when asked for.
    """
    from goldloop.project import unknown_features_error

    config: Config = project.config
    unknown = [f for f in [*config.features, *options.features] if f not in project.families]
    if unknown:
        raise unknown_features_error(list(dict.fromkeys(unknown)), project.families)
    families_with_data = project.families_with_data()
    wanted = options.features or [f for f in config.features if f in families_with_data]
    unknown = [f for f in wanted if f not in families_with_data]
    if unknown:
        source = config.data.source
        raise ConfigError(
            f"no {source} data for feature(s) {', '.join(unknown)}",
            f"choose from {', '.join(families_with_data)}"
            + ("; live-only families need [data] source = \"live\" (run with --data live in a new "
               "workspace; needs FRED_API_KEY and internet)" if source == "offline" else ""),
        )
    limits = dict(FAST_LIMITS if options.fast else DEFAULT_RUN_LIMITS)
    if options.max_attempts:
        limits["max_attempts_per_feature"] = options.max_attempts
    # the user's own goldloop.toml limits win when they are stricter
    limits = {k: min(v, getattr(config.limits, k)) for k, v in limits.items()}
    return config.model_copy(update={
        "features": wanted,
        "limits": config.limits.model_copy(update=limits),
    })
