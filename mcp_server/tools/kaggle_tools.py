"""kaggle_submit, kaggle_monitor, kaggle_fetch, kaggle_cancel, kaggle_dataset_push, kaggle_classify."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_server.tools.common import AttemptNo, FeatureName, WorkspaceArg, run, workspace

BackendName = Annotated[Literal["local", "kaggle"] | None, Field(description="default: [kaggle] backend")]


def register(server: Any) -> None:
    @server.tool()
    def kaggle_submit(
        folder: Annotated[str, Field(min_length=1, description="kernel folder, e.g. notebooks/vix_1")],
        feature: FeatureName,
        attempt: AttemptNo,
        backend: BackendName = None,
        start_monitor: bool = True,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """The only way to push a kernel: validate (refused with findings on errors), push, record
        waiting_training in state, commit 'kaggle: <feature> attempt <n> - submitted', start the monitor.
        A kernel with a queued/running session is never pushed again (adopted instead); busy GPU slots
        queue the attempt (its monitor pushes it later). Push warnings (invalid sources) are returned."""
        from goldloop.kaggle.submit import submit

        return run(submit, workspace(workspace_dir), folder, feature, attempt, backend=backend,
                   start_monitor=start_monitor)

    @server.tool()
    def kaggle_monitor(
        action: Literal["start", "status", "stop", "restart"],
        feature: FeatureName | None = None,
        attempt: AttemptNo | None = None,
        poll_seconds: Annotated[float | None, Field(gt=0)] = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """start (needs feature+attempt; a no-op when one runs), status (every monitor), stop, or
        restart (the dead monitor of the attempt state waits on). Never poll Kaggle by hand."""
        from mcp.server.fastmcp.exceptions import ToolError

        from goldloop.kaggle import monitor

        ws = workspace(workspace_dir)
        if action == "start":
            if feature is None or attempt is None:
                raise ToolError("action=start needs feature and attempt")
            return run(monitor.start, ws, feature, attempt, poll_seconds=poll_seconds)
        if action == "stop":
            return {"stopped": run(monitor.stop, ws, feature, attempt)}
        if action == "restart":
            return {"restarted": run(monitor.restart_dead, ws)}
        return {"monitors": run(monitor.status, ws)}

    @server.tool()
    def kaggle_fetch(feature: FeatureName, attempt: AttemptNo, workspace_dir: WorkspaceArg = None) -> dict[str, Any]:
        """Download the attempt's outputs and log into results/<feature>_<attempt>/ (state is the monitor's job)."""
        from goldloop.kaggle.fetch import fetch

        return run(fetch, workspace(workspace_dir), feature, attempt)

    @server.tool()
    def kaggle_cancel(
        feature: FeatureName | None = None,
        attempt: AttemptNo | None = None,
        kernel: Annotated[str | None, Field(description="owner/slug instead of feature+attempt")] = None,
        delete_kernel: Annotated[bool, Field(
            description="Kaggle: delete the kernel (code, versions, outputs) — the only API way to stop its "
                        "session. Only with the user's explicit consent.")] = False,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Stop a kernel's run as far as the backend allows. Kaggle cannot stop a session through its
        API: without delete_kernel the answer gives the page to stop it by hand."""
        from goldloop.kaggle.cancel import cancel

        return run(cancel, workspace(workspace_dir), feature, attempt, kernel=kernel, delete_kernel=delete_kernel)

    @server.tool()
    def kaggle_dataset_push(feature: FeatureName, attempt: AttemptNo, backend: BackendName = None,
                            workspace_dir: WorkspaceArg = None) -> dict[str, Any]:
        """Publish data/<feature>_<attempt>/ as owner/gold-<feature>-data and list it in the kernel metadata."""
        from goldloop.kaggle.datasets import push_dataset

        return run(push_dataset, workspace(workspace_dir), feature, attempt, backend=backend)

    @server.tool()
    def kaggle_classify(
        logfile: Annotated[str, Field(min_length=1, description="kernel log (Kaggle JSON or text); "
                                      "relative paths are taken from the workspace")],
        status: Annotated[str | None, Field(description="the run's state if known (error, complete, "
                                            "cancelled): a failed run is never classed 'none'")] = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Classify a run's log: {error_type, route, evidence}. Pass the run's status when known."""
        from pathlib import Path

        from mcp.server.fastmcp.exceptions import ToolError

        from goldloop.kaggle.classify import classify_log

        path = Path(logfile)
        if not path.is_absolute():
            path = workspace(workspace_dir).root / path
        if not path.is_file():
            raise ToolError(f"{logfile} does not exist")
        result = run(classify_log, path, status=status).to_dict()
        return {k: result[k] for k in ("error_type", "route", "evidence")}
