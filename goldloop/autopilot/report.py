"""The run report: markdown plus the pipeline plots (progress over time, gates per feature).

The final evaluation's own report and plots (baseline vs final, overfitting progress, equity
curves) come from ``goldloop.gates``; this page links them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from goldloop.state.model import State

REPORT_DIR = Path("results") / "run"


def _plot_progress(state: State, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    events = [e for e in state.history if e.feature]
    if not events:
        return
    start = datetime.fromisoformat(events[0].at.replace("Z", "+00:00"))
    lanes = list(dict.fromkeys(e.feature for e in events))
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(lanes) + 1.6))
    colors = {"pass": "tab:green", "fail": "tab:red"}
    for e in events:
        t = (datetime.fromisoformat(e.at.replace("Z", "+00:00")) - start).total_seconds() / 60
        verdict = "pass" if " - PASS" in e.summary else "fail" if " - FAIL" in e.summary else None
        ax.scatter(t, lanes.index(e.feature), s=30 if verdict else 8,
                   color=colors.get(verdict, "tab:gray"), zorder=3)
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_xlabel("minutes since the first attempt started")
    ax.set_title("Pipeline progress (green: passed, red: failed, grey: stage steps)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _gate_rows(state: State) -> list[tuple[str, int, dict[str, Any], str | None]]:
    rows = []
    for name, rec in state.features.items():
        for att in rec.attempts:
            rows.append((name, att.number, att.gates.get("gates", att.gates), att.verdict))
    return rows


def _plot_gates(state: State, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows = _gate_rows(state)
    if not rows:
        return
    gate_names = ["gate1", "gate2", "gate3"]
    grid = np.full((len(rows), 3), np.nan)
    for i, (_, _, gates, _) in enumerate(rows):
        for j, g in enumerate(gate_names):
            if isinstance(gates.get(g), dict) and "pass" in gates[g]:
                grid[i, j] = 1.0 if gates[g]["pass"] else 0.0
    fig, ax = plt.subplots(figsize=(5, 0.35 * len(rows) + 1.5))
    ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(3), ["Gate 1", "Gate 2", "Gate 3"])
    ax.set_yticks(range(len(rows)), [f"{n} #{a}" for n, a, _, _ in rows])
    for i in range(len(rows)):
        for j in range(3):
            label = "—" if np.isnan(grid[i, j]) else ("pass" if grid[i, j] else "fail")
            ax.text(j, i, label, ha="center", va="center", fontsize=8)
    ax.set_title("Gates per feature attempt")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_attempts(state: State, path: Path) -> bool:
    """Metric over attempts: Gate 3's ΔDA and Gate 2's MI gain per feature, validation DA for meta."""
    from goldloop.attempts import attempt_table

    rows = attempt_table(state)
    if not rows:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r["feature"] for r in rows))
    fig, axes = plt.subplots(len(names), 1, figsize=(7, 2.1 * len(names) + 0.6), squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        mine = [r for r in rows if r["feature"] == name]
        x = [r["attempt"] for r in mine]
        series = ([("score", "validation DA")] if name == "meta"
                  else [("delta_da_pp", "Gate 3 ΔDA (pp)"), ("mi_gain", "Gate 2 MI gain")])
        for key, label in series:
            y = [r[key] if r[key] is not None else float("nan") for r in mine]
            ax.plot(x, y, marker="o", label=label)
        for r in mine:
            if r["verdict"]:
                ax.axvline(r["attempt"], color="tab:green" if r["verdict"] == "pass" else "tab:red",
                           alpha=0.15, lw=6)
        ax.set_title(name, fontsize=9, loc="left")
        ax.set_xticks(x)
        ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("attempt (band: green passed, red failed)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


HEADLINE = (("direction_accuracy", "DA"), ("high_confidence_da", "HC-DA"), ("mae", "MAE %"),
            ("sharpe", "Sharpe"))
BASELINE_LABELS = {"always_long": "always long", "yesterday_sign": "yesterday", "raw_feature_xgboost": "raw XGB",
                   "momentum_20d": "mom. 20d"}


def headline_table(evaluation: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The key numbers: each metric's final value, target, verdict and every baseline."""
    baselines = evaluation.get("baselines", {})
    header = ["metric", "final", "target", "verdict", *(BASELINE_LABELS.get(b, b) for b in baselines)]
    rows = []
    for key, label in HEADLINE:
        verdict = evaluation.get("verdicts", {}).get(key, {})
        target = verdict.get("target")
        comparison = verdict.get("comparison", "")
        rows.append([label, _fmt(evaluation.get("metrics", {}).get(key)),
                     f"{comparison} {target}" if target is not None else "—", verdict.get("status", "—"),
                     *[_fmt(b.get(key)) for b in baselines.values()]])
    dsr = evaluation.get("deflated_sharpe", {})
    if dsr:
        rows.append(["DSR", _fmt(dsr.get("dsr")), "—",
                     f"{int(dsr.get('n_trials', 0))} trials", *["" for _ in baselines]])
    return header, rows


def write_run_report(workspace: Any, state: State, evaluation: dict[str, Any] | None) -> Path:
    folder = workspace.root / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    _plot_progress(state, folder / "pipeline_progress.png")
    _plot_gates(state, folder / "gates_per_feature.png")
    from goldloop.attempts import attempt_table, to_csv

    over_attempts = _plot_attempts(state, folder / "metric_over_attempts.png")
    (folder / "attempts.csv").write_text(to_csv(attempt_table(state)), encoding="utf-8", newline="")
    lines = [f"# goldloop run report — {state.project}", "", f"Status: **{state.status.value}**", ""]
    lines += ["## Features", "", "| feature | status | attempts | kept attempt | verdicts |", "|---|---|---|---|---|"]
    for name, rec in state.features.items():
        verdicts = " ".join(f"#{a.number}:{a.verdict or '…'}" for a in rec.attempts)
        lines.append(f"| {name} | {rec.status.value} | {len(rec.attempts)} | {rec.best_attempt or '—'} | {verdicts} |")
    meta = state.meta
    lines += ["", "## Meta-model", "",
              f"{len(meta.attempts)} attempts; best: {meta.best_attempt}; "
              f"attempts since best: {meta.attempts_since_best}", "",
              "| attempt | validation DA | verdict | plan |", "|---|---|---|---|"]
    for att in meta.attempts:
        lines.append(f"| {att.number} | {_fmt(att.metrics.get('score', '—'))} | {att.verdict or '…'} | {att.plan or ''} |")
    if evaluation:
        (folder / "final_evaluation.json").write_text(json.dumps(evaluation, indent=2, default=str) + "\n",
                                                      encoding="utf-8")
        header, rows = headline_table(evaluation)
        lines += ["", f"## Final evaluation (test split {evaluation.get('start')} – {evaluation.get('end')}, "
                  f"{evaluation.get('n_test')} days)", "", "| " + " | ".join(header) + " |",
                  "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        if evaluation.get("report"):
            lines += ["", f"Full final report: `{evaluation['report']}`"]
    lines += ["", "![pipeline progress](pipeline_progress.png)", "", "![gates](gates_per_feature.png)", ""]
    if over_attempts:
        lines += ["Every attempt, with its gate figures: `attempts.csv` (or `goldloop attempts`).", "",
                  "![metric over attempts](metric_over_attempts.png)", ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
