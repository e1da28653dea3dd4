"""The client side of `pods/{name}/portforward` for `tug port-forward`: local listeners,
and for every connection accepted, a WebSocket to the API server in the v4 channel
protocol (`?ports=REMOTE`; channel 0 data, channel 1 errors, each channel's first frame
from the server the port as a little-endian uint16). One WebSocket per connection keeps
the relay a plain copy in two directions; kubectl's SPDY session multiplexes instead."""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tugboat.client.errors import error_from_response

PROTOCOL = "v4.channel.k8s.io"
DATA, ERROR = 0, 1
CHUNK = 32 * 1024


class PortForwardError(Exception):
    """The API server or the kubelet refused the forward."""


@dataclass(frozen=True)
class ForwardTarget:
    """Where forwarded connections go: the pod's portforward URL and how to reach it."""

    server: str
    path: str  # /api/v1/namespaces/{ns}/pods/{name}/portforward
    token: str | None = None
    ssl: ssl.SSLContext | None = None

    def url(self, port: int) -> str:
        parts = urlsplit(self.server)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{self.path}?ports={port}"

    def open(self, port: int) -> ClientConnection:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            ws = connect(self.url(port), subprotocols=[PROTOCOL],  # type: ignore[list-item]
                         additional_headers=headers, ssl=self.ssl, proxy=None,
                         compression=None, max_size=None, open_timeout=30,
                         user_agent_header="tug")
        except InvalidStatus as e:
            err = error_from_response(e.response.status_code, e.response.body or b"",
                                      e.response.reason_phrase)
            raise PortForwardError(str(err)) from None
        except (InvalidHandshake, ConnectionClosed, OSError) as e:
            raise PortForwardError(f"the port-forward upgrade failed: {e}") from None
        return ws


@dataclass(frozen=True)
class PortPair:
    local: int
    remote: int


def listen(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(64)
    return sock


def serve(listener: socket.socket, target: ForwardTarget, pair: PortPair) -> None:
    """Accept connections on `listener` until it is closed, forwarding each to the pod."""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        print(f"Handling connection for {pair.local}", flush=True)
        threading.Thread(target=forward, args=(conn, target, pair.remote), daemon=True).start()


def forward(conn: socket.socket, target: ForwardTarget, remote: int) -> None:
    """Copy one local connection to the pod's port and back, then close both."""
    try:
        ws = target.open(remote)
    except PortForwardError as e:
        print(f"error: an error occurred forwarding {remote}: {e}", file=sys.stderr, flush=True)
        conn.close()
        return
    upstream = threading.Thread(target=_local_to_pod, args=(conn, ws), daemon=True)
    upstream.start()
    try:
        _pod_to_local(ws, conn, remote)
    finally:
        # shutdown, not close alone: the copying thread blocked in recv() keeps the socket
        # open (no FIN to the local client) until something arrives; shutdown wakes it.
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
        conn.close()
        ws.close()
        upstream.join()


def _local_to_pod(conn: socket.socket, ws: ClientConnection) -> None:
    try:
        while data := conn.recv(CHUNK):
            ws.send(bytes([DATA]) + data)
    except (OSError, ConnectionClosed):
        return


def _pod_to_local(ws: ClientConnection, conn: socket.socket, remote: int) -> None:
    seen: set[int] = set()  # channels whose port prefix has been taken off
    try:
        for message in ws:
            if isinstance(message, str) or not message:
                continue
            channel, payload = message[0], message[1:]
            if channel not in seen:
                seen.add(channel)
                payload = payload[2:]
            if not payload:
                continue
            if channel == DATA:
                conn.sendall(payload)
            elif channel == ERROR:
                print(f"error: an error occurred forwarding {remote}: "
                      f"{payload.decode(errors='replace')}", file=sys.stderr, flush=True)
                return
    except (OSError, ConnectionClosed):
        return
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_WR)
