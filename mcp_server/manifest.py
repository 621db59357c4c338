"""The server's listing answers, recorded ahead of time from the MCP SDK server itself.

Claude Code waits for an ``alwaysLoad`` server's ``initialize`` and ``tools/list`` before its
first model request, and importing the MCP SDK takes about a second of that. ``manifest.json``
holds those answers exactly as the SDK server sends them, with a fingerprint of everything
they derive from (this package's server and tool sources, the installed mcp and pydantic
versions, the Python minor version: recorded on the project's 3.11; the plugin's setup records
one for its own venv). :mod:`mcp_server.fast_start` serves them only while the fingerprint matches, so a
stale file costs start-up time, never a wrong answer.

Standard library only (read at every server start). Re-record after changing a tool:
``python -m mcp_server.manifest`` (tests/plugin/test_fast_start.py fails while it is stale).
The plugin's setup records a second one for its own environment (``EXTRA_ENV``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
MANIFEST = PACKAGE / "manifest.json"
# what the answers derive from: tool names, docstrings and signatures, the instructions
SOURCES = ("server.py", "tools/*.py")
DISTRIBUTIONS = ("mcp", "pydantic", "pydantic_core")  # the SDK and the schema generator
# requests answered from the manifest once initialized (FastMCP ignores their cursor)
LISTINGS = ("tools/list", "prompts/list", "resources/list", "resources/templates/list")
DISABLE_ENV = "GOLDLOOP_MCP_FAST_START"  # "0": always start the SDK server first
# A second manifest, recorded by the plugin's setup for its own environment (another Python
# version than the one this package's manifest was recorded on); hooks/launch.py sets it.
EXTRA_ENV = "GOLDLOOP_MCP_MANIFEST"
RECORD_TIMEOUT_S = 120


def _installed_version(name: str) -> str:
    """``name``'s version from its ``.dist-info`` folder on sys.path (first wins, as imports
    do); importlib.metadata would cost more than the whole fast start."""
    prefix = name + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.startswith(prefix) and folder.endswith(".dist-info"):
                return folder[len(prefix):-len(".dist-info")]
    return "missing"


def fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes().replace(b"\r\n", b"\n"))  # a Windows checkout hashes alike
    for name in DISTRIBUTIONS:
        digest.update(f"{name}=={_installed_version(name)}".encode())
    # Python 3.13 strips docstring indentation at compile time: tool descriptions change
    digest.update("python=={}.{}".format(*sys.version_info[:2]).encode())
    return digest.hexdigest()


def load() -> dict | None:
    """The first manifest that matches this code and these libraries, else None."""
    if os.environ.get(DISABLE_ENV) == "0":
        return None
    current = None
    for path in filter(None, (MANIFEST, os.environ.get(EXTRA_ENV))):
        try:
            manifest = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        current = current or fingerprint()
        if isinstance(manifest, dict) and manifest.get("fingerprint") == current:
            return manifest
    return None


def _exchange(requests: list[dict]) -> dict:
    """Send ``requests`` to a freshly started SDK-only server; its raw answers by request id
    (stdin stays open until every request is answered: at EOF the server drops the rest)."""
    import subprocess
    import threading

    env = {**os.environ, DISABLE_ENV: "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH")]))}
    expected = {r["id"] for r in requests if "id" in r}
    answers: dict = {}
    with subprocess.Popen([sys.executable, "-m", "mcp_server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          env=env, cwd=PACKAGE.parent) as server:
        watchdog = threading.Timer(RECORD_TIMEOUT_S, server.kill)  # a hung server ends the wait
        watchdog.start()
        try:
            server.stdin.write("".join(json.dumps(r) + "\n" for r in requests).encode())
            server.stdin.flush()
            for line in server.stdout:
                answer = json.loads(line)
                answers[answer.get("id")] = answer
                if expected <= answers.keys():
                    break
            server.stdin.close()
        finally:
            watchdog.cancel()
    return answers


def record() -> dict:
    """The manifest as the SDK server answers today (starts it once)."""
    from mcp.shared.version import SUPPORTED_PROTOCOL_VERSIONS
    from mcp.types import LATEST_PROTOCOL_VERSION

    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": LATEST_PROTOCOL_VERSION, "capabilities": {},
                       "clientInfo": {"name": "goldloop-manifest", "version": "0"}}}
    requests = [init, {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    requests += [{"jsonrpc": "2.0", "id": i, "method": m} for i, m in enumerate(LISTINGS, start=1)]
    answers = _exchange(requests)
    missing = [m for i, m in enumerate(["initialize", *LISTINGS]) if "result" not in answers.get(i, {})]
    if missing:
        raise RuntimeError(f"the SDK server did not answer {missing}: {answers}")
    initialize = answers[0]["result"]
    initialize.pop("protocolVersion")  # negotiated per client (fast_start.negotiate)
    return {
        "fingerprint": fingerprint(),
        "protocol_versions": list(SUPPORTED_PROTOCOL_VERSIONS),
        "latest_protocol_version": LATEST_PROTOCOL_VERSION,
        "initialize": initialize,
        "listings": {m: answers[i]["result"] for i, m in enumerate(LISTINGS, start=1)},
    }


def write(target: Path = MANIFEST) -> Path:
    text = json.dumps(record(), indent=1, ensure_ascii=False) + "\n"
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")  # two setups never mix
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
    return target


if __name__ == "__main__":  # python -m mcp_server.manifest [PATH] (default: this package's)
    print(f"wrote {write(Path(sys.argv[1]) if len(sys.argv) > 1 else MANIFEST)}")
