"""pods/{name}/attach: `kubectl attach` and `kubectl debug -it` reach a running container's
own stdio. The API server checks the pod and the container (app, init or ephemeral), finds
the pod's node's kubelet and relays the WebSocket frame by frame to its
/attach/{namespace}/{pod}/{container}, as it does for exec (proxy.py): v5.channel.k8s.io
or v4, with stdin, stdout, stderr and tty passed through."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.websockets import WebSocket

from tugboat.apiserver import errors
from tugboat.apiserver.kubeletclient import kubelet_client
from tugboat.apiserver.proxy import (
    EXEC_PARAMS,
    PODS,
    PROTOCOLS,
    choose_protocol,
    deny,
    dial_kubelet,
    kubelet_address,
    pick_container,
    relay_frames,
)
from tugboat.apiserver.registry import Registry


async def attach_socket(ws: WebSocket) -> None:
    """WebSocket /api/v1/namespaces/{namespace}/pods/{name}/attach."""
    namespace, name, q = ws.path_params["namespace"], ws.path_params["name"], ws.query_params
    protocol = choose_protocol(ws)
    state = ws.app.state
    try:
        reg: Registry = state.registry
        pod = reg.get(PODS, namespace, name)
        container = pick_container(pod, q.get("container"))
        address = await kubelet_address(reg, pod, getattr(state, "loopback_kubelets", False))
        if protocol is None:
            raise errors.bad_request("attach supports the WebSocket protocols " +
                                     ", ".join(PROTOCOLS))
    except errors.ApiError as e:
        await deny(ws, e)
        return
    query = [(k, q[k]) for k in EXEC_PARAMS if k in q]
    url = kubelet_client(state).websocket_url(
        address, f"/attach/{namespace}/{name}/{container}?{urlencode(query)}")
    upstream = await dial_kubelet(ws, url, protocol, f"pods/attach {name}")
    if upstream is None:
        return
    await ws.accept(subprotocol=protocol)
    await relay_frames(ws, upstream)
