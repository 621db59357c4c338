"""The MCP server's fast start (mcp_server/fast_start.py): the handshake from the recorded
manifest, everything else from the SDK server after the hand-over — compared message by
message with the SDK server alone (GOLDLOOP_MCP_FAST_START=0), over real stdio pipes and
with the real MCP client."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from mcp_server import manifest
from mcp_server.fast_start import REPLAY_ID
from tests.conftest import PYTHON, REPO, mcp_call

FAST, SDK_ONLY = {}, {manifest.DISABLE_ENV: "0"}


def _request(rid, method: str, params: dict | None = None) -> str:
    body = {"jsonrpc": "2.0", "id": rid, "method": method}
    return json.dumps(body if params is None else {**body, "params": params})


def _initialize(version: str = "2025-06-18", rid=1) -> str:
    return _request(rid, "initialize", {"protocolVersion": version, "capabilities": {"roots": {}},
                                        "clientInfo": {"name": "test", "version": "1"}})


INITIALIZED = json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})


def exchange(lines: list[str], mode: dict, cwd: Path = REPO, env: dict | None = None,
             last_id=None, timeout: float = 60) -> list[dict]:
    """Every message the server writes for ``lines`` until it answers ``last_id`` (default: the
    last request's id), then a moment more for strays; stdin stays open meanwhile."""
    last_id = last_id if last_id is not None else [json.loads(x)["id"] for x in lines if '"id"' in x][-1]
    proc = subprocess.Popen([PYTHON, "-m", "mcp_server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=cwd, env={**(env or os.environ), **mode})
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(json.loads(x)) for x in proc.stdout], daemon=True).start()
    proc.stdin.write("".join(x + "\n" for x in lines).encode())
    proc.stdin.flush()
    seen: list[dict] = []
    try:
        while not any(m.get("id") == last_id and "method" not in m for m in seen):
            seen.append(out.get(timeout=timeout))
        try:
            while True:
                seen.append(out.get(timeout=0.3))
        except queue.Empty:
            pass
    finally:
        proc.kill()
        proc.wait()
    return sorted(seen, key=lambda m: json.dumps(m, sort_keys=True))


def test_the_manifest_is_what_the_sdk_server_answers_today() -> None:
    """Re-record with `python -m mcp_server.manifest` when this fails."""
    recorded = json.loads(manifest.MANIFEST.read_text(encoding="utf-8"))
    assert recorded == manifest.record(), "mcp_server/manifest.json is stale: run python -m mcp_server.manifest"
    assert manifest.load() is not None


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18", "2024-11-05", "1999-01-01"])
def test_the_handshake_is_answered_as_the_sdk_server_answers_it(version: str) -> None:
    lines = [_initialize(version), INITIALIZED, _request(2, "tools/list"), _request(3, "prompts/list"),
             _request(4, "resources/list"), _request(5, "resources/templates/list"),
             _request(6, "tools/list", {"_meta": {"progressToken": 7}}), _request("p", "ping")]
    fast = exchange(lines, FAST)
    assert fast == exchange(lines, SDK_ONLY)
    assert len(fast) == 7 and len(json.dumps(fast)) > 20_000  # every tool with its schema


def test_tool_calls_after_the_hand_over_are_the_sdk_servers(ws, clean_env) -> None:
    """The real MCP client: tools, answers, tool errors and argument errors identical."""
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    calls = [("next_action", {}), ("state_get", {}), ("state_get", {"view": "attempt"}),
             ("state_get", {"view": "bogus"}), ("no_such_tool", {}),
             ("validate_notebook", {"path": "notebooks/missing_1"}), ("knowledge_search", {"query": "regime"})]

    def dump(mode: dict):
        tools, results = mcp_call({**env, **mode}, calls)
        return ({n: t.model_dump() for n, t in tools.items()}, [r.model_dump() for r in results])

    fast_tools, fast_results = dump(FAST)
    sdk_tools, sdk_results = dump(SDK_ONLY)
    assert fast_tools == sdk_tools and fast_results == sdk_results
    assert not fast_results[0]["isError"] and fast_results[0]["structuredContent"]["agent"] == "entrance"
    assert [r["isError"] for r in fast_results[2:5]] == [True, True, True]


def test_the_replayed_initialize_is_never_answered_to_the_client(ws, clean_env) -> None:
    env = {**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}
    lines = [_initialize(), INITIALIZED, _request(2, "tools/list"),
             _request(3, "tools/call", {"name": "next_action", "arguments": {}}), _request(4, "tools/list")]
    fast = exchange(lines, FAST, env=env)
    assert [m.get("id") for m in fast] == [1, 2, 3, 4] and REPLAY_ID not in json.dumps(fast)
    assert fast == exchange(lines, SDK_ONLY, env=env)


@pytest.mark.parametrize("lines", [
    [_request(2, "tools/list"), _request(9, "ping")],  # before initialize: the SDK's refusal
    [_initialize(), "{not json", _request(9, "ping")],  # a malformed line after the handshake
    [_initialize(), _initialize(rid=3), _request(9, "ping")],  # initialize twice
    [_initialize(), INITIALIZED, _request(2, "tools/list", {"cursor": "x"}), _request(9, "ping")],
    [_initialize(), INITIALIZED, _request(None, "tools/list"), _request(9, "ping")],
], ids=["before-initialize", "malformed", "initialize-twice", "cursor", "null-id"])
def test_anything_unusual_is_the_sdk_servers_business(lines: list[str]) -> None:
    assert exchange(lines, FAST) == exchange(lines, SDK_ONLY)


@pytest.fixture()
def edited_copy(tmp_path: Path) -> tuple[Path, dict]:
    """mcp_server copied with one tool's description changed, its manifest not re-recorded."""
    shutil.copytree(REPO / "mcp_server", tmp_path / "mcp_server", ignore=shutil.ignore_patterns("__pycache__"))
    tools = tmp_path / "mcp_server" / "tools" / "state_tools.py"
    source = tools.read_text(encoding="utf-8")
    assert "Read shared/state.json, compactly." in source
    tools.write_text(source.replace("Read shared/state.json, compactly.", "Read the state (changed)."),
                     encoding="utf-8")
    return tmp_path, {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}


def _loads(root: Path, env: dict) -> bool:
    done = subprocess.run([PYTHON, "-c", "from mcp_server.manifest import load; print(load() is not None)"],
                          cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


HANDSHAKE = [_initialize(), INITIALIZED, _request(2, "tools/list"), _request(3, "prompts/list")]


def _state_get_description(answers: list[dict]) -> str:
    listed = {t["name"]: t for t in next(m for m in answers if m.get("id") == 2)["result"]["tools"]}
    return listed["state_get"]["description"]


def test_a_stale_manifest_is_not_served(edited_copy) -> None:
    """A tool changed without re-recording: the server still lists the tool as it is now."""
    root, env = edited_copy
    assert not _loads(root, env)
    answers = exchange(HANDSHAKE, FAST, cwd=root, env=env)
    assert _state_get_description(answers).startswith("Read the state (changed).")


def test_a_manifest_recorded_for_this_environment_is_served(edited_copy) -> None:
    """What the plugin's setup does for its venv (hooks/launch.py): a second manifest, recorded
    by the same SDK, matches where the packaged one does not."""
    root, env = edited_copy
    extra = root / "setup-manifest.json"
    subprocess.run([PYTHON, "-m", "mcp_server.manifest", str(extra)], cwd=root, env=env, check=True,
                   capture_output=True, timeout=120)
    env = {**env, manifest.EXTRA_ENV: str(extra)}
    assert _loads(root, env)
    answers = exchange(HANDSHAKE, FAST, cwd=root, env=env)
    assert answers == exchange(HANDSHAKE, SDK_ONLY, cwd=root, env=env)
    assert _state_get_description(answers).startswith("Read the state (changed).")
