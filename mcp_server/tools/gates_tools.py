"""run_gates: Gate 1/2/3 for one submodel attempt."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_server.tools.common import AttemptNo, FeatureName, WorkspaceArg, run, workspace

GateName = Literal["gate1", "gate2", "gate3"]


def register(server: Any) -> None:
    @server.tool()
    def run_gates(
        feature: FeatureName,
        attempt: AttemptNo,
        gates: Annotated[list[GateName], Field(min_length=1)] = ["gate1", "gate2", "gate3"],  # noqa: B006
        fast: bool = False,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Run Gate 1 (quality, leakage), Gate 2 (information gain) and/or Gate 3 (walk-forward
        ablation with bootstrap CIs) on results/<feature>_<attempt>/output.csv. Stores the verdict
        in state and writes results/<feature>_<attempt>/gates.md with plots."""
        from goldloop.gates import run_for_attempt

        ws = workspace(workspace_dir)
        return run(run_for_attempt, ws, feature, attempt, gates=tuple(gates), fast=fast).to_dict()
