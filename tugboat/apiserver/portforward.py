"""pods/{name}/portforward: the API server finds the pod's kubelet and relays the WebSocket
to its /portForward/{namespace}/{pod} frame by frame, in the protocol the client chose —
kubectl's tunnelled SPDY (`SPDY/3.1+portforward.k8s.io`, KEP-4006) or the v4 channel
protocol of the Python client, the ports of which are passed on as `?port=`. Neither is
interpreted here: the kubelet speaks them (kubelet/server/portforward.py).

A request that does not upgrade to a WebSocket (kubectl's fallback to a plain SPDY
upgrade, which this server cannot take) gets a Status, as do a missing pod or one without
a node; authorization treats the upgrade's GET as `create` on pods/portforward, as
Kubernetes does (auth/requestinfo.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from tugboat.apiserver import errors
from tugboat.apiserver.kubeletclient import kubelet_client
from tugboat.apiserver.proxy import (
    PODS,
    choose_protocol,
    deny,
    dial_kubelet,
    kubelet_address,
    relay_frames,
)
from tugboat.apiserver.registry import Registry

SPDY_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
PROTOCOLS = (SPDY_PROTOCOL, "v4.channel.k8s.io")
# The kubelet is asked for SPDY tunnelling by the SPDY protocol's own name: the WebSocket
# client library refuses to send a subprotocol that is not an HTTP token ('/').
KUBELET_PROTOCOLS = {SPDY_PROTOCOL: "portforward.k8s.io"}
PATH = "/api/v1/namespaces/{namespace}/pods/{name}/portforward"


def ports_of(params: Any) -> list[str]:
    """The ports of `?ports=` (repeated or comma-separated), each a number in 1..65535."""
    ports: list[str] = []
    for text in params.getlist("ports") + params.getlist("port"):
        for part in text.split(","):
            if not part.strip().isdigit() or not 0 < int(part) < 65536:
                raise errors.bad_request(f'invalid port "{part}": ports must be numbers '
                                         f"between 1 and 65535")
            ports.append(str(int(part)))
    return ports


async def _kubelet_of(state: Any, namespace: str, name: str) -> str:
    reg: Registry = state.registry
    pod = reg.get(PODS, namespace, name)
    return await kubelet_address(reg, pod, getattr(state, "loopback_kubelets", False))


async def portforward_socket(ws: WebSocket) -> None:
    """WebSocket /api/v1/namespaces/{namespace}/pods/{name}/portforward."""
    namespace, name = ws.path_params["namespace"], ws.path_params["name"]
    protocol = choose_protocol(ws, PROTOCOLS)
    try:
        address = await _kubelet_of(ws.app.state, namespace, name)
        if protocol is None:
            raise errors.bad_request("port-forward supports the WebSocket protocols " +
                                     ", ".join(PROTOCOLS))
        ports = ports_of(ws.query_params)
        if protocol != SPDY_PROTOCOL and not ports:
            raise errors.bad_request("at least one port must be given (?ports=)")
    except errors.ApiError as e:
        await deny(ws, e)
        return
    query = f"?{urlencode([('port', p) for p in ports])}" if ports else ""
    url = kubelet_client(ws.app.state).websocket_url(
        address, f"/portForward/{namespace}/{name}{query}")
    upstream = await dial_kubelet(ws, url, KUBELET_PROTOCOLS.get(protocol, protocol),
                                  f"pods/portforward {name}")
    if upstream is None:
        return
    await ws.accept(subprotocol=protocol)
    await relay_frames(ws, upstream)


async def portforward_http(request: Request) -> Response:
    """GET or POST without a WebSocket upgrade: a Status saying what is needed."""
    reg: Registry = request.app.state.registry
    namespace, name = request.path_params["namespace"], request.path_params["name"]
    reg.get(PODS, namespace, name)  # a missing pod is a 404 first
    raise errors.bad_request("port-forward needs a WebSocket upgrade with protocol " +
                             " or ".join(PROTOCOLS) + " (SPDY upgrades are not supported)")
