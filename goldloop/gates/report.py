"""Markdown reports and PNG plots (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _checks_table(checks: list[dict[str, Any]]) -> list[str]:
    lines = ["| check | result | value | threshold | detail |", "|---|---|---|---|---|"]
    for c in checks:
        word = "skipped" if c.get("skipped") else ("PASS" if c["pass"] else "**FAIL**")
        lines.append(f"| {c['name']} | {word} | {_fmt(c['value'])} | {_fmt(c['threshold'])} | {c['detail']} |")
    return lines


def _plot_checks(gates: dict[str, dict[str, Any]], path: Path) -> None:
    """Each numeric check as value / threshold: bars past the dashed line at 1 break the rule."""
    plt = _plt()
    rows = [(g, c) for g, gate in gates.items() if g != "gate3" for c in gate["checks"]
            if isinstance(c["value"], int | float) and isinstance(c["threshold"], int | float) and c["threshold"]]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.5))
    if rows:
        labels = [f"{g}: {c['name']}" for g, c in rows]
        ratios = [abs(c["value"]) / abs(c["threshold"]) for _, c in rows]
        colors = ["tab:green" if c["pass"] else "tab:red" for _, c in rows]
        ax.barh(labels, ratios, color=colors)
        ax.axvline(1.0, ls="--", color="k", lw=1)
        ax.invert_yaxis()
    ax.set_xlabel("|value| / threshold (mi_increase must exceed 1, the others stay below)")
    ax.set_title("Gate 1 and Gate 2 figures against their thresholds")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_deltas(gate3: dict[str, Any], path: Path) -> None:
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for ax, (name, d) in zip(axes, gate3["deltas"].items(), strict=True):
        lo, hi = d["ci"]
        color = "tab:orange" if d["meets_threshold"] else "tab:red"
        ax.errorbar([0], [d["value"]], yerr=[[d["value"] - lo], [hi - d["value"]]], fmt="o", color=color, capsize=6)
        ax.axhline(0, color="k", lw=0.8)
        ax.axhline(d["threshold"], ls="--", color="tab:blue", lw=1, label="threshold")
        ax.set_xticks([])
        ax.set_title(f"Δ {name}\np = {d['p_value']:.3f}", fontsize=9)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Gate 3 secondary deltas (XGBoost arms, the original's rule), 95% block-bootstrap CI; "
                 f"verdict (primary test): {gate3['verdict']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_equity(curves: dict[str, tuple[Any, np.ndarray]], path: Path, title: str) -> list[str]:
    """Cumulative strategy return (percent, after costs) of each named daily series; returns the
    legend's labels.

    Lines that overlap stay visible: each later line is thinner and dashed differently, drawn on
    top, and a curve identical to an earlier one says so in the legend.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4))
    styles = ["-", "--", "-.", ":"]
    drawn: dict[str, np.ndarray] = {}
    for i, (name, (dates, returns)) in enumerate(curves.items()):
        path_ = np.cumsum(np.asarray(returns, float))
        same = next((other for other, p in drawn.items() if p.shape == path_.shape and np.allclose(p, path_)), None)
        label = f"{name} (identical to {same})" if same else name
        ax.plot(dates, path_, label=label, lw=max(3.0 - 0.6 * i, 0.9), ls=styles[i % len(styles)], zorder=2 + i)
        drawn[name] = path_
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylabel("cumulative return, % (after costs)")
    ax.set_title(title)
    legend = ax.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [text.get_text() for text in legend.get_texts()]


def write_gate_report(folder: str | Path, result: Any, title: str = "") -> Path:
    """``gates.md`` plus gate_checks.png, gate3_deltas.png, gate3_equity.png in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Gates: {title}".rstrip(": "), "", f"**Verdict: {result.summary()}**", "",
             f"Rows {result.inputs.get('rows')} ({result.inputs.get('start')} .. {result.inputs.get('end')}), "
             f"new columns: {', '.join(result.inputs.get('new_columns', []))}; "
             f"base columns: {result.inputs.get('base_columns')}.", ""]
    if any(g in result.gates for g in ("gate1", "gate2")):
        _plot_checks(result.gates, folder / "gate_checks.png")
    for name, gate in result.gates.items():
        lines += [f"## {name.replace('gate', 'Gate ')}: {gate.get('verdict') or ('PASS' if gate['pass'] else 'FAIL')}", ""]
        lines += _checks_table(gate["checks"]) + [""]
        if name == "gate2":
            mi = gate["mutual_information"]
            lines += [f"Mutual information: {mi['estimator']}; per-feature MI (scikit-learn): "
                      + ", ".join(f"{k} {v:.4f}" for k, v in mi["per_feature_mi_sklearn"].items()), ""]
        if name == "gate3":
            des, pri = gate["design"], gate["primary"]
            lines += [f"**Primary test** ({pri['test']}): statistic {pri['statistic']:+.3f}, one-sided p "
                      f"{pri['p_value']:.4f} (pass below {pri['alpha']}); out-of-sample IC of the new columns' "
                      f"contribution {pri['oos_ic_of_contribution']:+.4f}. Walk-forward, {des['folds']} folds, "
                      f"embargo {des['embargo_days']} days, {des['test_days']} test days "
                      f"({des['test_start']} .. {des['test_end']}), cost {des['cost_bps']} bps.", "",
                      f"The original's rule (any of DA +0.5 pp, Sharpe +0.05, MAE −0.01 pp on XGBoost arms, "
                      f"{des['seeds']} seed(s) × {des['rounds']} rounds, starting from the training mean): "
                      f"{'met' if gate['original_rule_met'] else 'not met'} — a secondary figure "
                      f"(paired moving-block bootstrap, {des['bootstrap_samples']} samples, blocks of "
                      f"{des['block_days']} days).", "",
                      "| arm (ridge, primary) | DA | Sharpe | MAE | days short |", "|---|---|---|---|---|"]
            for arm in ("always_long", "base", "with_new"):
                m = gate[arm]
                lines.append(f"| {arm} | {m['direction_accuracy']:.4f} | {m['sharpe']:.3f} | {m['mae']:.4f} | "
                             f"{m['days_short']} |")
            dm = gate["diebold_mariano"]["mse"]
            lines += ["", f"Diebold–Mariano (squared error, HAC; unadjusted for nesting, so conservative): "
                      f"stat {dm['dm_stat']:.3f}, one-sided p {dm['p_value']:.4f}.",
                      "", "![deltas](gate3_deltas.png)", "", "![equity](gate3_equity.png)", ""]
            _plot_deltas(gate, folder / "gate3_deltas.png")
            s = result.series
            if s:
                plot_equity({"base": (s["dates"], s["returns_base"]), "base + new": (s["dates"], s["returns_new"])},
                            folder / "gate3_equity.png", "Gate 3 walk-forward equity, with and without the new columns")
    if any(g in result.gates for g in ("gate1", "gate2")):
        lines += ["![checks](gate_checks.png)", ""]
    path = folder / "gates.md"
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


def _plot_baselines(evaluation: dict[str, Any], path: Path) -> None:
    plt = _plt()
    rows = {"final model": evaluation["metrics"], **evaluation["baselines"]}
    names = list(rows)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    da = [rows[n]["direction_accuracy"] or 0 for n in names]
    ci = np.array([rows[n].get("direction_accuracy_ci") or [np.nan, np.nan] for n in names], float)
    err = np.nan_to_num(np.vstack([np.array(da) - ci[:, 0], ci[:, 1] - np.array(da)]))
    axes[0].bar(names, da, yerr=err, capsize=4, color="tab:blue")
    axes[0].axhline(evaluation["targets"]["direction_accuracy"], ls="--", color="k", label="target")
    axes[0].axhline(0.5, color="grey", lw=0.6)
    axes[0].set_title("Direction accuracy (95% Wilson interval)")
    axes[0].legend()
    axes[1].bar(names, [rows[n]["sharpe"] or 0 for n in names], color="tab:orange")
    axes[1].axhline(evaluation["targets"]["sharpe"], ls="--", color="k")
    axes[1].set_title("Sharpe after costs")
    for ax in axes:
        ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_overfitting(history: list[dict[str, Any]], path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    xs = [h["attempt"] for h in history]
    for key, label in (("train_da", "train DA"), ("val_da", "validation DA")):
        ax.plot(xs, [h.get(key) if h.get(key) is not None else np.nan for h in history], "o-", label=label)
    ax.set_xlabel("meta-model attempt")
    ax.set_ylabel("direction accuracy")
    ax.set_xticks(xs)
    ax.set_title("Overfitting progress: train vs validation DA per attempt (the test years: final only)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_final_report(folder: str | Path, evaluation: dict[str, Any], attempts_history: list[dict[str, Any]]) -> Path:
    """``final.md`` plus final_baselines.png, final_overfitting.png, final_equity.png."""
    import pandas as pd

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    m = evaluation["metrics"]
    lines = ["# Final evaluation of the meta-model", "",
             f"Test split: {evaluation['n_test']} days ({evaluation['start']} .. {evaluation['end']}), "
             f"cost {evaluation['cost_bps']} bps per position change.", "",
             f"**{evaluation['positions']['statement']}**", "",
             "| metric | value | target | status | note |", "|---|---|---|---|---|"]
    for name, row in evaluation["verdicts"].items():
        lines.append(f"| {name} | {_fmt(row['value'])} | {row['comparison']} {_fmt(row['target'])} | "
                     f"**{row['status']}** | {row.get('reason') or ''} |")
    lo, hi = m["direction_accuracy_ci"]
    lines += ["", f"Direction accuracy {m['direction_accuracy']:.4f}, 95% interval [{_fmt(lo)}, {_fmt(hi)}].", "",
              "## Baselines on the same split", "", "| baseline | DA | DA 95% interval | HC-DA | MAE | Sharpe |",
              "|---|---|---|---|---|---|"]
    for name, b in evaluation["baselines"].items():
        blo, bhi = b["direction_accuracy_ci"]
        lines.append(f"| {name} | {_fmt(b['direction_accuracy'])} | [{_fmt(blo)}, {_fmt(bhi)}] | "
                     f"{_fmt(b['high_confidence_da'])} | {_fmt(b['mae'])} | {_fmt(b['sharpe'])} |")
    d = evaluation["deflated_sharpe"]
    lines += ["", "## How much survives the search", "",
              f"Deflated Sharpe Ratio (Bailey & López de Prado 2014) over {int(d['n_trials'])} trial(s): "
              f"**{_fmt(d['dsr'])}** — the probability that the true Sharpe exceeds the best that "
              f"{int(d['n_trials'])} zero-skill trials would show by luck (annualised benchmark "
              f"{_fmt(d['expected_max_sharpe_annualised'])}, observed {_fmt(d['sharpe_annualised'])}; "
              f"PSR against 0: {_fmt(d['psr'])}).", ""]
    gap = evaluation.get("overfitting_gap")
    if gap:
        lines += [f"Train DA {_fmt(gap['train_da'])} vs test DA {_fmt(gap['test_da'])}: gap {_fmt(gap['gap_pp'])} pp.", ""]
    _plot_baselines(evaluation, folder / "final_baselines.png")
    lines += ["![baselines](final_baselines.png)", ""]
    if attempts_history:
        _plot_overfitting(attempts_history, folder / "final_overfitting.png")
        lines += ["![overfitting](final_overfitting.png)", ""]
    curves = evaluation.get("curves") or {}
    if curves.get("dates"):
        dates = pd.to_datetime(curves["dates"])
        labels = plot_equity({n: (dates, np.asarray(r, float)) for n, r in curves["returns"].items()},
                             folder / "final_equity.png", "Test-split equity: final model vs baselines")
        same = [label for label in labels if "(identical to " in label]
        lines += ["![equity](final_equity.png)", ""] + (
            [f"Lines drawn on top of each other: {'; '.join(same)}.", ""] if same else [])
    path = folder / "final.md"
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path
