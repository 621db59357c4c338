"""A local stand-in for the Anthropic Messages API that plays a script of model turns.

Independent of goldloop: it speaks ``POST /v1/messages`` (streaming SSE or plain JSON) and
``POST /v1/messages/count_tokens``, records every request body, and answers each
*conversation* request (one that offers tools) with the next matching scripted turn. Side
requests without tools (titles, summaries) and requests after the script ran out get a
short text reply that ends the turn.

A turn is ``{"blocks": [...], "match": "optional substring"}``; blocks are Messages API
content blocks written as ``{"type": "text", "text": ...}`` or
``{"type": "tool_use", "name": ..., "input": {...}}`` (ids are generated). ``match`` must
occur in the request's system prompt or its last message for the turn to be used.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "claude-sonnet-4-5"
_ids = itertools.count(1)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


def turn(*blocks: dict[str, Any], match: str | None = None) -> dict[str, Any]:
    return {"blocks": list(blocks), "match": match}


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _haystack(body: dict[str, Any]) -> str:
    """Where a turn's ``match`` is looked for: the system prompt and the last message."""
    system = body.get("system")
    messages = body.get("messages") or [{}]
    return json.dumps(system, ensure_ascii=False) + json.dumps(messages[-1], ensure_ascii=False)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-keep-alive is normal, not a test failure


class FakeAnthropic:
    """``with FakeAnthropic(script) as api: ... api.url ... api.requests``."""

    def __init__(self, script: list[dict[str, Any]] | None = None) -> None:
        self.script = list(script or [])
        self.used = [False] * len(self.script)
        self.requests: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what the tests read ------------------------------------------------------------
    def conversation_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("tools")]

    @staticmethod
    def tool_names(request: dict[str, Any]) -> list[str]:
        return [t.get("name", "") for t in request.get("tools") or []]

    def all_text(self) -> str:
        """Every request serialised: the place to look for context that reached the model."""
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in self.requests)

    def tool_results(self) -> list[dict[str, Any]]:
        """Every tool_result block sent back to the model, with the tool_use it answers."""
        uses: dict[str, dict[str, Any]] = {}
        results = []
        for request in self.requests:
            for message in request.get("messages", []):
                content = message.get("content")
                if not isinstance(content, list):
                    continue
                for block in content:
                    if block.get("type") == "tool_use":
                        uses[block["id"]] = block
                    elif block.get("type") == "tool_result" and block not in results:
                        results.append(block)
        for block in results:
            block["_tool_use"] = uses.get(block.get("tool_use_id"), {})
        return results

    # -- serving ---------------------------------------------------------------------------
    def _next_blocks(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        with self._lock:
            self.requests.append(body)
            if body.get("tools"):
                hay = _haystack(body)
                for i, step in enumerate(self.script):
                    if not self.used[i] and (not step.get("match") or step["match"] in hay):
                        self.used[i] = True
                        blocks = [dict(b) for b in step["blocks"]]
                        for block in blocks:
                            if block["type"] == "tool_use":
                                block["id"] = f"toolu_{next(_ids):04d}"
                        self.replies.append({"step": i, "blocks": blocks})
                        return blocks
            return [text("Done.")]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _json(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})

            do_HEAD = do_GET  # noqa: N815

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.split("?")[0]
                if path.endswith("/count_tokens"):
                    self._json(200, {"input_tokens": len(json.dumps(body)) // 4})
                    return
                if not path.endswith("/v1/messages"):
                    self.do_GET()
                    return
                blocks = fake._next_blocks(body)
                stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
                message = {
                    "id": f"msg_{next(_ids):04d}", "type": "message", "role": "assistant",
                    "model": body.get("model", MODEL), "content": blocks, "stop_reason": stop,
                    "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 10},
                }
                if body.get("stream"):
                    self._stream(message)
                else:
                    self._json(200, message)

            def _stream(self, message: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                start = {**message, "content": [], "stop_reason": None}
                chunks = [_sse("message_start", {"type": "message_start", "message": start})]
                for index, block in enumerate(message["content"]):
                    if block["type"] == "text":
                        first = {"type": "text", "text": ""}
                        delta = {"type": "text_delta", "text": block["text"]}
                    else:
                        first = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
                        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
                    chunks += [
                        _sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": first}),
                        _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
                        _sse("content_block_stop", {"type": "content_block_stop", "index": index}),
                    ]
                chunks += [
                    _sse("message_delta", {"type": "message_delta",
                                           "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                           "usage": {"output_tokens": 10}}),
                    _sse("message_stop", {"type": "message_stop"}),
                ]
                self.wfile.write(b"".join(chunks))
                self.wfile.flush()
                self.close_connection = True

        return Handler
