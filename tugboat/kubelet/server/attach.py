"""WebSocket /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty: `kubectl
attach` and `kubectl debug -i` on a running container's own stdio, over the same channel
protocol as exec (v5 or v4): what the container writes from now on goes out on channels
1 and 2, stdin frames go in on 0, resizes on 4. The attach ends when the container's
output does (it exited) or the client leaves; a client closing its stdin closes the
container's only when the container is stdinOnce (and then the output goes on until it
exits), else it ends the attach, as under containerd's CRI."""

from __future__ import annotations

from starlette.websockets import WebSocket

from tugboat.kubelet.runtime import RuntimeFailure, RuntimeUnavailable
from tugboat.kubelet.server import channels
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.exec import finish, relay
from tugboat.kubelet.server.targets import NotAvailable, find_container


def _flag(ws: WebSocket, name: str) -> bool:
    return ws.query_params.get(name, "").lower() in ("1", "true", "yes")


async def attach_socket(ws: WebSocket) -> None:
    ctx: ServerContext = ws.app.state.ctx
    protocol = channels.choose_protocol(ws.scope.get("subprotocols") or [])
    await ws.accept(subprotocol=protocol)
    if protocol is None:
        await finish(ws, channels.error_status("no supported channel protocol (v5, v4)",
                                               "BadRequest", 400))
        return
    p = ws.path_params
    try:
        target = await find_container(ctx.pods, ctx.runtime, ctx.node, p["namespace"],
                                      p["pod"], p["container"], running=True)
        session = await ctx.runtime.attach(target.id, stdin=_flag(ws, "stdin"),
                                           tty=_flag(ws, "tty"))
    except NotAvailable as e:
        await finish(ws, channels.error_status(e.message, "BadRequest", e.code))
        return
    except (RuntimeFailure, RuntimeUnavailable) as e:
        await finish(ws, channels.error_status(str(e)))
        return
    await relay(ws, session, protocol, {1: _flag(ws, "stdout"), 2: _flag(ws, "stderr")})
