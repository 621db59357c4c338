"""state_get, state_transition, next_action, commit_step."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.fastmcp.exceptions import ToolError
from pydantic import Field

from mcp_server.tools.common import AttemptNo, FeatureName, WorkspaceArg, run, workspace

StatusName = Literal[
    "not_started", "in_progress", "waiting_training", "training_complete",
    "training_failed", "evaluated", "completed",
]
StageName = Literal[
    "entrance", "research", "design", "data", "datacheck", "model", "kaggle", "eval", "final"
]
AgentName = Literal[
    "orchestrator", "entrance", "researcher", "architect", "builder_data",
    "datachecker", "builder_model", "evaluator",
]


def register(server: Any) -> None:
    @server.tool()
    def state_get(
        view: Literal["summary", "table", "attempt", "history", "full"] = "summary",
        feature: FeatureName | None = None,
        attempt: AttemptNo | None = None,
        page: Annotated[int, Field(ge=1)] = 1,
        page_size: Annotated[int, Field(ge=1, le=100)] = 20,
        full: bool = False,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Read shared/state.json, compactly. view: summary (default: status, current attempt,
        per-feature counts, final); table (/status: per feature, each attempt's stage, verdict,
        Gate 1/2/3 marks and headline metrics); attempt (one attempt in detail: feature=…,
        attempt=… or the latest); history (events newest first, page/page_size); full (every
        record with gate marks and headline metrics, no history). full=true is view=full."""
        from goldloop.config import load_config
        from goldloop.state import views
        from goldloop.state.store import StateStore

        ws = workspace(workspace_dir)
        state = run(StateStore(ws).read)
        view = "full" if full else view
        if view == "table":
            order = list(run(load_config, ws.root).features)
            return {**{k: v for k, v in state.summary().items() if k not in ("features", "meta")},
                    "table": views.status_table(state, order)}
        if view == "attempt":
            if feature is None:
                raise ToolError("view=attempt needs feature (and optionally attempt)")
            detail = views.attempt_detail(state, feature, attempt)
            if detail is None:
                raise ToolError(f"{feature} has no attempt {attempt or ''}".strip())
            return detail
        if view == "history":
            return views.history_page(state, page, page_size)
        if view == "full":
            return views.full_view(state)
        return state.summary()

    @server.tool()
    def state_transition(
        status: StatusName,
        summary: Annotated[str, Field(min_length=1, max_length=2000)],
        actor: AgentName = "orchestrator",
        stage: StageName | None = None,
        feature: FeatureName | None = None,
        attempt: AttemptNo | None = None,
        resume_from: AgentName | None = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Move the loop to another status. Illegal transitions are refused with the allowed ones."""
        from goldloop.state.ops import transition
        from goldloop.state.store import StateStore

        extra = {"resume_from": resume_from} if resume_from else {}
        state = run(transition, StateStore(workspace(workspace_dir)), status, actor=actor,
                    summary=summary, stage=stage, feature=feature, attempt=attempt, **extra)
        return state.summary()

    @server.tool()
    def next_action(workspace_dir: WorkspaceArg = None) -> dict[str, Any]:
        """What happens next: {agent, feature, attempt, instruction, reason, kind}, plus
        ``also_possible``: the other independent steps that may run now (other features may
        start or be evaluated while a kernel trains; never two attempts of one feature)."""
        from goldloop.config import load_config
        from goldloop.state.planner import next_actions
        from goldloop.state.store import StateStore

        ws = workspace(workspace_dir)
        state = run(StateStore(ws).read)
        first, *others = next_actions(state, run(load_config, ws.root))
        return {**first.to_dict(), "also_possible": [a.to_dict() for a in others]}

    @server.tool()
    def state_decide(
        feature: FeatureName,
        attempt: AttemptNo,
        verdict: Literal["pass", "fail"],
        plan: Annotated[str | None, Field(max_length=4000)] = None,
        score: float | None = None,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Record the evaluator's verdict. Submodel: pass keeps it; fail at the attempt limit
        abandons it. Meta-model ('meta'): pass means it beat the best so far (score = its
        validation metric); fail counts toward the stop rule. Give the improvement plan on fail."""
        from goldloop.config import load_config
        from goldloop.state.ops import decide
        from goldloop.state.store import StateStore

        ws = workspace(workspace_dir)
        limits = run(load_config, ws.root).limits
        limit = limits.max_meta_attempts if feature == "meta" else limits.max_attempts_per_feature
        state = run(decide, StateStore(ws), feature, attempt, verdict, max_attempts=limit, plan=plan,
                    score=score)
        return state.summary()

    @server.tool()
    def final_confirm(attempt: AttemptNo, workspace_dir: WorkspaceArg = None) -> dict[str, Any]:
        """Final evaluation of meta-model attempt N on the test years (DA, HC-DA, MAE, Sharpe vs
        targets and baselines, Deflated Sharpe) and confirm it as final: the project completes."""
        from goldloop.finalize import confirm_final

        evaluation = run(confirm_final, workspace(workspace_dir), attempt)
        return {k: v for k, v in evaluation.items() if k != "curves"}

    @server.tool()
    def commit_step(
        stage: StageName,
        feature: FeatureName | None = None,
        attempt: AttemptNo | None = None,
        summary: Annotated[str | None, Field(max_length=200)] = None,
        push: bool = False,
        workspace_dir: WorkspaceArg = None,
    ) -> dict[str, Any]:
        """Commit the workspace's changes as one step ('kaggle: vix attempt 1 - submitted').
        Refuses .env and anything that looks like a credential."""
        from goldloop.config import Secrets
        from goldloop.gitlog import commit_step as commit

        ws = workspace(workspace_dir)
        result = run(commit, ws.root, stage, feature, attempt, summary, push=push,
                     secret_values=Secrets.load(ws.root).values())
        return result.to_dict()
