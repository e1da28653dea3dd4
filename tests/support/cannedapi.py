"""An API server that answers POSTs with canned replies, on loopback in a thread: enough
for CLI verbs whose server side is one create-only review or subresource (can-i, whoami,
create token), so tug's requests and output can be checked — and compared with real
kubectl's — without the server parts. Every request is recorded; JSON bodies decoded
(kubectl's protobuf ones kept as bytes)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Obj = dict[str, Any]
NOT_FOUND = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404,
             "reason": "NotFound",
             "message": "the server could not find the requested resource"}


@dataclass
class Recorded:
    method: str
    path: str
    body: Any


@dataclass
class CannedApi:
    replies: dict[str, tuple[int, Obj]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def reply(self, path: str, body: Obj, code: int = 201) -> None:
        self.replies[path] = (code, body)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> CannedApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code: int, reply: Obj) -> None:
                data = json.dumps(reply).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                is_json = "json" in (self.headers.get("Content-Type") or "")
                api.requests.append(Recorded("POST", self.path,
                                             json.loads(raw or b"{}") if is_json else raw))
                self._answer(*api.replies.get(self.path.split("?")[0], (404, NOT_FOUND)))

            def do_GET(self) -> None:  # noqa: N802 - discovery and /version: not served
                self._answer(404, NOT_FOUND)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
