"""The kubelet's /portForward against a real TCP echo server standing in for the pod (its
sandbox's IP is 127.0.0.1): over tunnelled SPDY, every stream is acknowledged, bytes flow
both ways, a client FIN half-closes the pod's side and the pod's close finishes both
streams; a closed port and a missing pod are reported on the error stream. Over the v4
channel protocol, each channel opens with its port and the data echoes back; a closed
port's error comes on its error channel."""

from __future__ import annotations

import socket
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tugboat.api.pod import Pod
from tugboat.kubelet.runtime import PodRef, RuntimeContainer, State
from tugboat.kubelet.runtime.types import SANDBOX_NAME
from tugboat.kubelet.server import portforwardstreams, spdy
from tugboat.kubelet.server.app import build_app
from tugboat.kubelet.server.context import ServerContext

with warnings.catch_warnings():  # starlette would rather have httpx2, not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

NODE = "node-a"
POD = Pod.model_validate({"metadata": {"name": "web", "namespace": "default", "uid": "u1"},
                          "spec": {"containers": [{"name": "app", "image": "busybox"}]}})


@dataclass
class Pods:
    def find(self, namespace: str, name: str) -> Pod | None:
        return POD if (namespace, name) == ("default", "web") else None


class Runtime:
    async def list_containers(self, node: str, pod_uid: str | None = None
                              ) -> list[RuntimeContainer]:
        ref = PodRef(pod_uid or "", "web", "default", node)
        return [RuntimeContainer("s1", ref, SANDBOX_NAME, 0, State.RUNNING, ip="127.0.0.1")]


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A TCP server that echoes until the client half-closes, then closes."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve_one(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def client() -> Iterator[TestClient]:
    ctx: Any = ServerContext(NODE, Pods(), Runtime(), None, None)  # type: ignore[arg-type]
    with TestClient(build_app(ctx)) as c:
        yield c


class SpdyClient:
    def __init__(self, ws: Any):
        self.ws, self.framer = ws, spdy.Framer()
        self.pending: list[spdy.Frame] = []

    def open_pair(self, first_id: int, port: int, request_id: str) -> None:
        for sid, kind in ((first_id, "error"), (first_id + 2, "data")):
            self.ws.send_bytes(self.framer.encode_syn_stream(
                sid, {"streamtype": [kind], "port": [str(port)], "requestid": [request_id]}))

    def next(self) -> spdy.Frame:
        while not self.pending:
            self.pending = self.framer.feed(self.ws.receive_bytes())
        return self.pending.pop(0)

    def until_fin(self, stream_id: int) -> tuple[bytes, list[spdy.Frame]]:
        data, others = b"", []
        while True:
            frame = self.next()
            if isinstance(frame, spdy.Data) and frame.stream_id == stream_id:
                data += frame.data
                if frame.fin:
                    return data, others
            else:
                others.append(frame)


def test_spdy_forwards_both_ways(client: TestClient, echo_port: int) -> None:
    with client.websocket_connect("/portForward/default/web",
                                  subprotocols=["SPDY/3.1+portforward.k8s.io"]) as ws:
        assert ws.accepted_subprotocol == "SPDY/3.1+portforward.k8s.io"
        c = SpdyClient(ws)
        c.open_pair(1, echo_port, "0")
        assert c.next() == spdy.SynReply(1, {}, 0) and c.next() == spdy.SynReply(3, {}, 0)
        payload = bytes(range(256)) * 300
        ws.send_bytes(c.framer.encode_data(1, b"", fin=True))  # kubectl closes its side
        ws.send_bytes(c.framer.encode_data(3, payload[:30000]))
        ws.send_bytes(c.framer.encode_data(3, payload[30000:], fin=True))
        echoed, others = c.until_fin(3)
        assert echoed == payload and others == []
        assert c.next() == spdy.Data(1, b"", spdy.FLAG_FIN)  # no error, and the end
        ws.send_bytes(c.framer.encode_ping(1))
        assert c.next() == spdy.Ping(1)


def test_spdy_reports_a_closed_port_on_the_error_stream(client: TestClient) -> None:
    port = closed_port()
    with client.websocket_connect("/portForward/default/web",
                                  subprotocols=["portforward.k8s.io"]) as ws:
        c = SpdyClient(ws)
        c.open_pair(1, port, "7")
        error, _ = c.until_fin(1)
        assert error.startswith(f"error forwarding port {port} to pod web, uid u1: ".encode())
        assert b"refused" in error.lower()


def test_spdy_to_a_missing_pod(client: TestClient, echo_port: int) -> None:
    with client.websocket_connect("/portForward/default/ghost",
                                  subprotocols=["SPDY/3.1+portforward.k8s.io"]) as ws:
        c = SpdyClient(ws)
        c.open_pair(1, echo_port, "0")
        error, _ = c.until_fin(1)
        assert error == b'pod "ghost" not found on this node'


def test_spdy_rejects_a_stream_without_a_port(client: TestClient) -> None:
    with client.websocket_connect("/portForward/default/web",
                                  subprotocols=["SPDY/3.1+portforward.k8s.io"]) as ws:
        c = SpdyClient(ws)
        ws.send_bytes(c.framer.encode_syn_stream(1, {"streamtype": ["error"]}))
        assert c.next() == spdy.RstStream(1, spdy.RstStatus.PROTOCOL_ERROR)


def test_spdy_gives_up_on_a_pair_whose_data_stream_never_comes(
        client: TestClient, echo_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portforwardstreams, "STREAM_CREATION_TIMEOUT", 0.2)
    with client.websocket_connect("/portForward/default/web",
                                  subprotocols=["SPDY/3.1+portforward.k8s.io"]) as ws:
        c = SpdyClient(ws)
        ws.send_bytes(c.framer.encode_syn_stream(
            1, {"streamtype": ["error"], "port": [str(echo_port)], "requestid": ["9"]}))
        assert c.next() == spdy.SynReply(1, {}, 0)
        error, _ = c.until_fin(1)
        assert error == b"(request=9) timed out waiting for streams"
        # the session goes on: a whole pair still forwards
        c.open_pair(5, echo_port, "10")
        ws.send_bytes(c.framer.encode_data(7, b"ping", fin=True))
        echoed, _ = c.until_fin(7)
        assert echoed == b"ping"


def test_channels_forward_and_report(client: TestClient, echo_port: int) -> None:
    closed = closed_port()
    with client.websocket_connect(f"/portForward/default/web?port={echo_port}&port={closed}",
                                  subprotocols=["v4.channel.k8s.io"]) as ws:
        assert ws.accepted_subprotocol == "v4.channel.k8s.io"
        opening = [ws.receive_bytes() for _ in range(4)]
        assert opening == [bytes([ch]) + struct.pack("<H", port) for ch, port in
                           ((0, echo_port), (1, echo_port), (2, closed), (3, closed))]
        ws.send_bytes(b"\x00hello")
        got: dict[int, bytes] = {}
        while got.get(0) != b"hello" or 3 not in got:
            frame = ws.receive_bytes()
            got[frame[0]] = got.get(frame[0], b"") + frame[1:]
        assert got[3].startswith(f"error forwarding port {closed} to pod web".encode())


def test_channels_need_a_port(client: TestClient) -> None:
    with client.websocket_connect("/portForward/default/web",
                                  subprotocols=["v4.channel.k8s.io"]) as ws:
        assert ws.receive_bytes() == b'\x01query parameter "port" is required'
        with pytest.raises(WebSocketDisconnect):
            ws.receive_bytes()


def test_plain_http_is_refused(client: TestClient) -> None:
    r = client.post("/portForward/default/web")
    assert r.status_code == 400 and "WebSocket" in r.text
