"""Workspace settings (``goldloop.toml``) and credentials (environment and ``.env``).

Settings are a pydantic model so a typo in goldloop.toml is an error, not a silent default.
Credentials live only in :class:`Secrets` (goldloop.env_secrets, re-exported here), whose repr
never shows a value.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from goldloop.env_secrets import PUBLIC_NAMES, SECRET_NAMES, Secrets  # noqa: F401 (their old home)
from goldloop.errors import ConfigError
from goldloop.names import CONFIG_FILE, FEATURE_RE


class _Section(BaseModel):
    # nan / inf in a threshold would make every comparison false: a gate could never fail
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# A Kaggle username: kernels are owner/<slug>, and the owner names local folders too.
OWNER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


# How the forecast target is derived from its series' level at t and t+1 (all in the target's unit).
TARGET_DERIVATIONS = {
    "next_return_pct": "next-period return in %: 100 * (x[t+1] / x[t] - 1)",
    "next_logret_pct": "next-period log return in %: 100 * ln(x[t+1] / x[t])",
    "next_change": "next-period change: x[t+1] - x[t] (for rates and spreads)",
}
SeriesTransform = Literal["level", "logret", "yoy", "diff"]
LEGACY_TARGET = "gold next-day return"  # what `goldloop init` wrote before the project spec


class TargetSpec(_Section):
    """What the project forecasts: a series of the project and how its target is derived."""

    series: str = "gold"
    derive: Literal["next_return_pct", "next_logret_pct", "next_change"] = "next_return_pct"
    unit: str = "%"
    description: str = "gold next-day return"


class SeriesSpec(_Section):
    """One data source: a series of goldloop's catalog, a file in the workspace, or a live id.

    Catalog series bring their own calendar (observed time, zone, publication delay);
    the others say theirs here.
    """

    builtin: str | None = None  # a series of goldloop/data/catalog.toml (offline or live)
    file: str | None = None  # a CSV or parquet file inside the workspace
    fred: str | None = None  # a FRED series id (live)
    yahoo: str | None = None  # a Yahoo ticker (live)
    date_column: str = "date"
    column: str | None = None  # the value column of the file (default: its only other column)
    frequency: Literal["daily", "monthly"] = "daily"
    observed: str = Field("16:00", pattern=r"^\d{2}:\d{2}$")  # local time the value is known
    zone: str = "America/New_York"
    publication_delay_days: int = Field(0, ge=0)  # monthly: days after the month until published
    transforms: list[SeriesTransform] | None = None  # default: the catalog's, else ["logret"]

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'America/New_York')") from None
        return value

    @property
    def kind(self) -> str:
        given = [k for k in ("builtin", "file", "fred", "yahoo") if getattr(self, k)]
        return given[0]

    @model_validator(mode="after")
    def _one_source(self) -> SeriesSpec:
        given = [k for k in ("builtin", "file", "fred", "yahoo") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of builtin, file, fred, yahoo "
                             f"(got {', '.join(given) or 'none'})")
        if self.file and (Path(self.file).is_absolute() or ".." in Path(self.file).parts):
            raise ValueError(f"file {self.file!r} must be a path inside the workspace")
        return self


class ProjectSettings(_Section):
    """The project spec: its name (slugs are <name>-<feature>-<n>), target, data and families.

    ``panel`` names the module that builds the feature table and the split: the built-in
    gold panel (``goldloop.data.panel``) or ``goldloop.project.series_panel``, which
    assembles the ``[project.series]`` sources on the target series' trading days.
    """

    name: str = Field("gold", min_length=1, max_length=60)
    preset: str | None = None  # the preset `goldloop init` started from (informational)
    target: TargetSpec = Field(default_factory=TargetSpec)
    panel: str | None = None  # default: series_panel when [project.series] is given, else gold's
    series: dict[str, SeriesSpec] = Field(default_factory=dict)
    kaggle_datasets: list[str] = Field(default_factory=list)  # extra owner/slug refs every kernel mounts

    @field_validator("target", mode="before")
    @classmethod
    def _target_shorthand(cls, value: Any) -> Any:
        """``target = "wti"`` names the series; the old template's sentence means gold."""
        if isinstance(value, str):
            return {} if value == LEGACY_TARGET else {"series": value, "description": value}
        return value

    @field_validator("kaggle_datasets")
    @classmethod
    def _dataset_refs(cls, value: list[str]) -> list[str]:
        import re

        for ref in value:
            if not re.fullmatch(r"[A-Za-z0-9_-]+/[a-z0-9][a-z0-9-]{2,49}", ref):
                raise ValueError(f"{ref!r} is not a Kaggle dataset ref (owner/slug)")
        return value

    @property
    def panel_module(self) -> str:
        if self.panel:
            return self.panel
        return "goldloop.project.series_panel" if self.series else "goldloop.data.panel"

    @property
    def slug(self) -> str:
        """The name as Kaggle slugs spell it: lower case letters, digits and '-'."""
        import re

        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:30].strip("-") or "project"


class KaggleSettings(_Section):
    owner: str = "goldloop"
    backend: Literal["local", "kaggle"] = "local"
    cancel_running: bool = False  # retired: Kaggle cannot cancel a session (kept so old files load)
    poll_seconds: float = Field(60.0, gt=0)
    max_wait_minutes: float = Field(12 * 60, gt=0)  # the monitor's give-up time
    stop_on_give_up: bool = False  # at the give-up time, delete the kernel on Kaggle (stops its session)
    capacity_retry_seconds: float = Field(300.0, gt=0)  # a queued attempt (GPU slots busy) tries again
    run_timeout_minutes: float = Field(30.0, gt=0)
    auto_retry_network: int = Field(2, ge=0)
    continue_with_claude: bool = False
    notify_webhook: str | None = None
    notify_desktop: bool = False
    push_git: bool = False

    @field_validator("owner")
    @classmethod
    def _username(cls, value: str) -> str:
        if not re.fullmatch(OWNER_PATTERN, value):
            raise ValueError(f"{value!r} is not a Kaggle username (1-64 letters, digits, '-' or '_')")
        return value


class Gate1Settings(_Section):
    max_overfit_ratio: float = Field(1.5, gt=0)
    warmup_rows: int = Field(60, ge=0)


class Gate2Settings(_Section):
    min_mi_increase: float = 0.05
    # Compare with the new columns circularly shifted out of alignment (same dimensions, no
    # information), averaged over this many shifts; 0 = the original's comparison with the
    # base alone, which the k-NN estimator's dimension bias tilts against every new column.
    mi_null_shifts: int = Field(10, ge=0, le=50)
    max_vif: float = Field(10.0, gt=0)
    max_corr_std: float = Field(0.15, gt=0)
    corr_window: int = Field(60, ge=2)
    # MI and rolling-correlation stability cannot see an honest daily signal (IC 0.05 is ~0.001
    # nats): reported as a screen, only VIF decides; false = the original's rule, all checks decide
    screen_only: bool = True


class Gate3Settings(_Section):
    min_da_gain_pp: float = 0.5
    min_sharpe_gain: float = 0.05
    min_mae_drop_pp: float = 0.01
    cost_bps: float = Field(5.0, ge=0)
    folds: int = Field(5, ge=2)
    # seeds of the secondary XGBoost arms: 1 = deterministic trees; more subsample rows and average
    seeds: int = Field(1, ge=1)
    embargo_days: int = Field(5, ge=0)
    # level of the primary test (Clark–West on walk-forward ridge arms, one-sided)
    alpha: float = Field(0.05, gt=0, lt=1)
    # true: pass needs the primary test; false: the original's point rule on the secondary arms
    require_significance: bool = True
    bootstrap_samples: int = Field(1000, ge=100)


class FinalTargets(_Section):
    direction_accuracy: float = Field(0.56, ge=0, le=1)
    high_confidence_da: float = Field(0.60, ge=0, le=1)
    mae_pct: float = Field(0.75, gt=0)
    sharpe: float = 0.8
    high_confidence_quantile: float = Field(0.8, gt=0, lt=1)
    waivers: dict[str, str] = Field(default_factory=dict)


class GateSettings(_Section):
    gate1: Gate1Settings = Field(default_factory=Gate1Settings)
    gate2: Gate2Settings = Field(default_factory=Gate2Settings)
    gate3: Gate3Settings = Field(default_factory=Gate3Settings)
    final: FinalTargets = Field(default_factory=FinalTargets)


class DataSettings(_Section):
    """Where the gold model's data comes from, and the train / validation / test split."""

    source: Literal["offline", "live"] = "offline"
    start: str = "2007-01-01"  # live only: the first date fetched
    end: str | None = None  # live only: the last date fetched (None: the latest)
    train_end: str | None = None  # None: offline 1995-12-31, live 60 % of the trading days
    val_end: str | None = None  # None: offline 2007-12-31, live 80 % of the trading days

    @field_validator("start", "end", "train_end", "val_end")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        from datetime import date

        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None
        return value


class LimitSettings(_Section):
    max_attempts_per_feature: int = Field(6, ge=1)
    max_meta_attempts: int = Field(15, ge=1)
    meta_stop_after: int = Field(8, ge=1)


class ParallelSettings(_Section):
    """``[parallel]``: how many attempts may be in flight at once, and the slots they share.

    ``runs`` is the autopilot's default for ``--parallel`` (1 = the sequential loop). Kaggle
    refuses a push beyond 2 batch GPU / 5 batch CPU sessions per account (sources in
    docs/run.md); ``local_workers = 0`` means one per two cores, at least one.
    """

    runs: int = Field(1, ge=1, le=32)
    kaggle_gpu_slots: int = Field(2, ge=1)
    kaggle_cpu_slots: int = Field(5, ge=1)
    local_workers: int = Field(0, ge=0)


class ValidateSettings(_Section):
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)


class Config(_Section):
    project: ProjectSettings = Field(default_factory=ProjectSettings)
    features: list[str] = Field(
        default_factory=lambda: ["vix", "gold_technicals", "cross_asset", "real_rate", "regime"]
    )
    kaggle: KaggleSettings = Field(default_factory=KaggleSettings)
    gates: GateSettings = Field(default_factory=GateSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    parallel: ParallelSettings = Field(default_factory=ParallelSettings)
    data: DataSettings = Field(default_factory=DataSettings)
    validate_: ValidateSettings = Field(default_factory=ValidateSettings, alias="validate")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("features")
    @classmethod
    def _feature_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not FEATURE_RE.fullmatch(name) or name == "meta":
                raise ValueError(f"feature {name!r} must match [a-z0-9_]+ and not be 'meta'")
        if len(set(value)) != len(value):
            raise ValueError("features are listed twice")
        return value


def load_config(workspace: Path) -> Config:
    """Read ``goldloop.toml``; a missing file means all defaults."""
    path = Path(workspace) / CONFIG_FILE
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", "fix the line it names") from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, 100,000-deep nesting
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ConfigError(f"{path} cannot be read: {problem}", "fix the value it names") from None
    return parse_config(raw, source=str(path))


def parse_config(raw: dict[str, Any], source: str = CONFIG_FILE) -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"{source} has invalid settings: {problems}",
            "compare with the template that `goldloop init` writes",
        ) from exc
