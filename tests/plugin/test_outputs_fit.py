"""Tool answers fit Claude Code's output limit: the state views over the real MCP client on
the state of a `goldloop run --fast` workspace, and the generic guard every tool passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_server.tools.common import OUTPUT_LIMIT_CHARS, fit
from tests.conftest import mcp_call

# shared/state.json of a `goldloop run --fast` workspace (offline data), as the store wrote it
FINISHED = Path(__file__).parent / "fixtures" / "run_fast_state.json"


@pytest.fixture()
def finished_ws(ws):
    ws.state_path.write_text(FINISHED.read_text(encoding="utf-8"), encoding="utf-8")
    (ws.state_path.parent / ".state_backups" / "written.json").unlink()  # as if a store wrote it here
    return ws


def _text(result) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def test_every_state_view_is_compact(finished_ws, clean_env):
    raw = len(FINISHED.read_text(encoding="utf-8"))
    calls = [("state_get", {}), ("state_get", {"view": "table"}), ("state_get", {"full": True}),
             ("state_get", {"view": "attempt", "feature": "vix", "attempt": 1}),
             ("state_get", {"view": "history"}), ("state_get", {"view": "history", "page": 2, "page_size": 5}),
             ("next_action", {})]
    _, results = mcp_call({**clean_env, "GOLDLOOP_WORKSPACE": str(finished_ws.root)}, calls)
    sizes = {json.dumps(args): len(_text(r)) for (_, args), r in zip(calls, results, strict=True)}
    assert not any(r.isError for r in results), [_text(r) for r in results if r.isError]
    assert max(sizes.values()) <= OUTPUT_LIMIT_CHARS < raw, sizes
    assert not any("(left out:" in _text(r) for r in results)  # compact by design, not trimmed
    table = json.loads(_text(results[1]))["table"]
    vix = next(row for row in table if row["feature"] == "vix")
    assert vix["attempts"][0]["gates"].startswith("G1 PASS · G2")  # the /status marks
    page = json.loads(_text(results[5]))
    assert page["page"] == 2 and len(page["events"]) == 5 and page["total"] > 10
    detail = json.loads(_text(results[3]))
    assert detail["gates"]["gate1"]["checks"]["overfit_ratio"][1] == "pass"


def test_an_oversized_answer_is_trimmed_biggest_part_first_and_stays_json():
    answer = {"status": "ok", "small": {"a": 1}, "big": {"rows": ["x" * 100] * 400}, "mid": ["y" * 50] * 100}
    out = fit(answer, limit=8000)
    assert out["status"] == "ok" and out["small"] == {"a": 1}
    assert out["big"].startswith("(left out:") and isinstance(out["mid"], list)
    assert len(json.dumps(out)) <= 8000
    assert fit({"a": 1}) == {"a": 1}
