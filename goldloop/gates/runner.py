"""Run the requested gates on aligned inputs, or on one attempt's results in a workspace."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from goldloop.config import GateSettings
from goldloop.errors import GateInputError
from goldloop.gates.result import GATE_NAMES, GateResult


def normalize_gates(gates: Iterable[Any] | str) -> tuple[str, ...]:
    """Accept ("gate1", "gate3"), "1,3", [1, 3] …; keep the canonical order."""
    items = gates.split(",") if isinstance(gates, str) else list(gates)
    chosen = set()
    for item in items:
        text = str(item).strip().lower()
        name = text if text.startswith("gate") else f"gate{text}"
        if name not in GATE_NAMES:
            raise GateInputError(f"unknown gate {item!r}", "use 1, 2 and/or 3 (e.g. --gates 1,3)")
        chosen.add(name)
    if not chosen:
        raise GateInputError("no gate requested", "use 1, 2 and/or 3")
    return tuple(g for g in GATE_NAMES if g in chosen)


def check(
    new: Any,
    base: Any,
    target: Any,
    *,
    metrics: dict | None,
    settings: GateSettings,
    gates: tuple[str, ...] = GATE_NAMES,
    fast: bool = False,
    seed: int = 0,
    periods: tuple[str, str] | None = None,
) -> GateResult:
    """Gate 1/2/3 of the ``new`` columns against the ``base`` table for ``target`` (all date-indexed).

    ``periods`` = (train_end, val_end): every gate sees target values up to val_end only (the
    test years stay untouched until the final evaluation) and Gate 3's test folds lie after
    train_end, where the submodels were not fitted. Without it every row is used.
    """
    from goldloop.gates.gate1 import run_gate1
    from goldloop.gates.gate2 import run_gate2
    from goldloop.gates.gate3 import plan, run_gate3
    from goldloop.gates.inputs import align

    wanted = normalize_gates(gates)
    aligned = align(new, base, target, until=periods[1] if periods else None)
    test_from = None
    if periods:
        import pandas as pd

        test_from = int(aligned.target.index.searchsorted(pd.Timestamp(periods[0]), side="right"))
    if "gate3" in wanted:
        plan(len(aligned.target), settings.gate3, fast, test_from)  # too few rows → GateInputError before any work
    result = GateResult(gates={}, inputs={
        "rows": len(aligned.target), "new_columns": [str(c) for c in aligned.new.columns],
        "base_columns": len(aligned.base.columns),
        "start": str(aligned.target.index.min().date()), "end": str(aligned.target.index.max().date()),
        "fast": fast, "seed": seed, "periods": list(periods) if periods else None,
    })
    if "gate1" in wanted:
        result.gates["gate1"] = run_gate1(aligned, metrics, settings.gate1)
    if "gate2" in wanted:
        result.gates["gate2"] = run_gate2(aligned, settings.gate2, seed=seed)
    if "gate3" in wanted:
        result.gates["gate3"], result.series = run_gate3(aligned, settings.gate3, fast=fast, seed=seed,
                                                         test_from=test_from)
    return result


def _output_table(folder: Path) -> Path:
    for name in ("output.csv", "output.parquet"):
        if (folder / name).is_file():
            return folder / name
    raise GateInputError(f"no output.csv in {folder}",
                         "fetch the kernel's results first (kaggle_fetch) — the notebook must write output.csv")


def run_for_attempt(
    workspace: Any,
    feature: str,
    attempt: int,
    gates: Iterable[Any] | str = GATE_NAMES,
    fast: bool = False,
    *,
    base: Any = None,
    target: Any = None,
) -> GateResult:
    """Gates for ``results/<feature>_<attempt>/``: store the JSON in state, write gates.md + PNGs.

    ``base``/``target`` default to ``goldloop.data.load_base_table(config)``.
    """
    from goldloop.config import load_config
    from goldloop.gates.inputs import read_metrics, read_table
    from goldloop.gates.report import write_gate_report
    from goldloop.names import check_attempt, check_feature
    from goldloop.state.ops import update_attempt
    from goldloop.state.store import StateStore
    from goldloop.workspace import Workspace, find_workspace

    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    check_feature(feature)
    check_attempt(attempt)
    wanted = normalize_gates(gates)
    store = StateStore(ws)
    if store.read().record(feature).attempt(attempt) is None:
        raise GateInputError(f"state has no {feature} attempt {attempt}",
                             "start the attempt first (the orchestrator's start_attempt)")
    folder = ws.results / f"{feature}_{attempt}"
    new = read_table(_output_table(folder), "submodel output")
    metrics = read_metrics(folder / "metrics.json") if "gate1" in wanted else None
    config = load_config(ws.root)
    if base is None or target is None:
        try:
            from goldloop.data import load_base_table
        except ImportError as exc:
            raise GateInputError("the data module (goldloop.data.load_base_table) is not available",
                                 "install goldloop completely, or pass base= and target=") from exc
        loaded_base, loaded_target = load_base_table(config, ws.root)
        base = loaded_base if base is None else base
        target = loaded_target if target is None else target
    from goldloop.data import data_split

    result = check(new, base, target, metrics=metrics, settings=config.gates, gates=wanted, fast=fast,
                   periods=data_split(config, ws.root))
    report = write_gate_report(folder, result, title=f"{feature} attempt {attempt}")
    result.inputs["report"] = report.relative_to(ws.root).as_posix()
    update_attempt(store, feature, attempt, actor="evaluator",
                   summary=f"gates: {feature} attempt {attempt} - {result.summary()}", gates=result.to_dict())
    return result
