"""The client side of `pods/{name}/exec` over WebSocket with the v5.channel.k8s.io
protocol (COMPAT §9): binary frames whose first byte is the channel — 0 stdin, 1 stdout,
2 stderr, 3 the final Status, 4 terminal resize, 255 close ("\\xff\\x00": stdin is done).
`run` copies the streams both ways and returns the remote command's exit code."""

from __future__ import annotations

import json
import os
import ssl
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit

from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidMessage,
    InvalidStatus,
)
from websockets.sync.client import ClientConnection, connect

from tugboat.client import ServerUnreachable
from tugboat.client.errors import error_from_response

PROTOCOL = "v5.channel.k8s.io"
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


class RemoteCommandError(Exception):
    """The remote side failed without an exit code (a Status other than NonZeroExitCode)."""


@dataclass
class ExecRequest:
    server: str
    path: str  # /api/v1/namespaces/{ns}/pods/{name}/exec
    command: list[str]
    container: str
    stdin: bool = False
    tty: bool = False
    token: str | None = None
    verify: bool | str | ssl.SSLContext = True  # a context: the kubeconfig's (client.tls)

    def url(self) -> str:
        parts = urlsplit(self.server)
        scheme = "wss" if parts.scheme == "https" else "ws"
        query: list[tuple[str, str]] = [("command", c) for c in self.command]
        query += [("container", self.container), ("stdout", "true")]
        if not self.tty:
            query.append(("stderr", "true"))
        if self.stdin:
            query.append(("stdin", "true"))
        if self.tty:
            query.append(("tty", "true"))
        return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{self.path}?{urlencode(query)}"

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.server.startswith("https"):
            return None
        if isinstance(self.verify, ssl.SSLContext):
            return self.verify
        if self.verify is False:
            ctx = ssl.create_default_context()
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
            return ctx
        if isinstance(self.verify, str):
            return ssl.create_default_context(cafile=self.verify)
        return ssl.create_default_context()


def exit_code(status: dict[str, Any]) -> int:
    """The command's exit code from the channel-3 Status."""
    if status.get("status") == "Success":
        return 0
    if status.get("reason") == "NonZeroExitCode":
        for cause in (status.get("details") or {}).get("causes") or []:
            if cause.get("reason") == "ExitCode":
                return int(cause.get("message", "1"))
        return 1
    raise RemoteCommandError(status.get("message") or "the remote command failed")


def open_connection(req: ExecRequest) -> ClientConnection:
    headers = {"Authorization": f"Bearer {req.token}"} if req.token else {}
    try:
        ws = connect(req.url(), subprotocols=[PROTOCOL], additional_headers=headers,  # type: ignore[list-item]
                     ssl=req.ssl_context(), proxy=None, compression=None, max_size=None,
                     open_timeout=30, user_agent_header="tug")
    except InvalidStatus as e:
        raise error_from_response(e.response.status_code, e.response.body or b"",
                                  e.response.reason_phrase) from None
    except (ConnectionClosed, InvalidMessage):
        # The server hung up before answering the upgrade: TLS 1.3 rejects a client
        # certificate only after the handshake, so the client sees the close either while
        # sending (ConnectionClosed) or as a reply that never came (InvalidMessage).
        raise RemoteCommandError("the server closed the connection before the exec upgrade "
                                 "(is the kubeconfig's client certificate accepted?)") from None
    except InvalidHandshake as e:
        raise RemoteCommandError(f"the server refused the exec upgrade: {e}") from None
    except OSError as e:
        raise ServerUnreachable(req.server, e) from e
    if ws.subprotocol != PROTOCOL:
        ws.close()
        raise RemoteCommandError(f"the server does not speak {PROTOCOL} for exec")
    return ws


def _pump_stdin(ws: ClientConnection, stdin: BinaryIO) -> None:
    fd = stdin.fileno()
    try:
        while True:
            data = os.read(fd, 32 * 1024)
            if not data:
                break
            ws.send(bytes([STDIN]) + data)
        ws.send(bytes([CLOSE, STDIN]))
    except (ConnectionClosed, OSError):
        pass


def send_resize(ws: ClientConnection, width: int, height: int) -> None:
    try:
        ws.send(bytes([RESIZE]) + json.dumps({"Width": width, "Height": height}).encode())
    except ConnectionClosed:
        pass


def run(ws: ClientConnection, stdin: BinaryIO | None, stdout: BinaryIO, stderr: BinaryIO
        ) -> int:
    """Copy the streams until the server closes; the command's exit code."""
    if stdin is not None:
        threading.Thread(target=_pump_stdin, args=(ws, stdin), daemon=True).start()
    status: dict[str, Any] | None = None
    try:
        for frame in ws:
            if isinstance(frame, str):
                frame = frame.encode()
            if not frame:
                continue
            channel, data = frame[0], frame[1:]
            if channel == STDOUT:
                stdout.write(data)
                stdout.flush()
            elif channel == STDERR:
                stderr.write(data)
                stderr.flush()
            elif channel == ERROR and data:
                status = json.loads(data)
    except ConnectionClosed:
        pass
    finally:
        ws.close()
    if status is None:
        return 0
    return exit_code(status)
