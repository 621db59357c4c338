"""A local stand-in for the Anthropic Messages API (POST /v1/messages) on 127.0.0.1.

It checks what a real server checks (API key header, version header, required fields, the
structured-output schema) and answers with a Message whose text block is the JSON verdict the
test chose. Its evidence is a real line taken from the log it received, so the client's
"evidence must be in the log" check is exercised.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class MessagesAPI:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.mode = "answer"  # answer | error500 | overloaded | bad_class | not_json
        self.error_type = "unknown"
        self.fix = ""
        self.evidence_override: str | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> MessagesAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.mode == "error500":
            return 500, {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
        if self.mode == "overloaded":
            return 529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        log = body["messages"][0]["content"]
        log = log if isinstance(log, str) else " ".join(part.get("text", "") for part in log)
        lines = [ln for ln in log.splitlines() if "Error" in ln or "Exception" in ln]
        evidence = self.evidence_override if self.evidence_override is not None else (lines[-1] if lines else "")
        verdict = {"error_type": "banana" if self.mode == "bad_class" else self.error_type,
                   "evidence": evidence, "fix": self.fix}
        text = "this is not json" if self.mode == "not_json" else json.dumps(verdict)
        return 200, {
            "id": f"msg_local_{len(self.requests)}", "type": "message", "role": "assistant",
            "model": body["model"], "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": len(log) // 4, "output_tokens": len(text) // 4},
        }

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("request-id", "req_local")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                api.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if self.path.split("?")[0] != "/v1/messages":
                    return self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
                # Newer SDKs send the key as a bearer token, older ones as x-api-key.
                bearer = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                if api.api_key not in (self.headers.get("x-api-key"), bearer):
                    return self._send(401, {"type": "error", "error": {"type": "authentication_error",
                                                                         "message": "invalid API key"}})
                missing = [k for k in ("model", "max_tokens", "messages") if k not in body]
                fmt = (body.get("output_config") or {}).get("format") or {}
                if missing or not self.headers.get("anthropic-version") or fmt.get("type") != "json_schema":
                    return self._send(400, {"type": "error", "error": {
                        "type": "invalid_request_error",
                        "message": f"missing {missing or 'anthropic-version or output_config.format'}"}})
                self._send(*api._reply(body))

        return Handler
