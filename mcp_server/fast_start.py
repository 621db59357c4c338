"""Answer the start-up handshake at once, then hand the conversation to the SDK server.

Claude Code sends ``initialize`` and the listings (``tools/list`` …) and waits for them
before its first model request. This front answers those from the recorded manifest
(:mod:`mcp_server.manifest`) while a background thread imports the MCP SDK and builds the
server. The first message it does not answer from the manifest (a tool call, anything
unusual, even a malformed line) hands everything over: the SDK server is given the client's
own ``initialize`` again (under a private id whose answer is dropped) and the notifications
seen so far, then that message and the rest of stdin, so it holds the same session state as
if it had served from the start and answers the message itself.

Standard library only until the hand-over.
"""

from __future__ import annotations

import io
import json
import sys
import threading
from typing import Any

REPLAY_ID = "goldloop-fast-start-replayed-initialize"
IMPORT_NICENESS = 10


def negotiate(manifest: dict, requested: Any) -> str:
    """The protocol version the SDK server would answer (ServerSession's rule)."""
    return requested if requested in manifest["protocol_versions"] else manifest["latest_protocol_version"]


def _lower_priority() -> None:
    """Nice the calling thread (Linux: threads are tasks): the import yields the CPU to the
    SessionStart hook and Claude Code itself, which the first model request waits for too
    (measured in bench_plugin); it still finishes long before the model's first tool call."""
    if sys.platform.startswith("linux"):
        import os

        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), IMPORT_NICENESS)
        except OSError:
            pass  # not allowed here (a container, a policy): the import runs at normal priority


class _Builder(threading.Thread):
    """Imports the SDK and builds the server while the front answers the handshake."""

    def __init__(self) -> None:
        super().__init__(name="goldloop-mcp-import", daemon=True)
        self.server: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        _lower_priority()
        try:
            from mcp_server.server import build_server

            self.server = build_server()
        except BaseException as exc:  # re-raised in the main thread at the hand-over
            self.error = exc

    def result(self) -> Any:
        self.join()
        if self.error is not None:
            raise self.error
        return self.server


class _ReplayThenStdin(io.RawIOBase):
    """Bytes to replay first, then whatever the real stdin has (its read-ahead included)."""

    def __init__(self, first: bytes, rest: io.BufferedReader) -> None:
        self._first, self._rest = first, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 (a writable bytes-like object)
        if self._first:
            data, self._first = self._first[:len(buffer)], self._first[len(buffer):]
        else:
            data = self._rest.read1(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class _DropReplayedAnswer(io.BufferedIOBase):
    """stdout for the SDK server, minus its answer to the replayed ``initialize``."""

    def __init__(self, out: io.BufferedWriter) -> None:
        self._out, self._dropped, self._pending = out, False, b""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001 (bytes-like)
        if self._dropped:
            return self._out.write(data)
        self._pending += bytes(data)
        while b"\n" in self._pending and not self._dropped:
            line, self._pending = self._pending.split(b"\n", 1)
            if REPLAY_ID.encode() in line and json.loads(line).get("id") == REPLAY_ID:
                self._dropped = True
            else:
                self._out.write(line + b"\n")
        if self._dropped and self._pending:
            self._out.write(self._pending)
            self._pending = b""
        return len(data)

    def flush(self) -> None:
        self._out.flush()


def _no_arguments(params: Any) -> bool:
    return params is None or isinstance(params, dict) and set(params) <= {"_meta"}


class Front:
    """The handshake served from the manifest; :meth:`serve` returns at EOF or hands over."""

    def __init__(self, manifest: dict, stdin: io.BufferedReader, stdout: io.BufferedWriter) -> None:
        self.manifest, self.stdin, self.stdout = manifest, stdin, stdout
        self.replay: list[bytes] = []  # the client's initialize (private id) and notifications
        self.initialized = False

    def result(self, message: dict) -> dict | None:
        """The result for request ``message`` from the manifest; None: only the SDK may answer."""
        method, params = message["method"], message.get("params")
        if method == "ping":
            return {}
        if method == "initialize" and not self.initialized and isinstance(params, dict):
            self.initialized = True
            self.replay.append(json.dumps({**message, "id": REPLAY_ID}).encode() + b"\n")
            return {"protocolVersion": negotiate(self.manifest, params.get("protocolVersion")),
                    **self.manifest["initialize"]}
        if self.initialized and method in self.manifest["listings"] and _no_arguments(params):
            return self.manifest["listings"][method]
        return None

    def handle(self, line: bytes) -> bool:
        """Answer or keep ``line``; False: it is for the SDK server."""
        try:
            message = json.loads(line)
        except ValueError:
            return False
        if not isinstance(message, dict) or not isinstance(message.get("method"), str):
            return False  # a batch, a response, nonsense: the SDK server's business
        if "id" not in message:  # a notification: the SDK server sees it at the hand-over
            if not self.initialized:
                return False
            self.replay.append(line if line.endswith(b"\n") else line + b"\n")
            return True
        if type(message["id"]) not in (int, str):
            return False  # a null, float or boolean id: let the SDK server judge it
        result = self.result(message)
        if result is None:
            return False
        reply = {"jsonrpc": "2.0", "id": message["id"], "result": result}
        self.stdout.write(json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self.stdout.flush()
        return True

    def serve(self) -> bytes | None:
        """Answer until EOF (None) or a message for the SDK server (returned, unanswered)."""
        for line in iter(self.stdin.readline, b""):
            if line.strip() and not self.handle(line):
                return line
        return None


def main(manifest: dict) -> None:
    builder = _Builder()
    builder.start()
    front = Front(manifest, sys.stdin.buffer, sys.stdout.buffer)
    try:
        pending = front.serve()
    except KeyboardInterrupt:  # Claude Code ends a server with SIGINT
        return
    if pending is None:
        return  # the client left before any tool call
    server = builder.result()
    replay = b"".join(front.replay) + pending
    # the SDK's stdio transport reads sys.stdin.buffer and writes sys.stdout.buffer
    sys.stdin = io.TextIOWrapper(io.BufferedReader(_ReplayThenStdin(replay, sys.stdin.buffer)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(_DropReplayedAnswer(sys.stdout.buffer), encoding="utf-8")
    server.run("stdio")
