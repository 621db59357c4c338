"""project_spec, data_fetch, data_check, notebook_build: the project, the data stage, the datacheck, the kernel builder."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mcp_server.tools.common import AttemptNo, FeatureName, WorkspaceArg, run, workspace

Params = Annotated[
    dict[str, Any] | None,
    Field(description="parameters of the attempt: submodel ones (e.g. {\"n_states\": 3}), or "
                      "for 'meta' XGBoost ones plus n_trials, fast, submodels {feature: attempt}"),
]


def register(server: Any) -> None:
    @server.tool()
    def project_spec(
        with_data: Annotated[bool, Field(description="also load the data: columns, span, split dates")] = False,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """The project this workspace forecasts (goldloop.toml [project]): {name, target {series,
        derive, unit, description, column}, panel, series, features, families {origin,
        description, submodel, inputs, file}, final_targets, data?, split?}. Read it first:
        the target is the project's, not necessarily gold."""
        from goldloop.project import describe, validate_project

        ws = workspace(workspace_dir)
        run(validate_project, ws)
        return run(describe, ws, with_data)

    @server.tool()
    def data_fetch(
        feature: FeatureName,
        attempt: AttemptNo,
        params: Params = None,
        live: Annotated[bool, Field(description="also fetch the family's live FRED/Yahoo series")] = False,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Write the attempt's input table to data/<feature>_<attempt>/ with Kaggle dataset
        metadata: {folder, files, live?}. Live-only families without live data are refused."""
        from goldloop.data import write_attempt_data
        from goldloop.data.live import fetch_family

        ws = workspace(workspace_dir)
        out: dict[str, Any] = {}
        if live:
            out["live"] = run(fetch_family, feature)
        folder = run(write_attempt_data, ws, feature, attempt, params)
        out.update(folder=str(folder), files=sorted(p.name for p in folder.iterdir()))
        return out

    @server.tool()
    def data_check(
        feature: FeatureName,
        attempt: AttemptNo,
        as_of: Annotated[str | None, Field(description="no row may be dated after this (YYYY-MM-DD)")] = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """The 7-step datacheck on data/<feature>_<attempt>/: {passed, status, steps[{step, name,
        status, message}], markdown}. passed=false: stop the attempt with the FAIL's reason."""
        from goldloop.data.attempt import check_attempt_data

        report = run(check_attempt_data, workspace(workspace_dir), feature, attempt, as_of)
        return {**report.to_dict(), "markdown": report.to_markdown()}

    @server.tool()
    def notebook_build(
        feature: FeatureName,
        attempt: AttemptNo,
        params: Params = None,
        owner: Annotated[str | None, Field(description="Kaggle owner; default from goldloop.toml")] = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Render notebooks/<feature>_<attempt>/ (notebook + kernel-metadata.json) from the
        template, goldloop's code inlined. Validate it with validate_notebook before submitting."""
        from goldloop.notebooks import build_kernel

        folder = run(build_kernel, workspace(workspace_dir), feature, attempt, params=params, owner=owner)
        return {"folder": str(folder), "files": sorted(p.name for p in folder.iterdir())}
