"""WebSocket /portForward/{namespace}/{pod}: the kubelet's end of `kubectl port-forward`.

The bytes go to the pod's address (its sandbox's IP on the Docker bridge, 127.0.0.1 for a
hostNetwork pod) and the port asked for; Kubernetes dials localhost inside the pod's
network namespace instead, so a server bound to the pod's loopback only is reachable there
and not here. Two protocols, as the API server relays them unchanged:

- `SPDY/3.1+portforward.k8s.io`: kubectl 1.31+ tunnels a SPDY session through the socket;
  every forwarded connection is a pair of streams (portforwardstreams.py). The API server
  asks for it as `portforward.k8s.io` (the name of the SPDY port-forward protocol), since
  its WebSocket client library will not send a subprotocol that is not an HTTP token.
- `v4.channel.k8s.io` (or no subprotocol): the channel protocol of the Python client, the
  ports given as `?port=` (or `?ports=`, comma-separated); port i's data flows on channel
  2i and its errors on 2i+1, and each channel's first frame from here is the port as a
  little-endian uint16."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from tugboat.kubelet.runtime import RuntimeFailure, RuntimeUnavailable
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.portforwardstreams import SpdySession, pump_to_pod
from tugboat.kubelet.server.targets import NotAvailable

log = logging.getLogger(__name__)

SPDY_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
SPDY_HOP_PROTOCOL = "portforward.k8s.io"
SPDY_PROTOCOLS = (SPDY_PROTOCOL, SPDY_HOP_PROTOCOL)
V4_PROTOCOL = "v4.channel.k8s.io"
PROTOCOLS = (*SPDY_PROTOCOLS, V4_PROTOCOL)
CONNECT_TIMEOUT = 10.0
CHUNK = 32 * 1024


@dataclass(frozen=True)
class PodEndpoint:
    """Where a pod's ports are reached from this host, and how to name the pod in errors."""

    host: str
    name: str
    uid: str

    async def connect(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(asyncio.open_connection(self.host, port),
                                          CONNECT_TIMEOUT)
        except TimeoutError:
            reason = "i/o timeout"
        except OSError as e:  # worded as Go's dialer words it, which kubectl users know
            reason = f"connect: {os.strerror(e.errno).lower()}" if e.errno else str(e)
        raise ConnectionError(f"error forwarding port {port} to pod {self.name}, uid "
                              f"{self.uid}: dial tcp {self.host}:{port}: {reason}")


async def pod_endpoint(ctx: ServerContext, namespace: str, name: str) -> PodEndpoint:
    pod = ctx.pods.find(namespace, name)
    if pod is None:
        raise NotAvailable(404, f'pod "{name}" not found on this node')
    uid = pod.metadata.uid or ""
    if pod.spec.hostNetwork:
        return PodEndpoint("127.0.0.1", name, uid)
    try:
        found = await ctx.runtime.list_containers(ctx.node, uid)
    except (RuntimeFailure, RuntimeUnavailable) as e:
        raise NotAvailable(500, str(e)) from None
    sandboxes = [c for c in found if c.is_sandbox and c.running and c.ip]
    if not sandboxes:
        raise NotAvailable(400, f'pod "{name}" has no running sandbox to forward to')
    return PodEndpoint(sandboxes[-1].ip or "", name, uid)


def choose_protocol(offered: list[str]) -> str | None:
    """SPDY tunnelling first (kubectl), then the v4 channel protocol; a client that names
    no protocol gets channels too, as the kubelet's default."""
    names = {p.strip() for item in offered for p in item.split(",") if p.strip()}
    if not names:
        return ""
    return next((p for p in PROTOCOLS if p in names), None)


def requested_ports(ws: WebSocket) -> list[int]:
    q = ws.query_params
    ports: list[int] = []
    for text in q.getlist("port") + q.getlist("ports"):
        for part in text.split(","):
            try:
                port = int(part)
            except ValueError:
                raise NotAvailable(400, f'unable to parse "{part}" as a port: invalid syntax'
                                   ) from None
            if not 0 < port < 65536:
                raise NotAvailable(400, f"port {port} must be > 0 and < 65536")
            ports.append(port)
    return ports


async def portforward_socket(ws: WebSocket) -> None:
    ctx: ServerContext = ws.app.state.ctx
    protocol = choose_protocol(ws.scope.get("subprotocols") or [])
    await ws.accept(subprotocol=protocol or None)
    try:
        if protocol is None:
            raise NotAvailable(400, "no supported port-forward protocol (" +
                               ", ".join(PROTOCOLS) + ")")
        endpoint = await pod_endpoint(ctx, ws.path_params["namespace"], ws.path_params["pod"])
        ports = [] if protocol in SPDY_PROTOCOLS else requested_ports(ws)
        if protocol not in SPDY_PROTOCOLS and not ports:
            raise NotAvailable(400, 'query parameter "port" is required')
    except NotAvailable as e:
        await _refuse(ws, protocol, e.message)
        return
    try:
        if protocol in SPDY_PROTOCOLS:
            await SpdySession(ws, endpoint).run()
        else:
            await _channels(ws, endpoint, ports)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away
    finally:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await ws.close(1000)


async def _refuse(ws: WebSocket, protocol: str | None, message: str) -> None:
    """An error before any stream: on the channel protocol, port 0's error channel; a
    SPDY client learns it from its error streams, so the session answers them with it."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        if protocol in SPDY_PROTOCOLS:
            await SpdySession(ws, None, refusal=message).run()
        elif protocol is not None:
            await ws.send_bytes(b"\x01" + message.encode())
        await ws.close(1000)


async def _channels(ws: WebSocket, endpoint: PodEndpoint, ports: list[int]) -> None:
    send_lock = asyncio.Lock()

    async def send(channel: int, data: bytes) -> None:
        async with send_lock:
            await ws.send_bytes(bytes([channel]) + data)

    for i, port in enumerate(ports):
        await send(2 * i, struct.pack("<H", port))
        await send(2 * i + 1, struct.pack("<H", port))
    inbound: list[asyncio.Queue[bytes | None]] = [asyncio.Queue(64) for _ in ports]
    forwards = [asyncio.create_task(_forward_channel(endpoint, port, 2 * i, inbound[i], send))
                for i, port in enumerate(ports)]
    reader = asyncio.create_task(_read_channels(ws, inbound, forwards))
    try:
        await asyncio.wait([asyncio.gather(*forwards), reader],
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (*forwards, reader):
            task.cancel()
        for task in (*forwards, reader):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _read_channels(ws: WebSocket, inbound: list[asyncio.Queue[bytes | None]],
                         forwards: list[asyncio.Task[None]]) -> None:
    """Client frames to their ports' queues; a port whose connection is over drops them."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes") or (message.get("text") or "").encode()
        if len(data) < 2 or data[0] % 2:
            continue  # nothing, or the client writing to an error channel
        index = data[0] // 2
        if index < len(inbound) and not forwards[index].done():
            await inbound[index].put(data[1:])


async def _forward_channel(endpoint: PodEndpoint, port: int, channel: int,
                           inbound: asyncio.Queue[bytes | None],
                           send: Callable[[int, bytes], Awaitable[None]]) -> None:
    try:
        reader, writer = await endpoint.connect(port)
    except ConnectionError as e:
        await send(channel + 1, str(e).encode())
        return
    upstream = asyncio.create_task(pump_to_pod(inbound, writer))
    try:
        while chunk := await reader.read(CHUNK):
            await send(channel, chunk)
    finally:
        upstream.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await upstream
        writer.close()
        while not inbound.empty():  # let a reader blocked on the full queue go
            inbound.get_nowait()

