"""pods/{name}/log and pods/{name}/exec: the API server checks the pod and the container,
finds the pod's node's kubelet (Node status.addresses InternalIP and
daemonEndpoints.kubeletEndpoint.Port) and relays — logs as a text/plain stream (chunked,
and open as long as the kubelet's is, with follow), exec as a WebSocket whose frames pass
through one by one in both directions (v5.channel.k8s.io, or v4 for older clients), as
COMPAT.md §8–§9 describe. Failures before the upgrade are Status replies, so kubectl
prints them (its SPDY retry of a refused exec gets the same Status). The address is
checked before it is dialled (kubeletclient.py: no loopback or link-local targets)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
import websockets
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.kubeletclient import AddressNotAllowed, check_kubelet_host, kubelet_client
from tugboat.apiserver.podlogoptions import checked_log_params
from tugboat.apiserver.registry import Registry

log = logging.getLogger(__name__)

SUBRESOURCES = ("log", "exec", "attach")  # attach: apiserver/attach.py
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
EXEC_PARAMS = ("stdin", "stdout", "stderr", "tty")
PODS = lookup("", "v1", "pods")
NODES = lookup("", "v1", "nodes")


def pick_container(pod: dict[str, Any], requested: str | None) -> str:
    spec = pod.get("spec") or {}
    names = [c["name"] for c in (spec.get("containers") or []) + (spec.get("initContainers")
                                                                 or []) +
             (spec.get("ephemeralContainers") or [])]
    name = pod["metadata"]["name"]
    if not requested:
        if len(spec.get("containers") or []) == 1:
            return spec["containers"][0]["name"]
        raise errors.bad_request(f"a container name must be specified for pod {name}, "
                                 f"choose one of: [{' '.join(names)}]")
    if requested not in names:
        raise errors.bad_request(f"container {requested} is not valid for pod {name}")
    return requested


async def kubelet_address(reg: Registry, pod: dict[str, Any], allow_loopback: bool) -> str:
    """host:port of the kubelet running `pod`, from its node's registration; refused
    (400, as kube-apiserver's "address not allowed") when it may not be dialled."""
    node_name = (pod.get("spec") or {}).get("nodeName")
    if not node_name:
        raise errors.bad_request(f"pod {pod['metadata']['name']} does not have a host assigned")
    node = reg.get(NODES, None, node_name)
    status = node.get("status") or {}
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    host = addresses.get("InternalIP") or addresses.get("Hostname")
    if not host or not isinstance(host, str):
        raise errors.bad_request(f"node {node_name} has no address to reach its kubelet")
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port")
    port = port or 10250
    if not isinstance(port, int) or not 0 < port < 65536:
        raise errors.bad_request(f"node {node_name} has an invalid kubelet port {port!r}")
    try:
        await check_kubelet_host(host, allow_loopback)
    except AddressNotAllowed as e:
        raise errors.bad_request(f"{e} (node {node_name})") from None
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _target(state: Any, namespace: str, name: str, container: str | None
                  ) -> tuple[dict[str, Any], str, str]:
    reg: Registry = state.registry
    pod = reg.get(PODS, namespace, name)
    container = pick_container(pod, container)
    allow_loopback = getattr(state, "loopback_kubelets", False)
    return pod, container, await kubelet_address(reg, pod, allow_loopback)


async def serve_http(request: Request, reg: Registry, namespace: str, name: str, sub: str
                     ) -> Response:
    """The HTTP side: GET log, and exec requests that did not upgrade to a WebSocket."""
    if sub == "log":
        if request.method != "GET":
            raise errors.method_not_allowed(f"{request.method} is not supported on pods/log")
        return await pod_logs(request, reg, namespace, name)
    pod, _container, _address = await _target(request.app.state, namespace, name,
                                              request.query_params.get("container"))
    if sub == "exec":
        _check_exec_phase(pod)
    raise errors.bad_request(f"{sub} needs a WebSocket upgrade with protocol "
                             "v5.channel.k8s.io (SPDY is not supported)")


async def pod_logs(request: Request, reg: Registry, namespace: str, name: str) -> Response:
    q = request.query_params
    params = checked_log_params(q, name)
    _pod, container, address = await _target(request.app.state, namespace, name,
                                             q.get("container"))
    kubelets = kubelet_client(request.app.state)
    url = kubelets.url(address, f"/containerLogs/{namespace}/{name}/{container}")
    http = kubelets.http
    try:
        upstream = await http.send(http.build_request("GET", url, params=params), stream=True)
    except httpx.HTTPError as e:
        raise errors.ApiError(500, "InternalError", f'Get "{url}": {e}') from None
    if upstream.status_code != 200:
        text = (await upstream.aread()).decode(errors="replace").strip()
        await upstream.aclose()
        raise kubelet_refusal(upstream.status_code, text, f"pods/log {name}")
    return StreamingResponse(relay_body(upstream), media_type="text/plain")


def kubelet_refusal(code: int, text: str, what: str) -> errors.ApiError:
    """The kubelet's non-200 answer as a Status. Its 401 and 403 keep their code and
    text, with the resource appended as Kubernetes' generic server response does
    ("Forbidden (user=..., ...) ( pods/log web)"); others are a bad request (the
    kubelet's 4xx: no such container) or an internal error."""
    if code == 401:
        return errors.ApiError(401, "Unauthorized", f"{text} ( {what})")
    if code == 403:
        return errors.ApiError(403, "Forbidden", f"{text} ( {what})")
    if code < 500:
        return errors.ApiError(400, "BadRequest", text)
    return errors.ApiError(500, "InternalError", text)


async def relay_body(upstream: httpx.Response) -> AsyncIterator[bytes]:
    """An upstream reply's body as it arrives, the upstream closed however it ends."""
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.HTTPError:
        return
    finally:
        await upstream.aclose()


def _check_exec_phase(pod: dict[str, Any]) -> None:
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot exec into a container in a completed pod; current "
                                 f"phase is {phase}")


def choose_protocol(ws: WebSocket, protocols: tuple[str, ...] = PROTOCOLS) -> str | None:
    """The first of `protocols` the client offers (its list may be comma-joined)."""
    offered = {p.strip() for item in ws.scope.get("subprotocols") or [] for p in item.split(",")}
    return next((p for p in protocols if p in offered), None)


async def deny(ws: WebSocket, err: errors.ApiError) -> None:
    reply = Response(orjson.dumps(err.wire()), status_code=err.code,
                     media_type="application/json", headers=err.headers)
    try:
        await ws.send_denial_response(reply)
    except RuntimeError:
        await ws.close(1008, err.message[:120])


async def exec_socket(ws: WebSocket) -> None:
    """WebSocket /api/v1/namespaces/{namespace}/pods/{name}/exec."""
    namespace, name, q = ws.path_params["namespace"], ws.path_params["name"], ws.query_params
    protocol = choose_protocol(ws)
    kubelets = kubelet_client(ws.app.state)
    try:
        pod, container, address = await _target(ws.app.state, namespace, name,
                                                 q.get("container"))
        _check_exec_phase(pod)
        if protocol is None:
            raise errors.bad_request("exec supports the WebSocket protocols " +
                                     ", ".join(PROTOCOLS))
    except errors.ApiError as e:
        await deny(ws, e)
        return
    query = [("command", c) for c in q.getlist("command")] + \
        [(k, q[k]) for k in EXEC_PARAMS if k in q]
    url = kubelets.websocket_url(address, f"/exec/{namespace}/{name}/{container}?"
                                          f"{urlencode(query)}")
    upstream = await dial_kubelet(ws, url, protocol, f"pods/exec {name}")
    if upstream is None:
        return
    await ws.accept(subprotocol=protocol)
    await relay_frames(ws, upstream)


async def dial_kubelet(ws: WebSocket, url: str, protocol: str, what: str) -> Any | None:
    """A WebSocket to the kubelet speaking `protocol`; None when it could not be had, the
    client's upgrade then refused with the kubelet's answer as a Status."""
    kubelets = kubelet_client(ws.app.state)
    try:
        return await websockets.connect(url, subprotocols=[protocol],  # type: ignore[list-item]
                                        max_size=None, ssl=kubelets.ssl,
                                        ping_interval=None, open_timeout=10)
    except websockets.InvalidStatus as e:  # the kubelet refused the upgrade (401, 403...)
        text = (e.response.body or b"").decode(errors="replace").strip() or str(e)
        await deny(ws, kubelet_refusal(e.response.status_code, text, what))
    except (OSError, websockets.WebSocketException, TimeoutError) as e:
        await deny(ws, errors.ApiError(500, "InternalError", f"error dialing backend: {e}"))
    return None


async def relay_frames(ws: WebSocket, upstream: Any) -> None:
    async def down() -> None:
        async for message in upstream:
            if isinstance(message, bytes):
                await ws.send_bytes(message)
            else:
                await ws.send_text(message)

    async def up() -> None:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            await upstream.send(data if data is not None else message.get("text") or "")

    tasks = [asyncio.create_task(down()), asyncio.create_task(up())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await upstream.close()
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await ws.close(1000)
