"""Where shared/state.json and the workspace's files disagree (used by Stop and SessionStart)."""

from __future__ import annotations

import re

from goldloop.names import META

LATE_STAGES = {"model", "kaggle", "eval"}
DATA_STAGES = {"datacheck", "model", "kaggle", "eval"}
FOLDER_RE = re.compile(r"^([a-z0-9_]{1,48})_(\d+)$")


def _filled(path) -> bool:
    return path.is_dir() and any(p.name != ".gitkeep" for p in path.iterdir())


def disagreements(ws, state) -> list[str]:
    """Human-readable problems; an empty list means state and files agree."""
    problems: list[str] = []
    feature, attempt = state.current_feature, state.current_attempt
    status = state.status.value
    tag = f"{feature}_{attempt}"
    if status == "waiting_training" and not state.kaggle_kernel:
        problems.append("state is waiting_training but records no kaggle_kernel")
    if feature and attempt:
        record = state.record(feature) if (feature == META or feature in state.features) else None
        current = record.attempt(attempt) if record else None
        stage = current.stage.value if current else None
        if (status in ("waiting_training", "training_complete") or stage in LATE_STAGES) and not (ws.notebooks / tag).is_dir():
            problems.append(f"{feature} attempt {attempt} is at stage {stage or status} but notebooks/{tag}/ does not exist")
        if status == "training_complete" and not _filled(ws.results / tag):
            problems.append(f"training_complete but results/{tag}/ is missing or empty (outputs not fetched)")
        if feature != META and stage in DATA_STAGES and not (ws.root / "data" / tag).is_dir():
            problems.append(f"{feature} attempt {attempt} is past the data stage but data/{tag}/ does not exist")
    if ws.notebooks.is_dir():
        for folder in sorted(ws.notebooks.iterdir()):
            match = FOLDER_RE.match(folder.name)
            if not match or not folder.is_dir():
                continue
            name, number = match.group(1), int(match.group(2))
            record = state.meta if name == META else state.features.get(name)
            if record is None or record.attempt(number) is None:
                problems.append(f"notebooks/{folder.name}/ exists but state has no {name} attempt {number}")
    return problems
