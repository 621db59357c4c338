"""Stop an attempt's run, saying honestly what the backend allows.

Kaggle's public API has no way to stop a session: the cancel endpoint wants a session id
that no answer carries (a maintainer: it "is not currently exposed outside the server",
kaggle-api PR #1174). Deleting the kernel is the one API way to stop it, and deletes its
code, versions and outputs too — so only with the user's explicit ``--delete-kernel``; it is
recorded in the job file and state. Without it, the answer points to the kernel's web page.
The local backend stops its process either way.
"""

from __future__ import annotations

from typing import Any

from goldloop.errors import GoldloopError
from goldloop.kaggle.backends import check_kernel_ref, get_backend
from goldloop.kaggle.jobs import attempt_kernel, context, load_job, save_job
from goldloop.state.model import utcnow


def cancel(workspace: Any, feature: str | None = None, attempt: int | None = None, *, kernel: str | None = None,
           delete_kernel: bool = False, backend: str | None = None) -> dict[str, Any]:
    """Stop by feature/attempt (the kernel recorded at submit) or by ``kernel`` reference."""
    ctx = context(workspace)
    if kernel is None:
        if feature is None or attempt is None:
            raise GoldloopError("say what to cancel", "pass FEATURE ATTEMPT, or --kernel owner/slug")
        kernel, job = attempt_kernel(ctx, feature, attempt)
    else:
        check_kernel_ref(kernel)
        job = load_job(ctx, kernel)
    chosen = get_backend(backend or job.get("backend"), ctx.ws, ctx.config)
    result = {**chosen.cancel(kernel, delete_kernel=delete_kernel), "backend": chosen.name}
    feature, attempt = feature or job.get("feature"), attempt or job.get("attempt")
    if result.get("deleted") and feature and attempt:
        from goldloop.kaggle.monitor import record_failure

        outcome = record_failure(ctx, kernel, feature, int(attempt), "cancelled",
                                 f"the kernel {kernel} was deleted on Kaggle by request (goldloop kaggle cancel "
                                 "--delete-kernel): its run, versions and outputs are gone", None)
        save_job(ctx, kernel, deleted_at=utcnow(), phase="done", outcome=outcome)
        result["state_updated"] = outcome["state_updated"]
    return result
