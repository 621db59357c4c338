"""Confirm a meta-model attempt as final: the final evaluation (with every baseline on the same
test days), then the state's final decision. Used by the autopilot and the evaluator's tool."""

from __future__ import annotations

from typing import Any

from goldloop.workspace import Workspace


def confirm_final(workspace: Workspace, attempt: int) -> dict[str, Any]:
    from goldloop.config import load_config
    from goldloop.gates import final_for_attempt
    from goldloop.models.baselines import raw_feature_forecasts
    from goldloop.state.ops import finalize
    from goldloop.state.store import StateStore

    config = load_config(workspace.root)
    evaluation = final_for_attempt(workspace, attempt, baselines=raw_feature_forecasts(config=config, root=workspace.root))
    finalize(StateStore(workspace), attempt, summary=f"meta-model attempt {attempt} confirmed as final",
             metrics=evaluation.get("metrics", {}), waivers=dict(config.gates.final.waivers))
    return evaluation
