"""The client side of `tug exec` (WebSocket, v5.channel.k8s.io) and `tug logs`, against a
stand-in API server speaking COMPAT §8–§9's wire protocol — so the CLI is tested even
before the real API server proxies to kubelets (test_cli_examples covers that path)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

from tests.integration.cli.conftest import Tug

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
       "spec": {"containers": [{"name": "app", "image": "busybox:1.35"},
                               {"name": "side", "image": "busybox:1.35"}]},
       "status": {"phase": "Running"}}


def _status(code: int) -> bytes:
    if code == 0:
        return b"\x03" + json.dumps({"metadata": {}, "status": "Success"}).encode()
    return b"\x03" + json.dumps({
        "metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
        "message": f"command terminated with non-zero exit code: exit status {code}",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}).encode()


class FakeApiServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def http(self, _conn: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        self.requests.append({"path": url.path, "query": parse_qs(url.query)})
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        if url.path.endswith("/pods/web"):
            return self._reply(200, json.dumps(POD).encode(), "application/json")
        if url.path.endswith("/pods/web/log"):
            return self._reply(200, b"line 1\nline 2\n", "text/plain")
        body = json.dumps({"kind": "Status", "status": "Failure", "reason": "NotFound",
                           "code": 404, "message": f'pods "{url.path.split("/")[-1]}" not '
                                                   f'found'}).encode()
        return self._reply(404, body, "application/json")

    @staticmethod
    def _reply(code: int, body: bytes, kind: str) -> Response:
        headers = Headers([("Content-Type", kind), ("Content-Length", str(len(body))),
                           ("Connection", "close")])
        return Response(code, "OK" if code == 200 else "Not Found", headers, body)

    def exec(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)  # type: ignore[union-attr]
        command = query.get("command", [])
        if command == ["cat"]:
            while True:
                frame = ws.recv()
                if frame[:2] == b"\xff\x00":
                    break
                if frame[:1] == b"\x00":
                    ws.send(b"\x01" + frame[1:])
            ws.send(_status(0))
        elif command[:1] == ["fail"]:
            ws.send(b"\x02oops\n")
            ws.send(_status(int(command[1])))
        else:
            ws.send(b"\x01" + " ".join(command[1:]).encode() + b"\n")
            ws.send(_status(0))
        ws.close()


@pytest.fixture
def tug(tmp_path: Path) -> Tug:
    """No real API server here: every command names the stand-in with --server."""
    home = tmp_path / "home"
    home.mkdir()
    return Tug("http://unused.invalid", "default", home)


@pytest.fixture
def fake() -> Iterator[tuple[str, FakeApiServer]]:
    api = FakeApiServer()
    server = serve(api.exec, "127.0.0.1", 0, process_request=api.http,
                   subprotocols=["v5.channel.k8s.io"], compression=None)  # type: ignore[list-item]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.socket.getsockname()[1]}", api
    server.shutdown()


def _tug(tug: Tug, url: str, *args: str, input: str | None = None):  # noqa: ANN202
    return tug("--server", url, "-n", "default", *args, server=False, input=input)


def test_exec_prints_output_and_passes_the_exit_code(tug: Tug,
                                                     fake: tuple[str, FakeApiServer]) -> None:
    url, api = fake
    ok = _tug(tug, url, "exec", "web", "-c", "side", "--", "echo", "hello", "world")
    assert (ok.code, ok.out) == (0, "hello world\n")
    upgrade = next(r for r in api.requests if r["path"].endswith("/exec"))
    assert upgrade["query"] == {"command": ["echo", "hello", "world"], "container": ["side"],
                                "stdout": ["true"], "stderr": ["true"]}
    failed = _tug(tug, url, "exec", "web", "-c", "app", "--", "fail", "3")
    assert failed.code == 3
    assert failed.err.endswith("oops\ncommand terminated with exit code 3\n")


def test_exec_passes_stdin(tug: Tug, fake: tuple[str, FakeApiServer]) -> None:
    url, _ = fake
    r = _tug(tug, url, "exec", "-i", "web", "-c", "app", "--", "cat", input="one\ntwo\n")
    assert (r.code, r.out) == (0, "one\ntwo\n")


def test_exec_defaults_to_the_first_container(tug: Tug, fake: tuple[str, FakeApiServer]) -> None:
    url, api = fake
    r = _tug(tug, url, "exec", "web", "--", "echo", "x")
    assert r.code == 0 and r.err == 'Defaulted container "app" out of: app, side\n'
    r = _tug(tug, url, "exec", "web", "-c", "nope", "--", "echo")
    assert r.code == 1 and r.err == ("Error from server (BadRequest): container nope is not "
                                     "valid for pod web\n")
    r = _tug(tug, url, "exec", "missing", "--", "echo")
    assert r.code == 1 and r.err == 'Error from server (NotFound): pods "missing" not found\n'


def test_logs_asks_for_the_right_container_and_options(tug: Tug,
                                                        fake: tuple[str, FakeApiServer]) -> None:
    url, api = fake
    r = _tug(tug, url, "logs", "web", "-c", "side", "--tail=5", "--timestamps", "--previous")
    assert (r.code, r.out) == (0, "line 1\nline 2\n")
    log = next(r for r in api.requests if r["path"].endswith("/log"))
    assert log["query"] == {"container": ["side"], "tailLines": ["5"], "timestamps": ["true"],
                            "previous": ["true"]}
