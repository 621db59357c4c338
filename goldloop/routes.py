"""Where a failed training run goes next: error class → agent and instruction.

A data table, read by the planner (``state.planner``) and the monitor. The patterns that
recognise each class in a kernel log live with the classifier in ``goldloop.kaggle``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    agent: str
    instruction: str
    auto_resubmit: bool = False  # resubmit the same kernel unchanged, without a person
    # Who takes over instead when the fix is upstream (dataset_missing: the source was never
    # published, so builder_data must publish it rather than builder_model fixing a path).
    agent_if_source_missing: str | None = None


ERROR_ROUTES: dict[str, Route] = {
    "oom": Route("builder_model", "Out of memory: reduce batch size, model size or data held in memory, then resubmit."),
    "pandas_compat": Route("builder_model", "A pandas API changed: replace the removed or deprecated call (see the validator's pandas_api rule)."),
    "dataset_missing": Route("builder_model", "An input file was not found: fix the dataset path (try both /kaggle/input shapes) or, if the source does not exist, ask builder_data to publish it.",
                             agent_if_source_missing="builder_data"),
    "network_timeout": Route("orchestrator", "A network call timed out: resubmit the same kernel unchanged.", auto_resubmit=True),
    "module_not_found": Route("builder_model", "A module is missing on the kernel image: use an available library or install it (needs enable_internet)."),
    "cuda_error": Route("builder_model", "A CUDA error: check device placement and enable_gpu, or fall back to CPU."),
    "timeout_limit": Route("builder_model", "The run hit the time limit: cut the search budget, epochs or data size."),
    "disk_full": Route("builder_model", "Disk full: write fewer or smaller files to /kaggle/working."),
    "syntax_error": Route("builder_model", "The notebook has a syntax error: fix it; the validator should have caught it — add a rule."),
    "auth_error": Route("orchestrator", "Kaggle refused the credentials: check KAGGLE_USERNAME/KAGGLE_KEY or KAGGLE_API_TOKEN, then resubmit."),
    "api_conflict": Route("orchestrator", "Kaggle refused the push with 409: another kernel of yours has this title/slug; give the kernel a title that slugifies to its id and resubmit."),
    "internet_disabled": Route("builder_model", "A host name could not be resolved: the kernel has no internet. Set enable_internet in kernel-metadata.json or ship the data as a Kaggle dataset."),
    "unknown": Route("builder_model", "Unclassified failure: read error_context and the log; if the cause is unclear, ask a person."),
    # Not a failure: the run succeeded (possibly with alarming warnings).
    "none": Route("evaluator", "The run succeeded; warnings only. Fetch the outputs and run the gates."),
}


def route_for(error_type: str | None) -> Route:
    return ERROR_ROUTES.get(error_type or "unknown", ERROR_ROUTES["unknown"])
