"""WebSocket /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty: `kubectl
attach` and `kubectl debug -i` on a running container's own stdio, over the same channel
protocol as exec (v5 or v4): what the container writes from now on goes out on channels
1 and 2, stdin frames go in on 0, resizes on 4. The attach ends when the container's
output does (it exited) or the client leaves; a client closing its stdin closes the
container's only when the container is stdinOnce (and then the output goes on until it
exits), else it ends the attach, as under containerd's CRI."""

from __future__ import annotations

from starlette.websockets import WebSocket

from tugboat.kubelet.runtime import ExecSession
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.exec import flag, serve
from tugboat.kubelet.server.targets import find_container


async def _open_attach(ctx: ServerContext, ws: WebSocket) -> ExecSession:
    p = ws.path_params
    target = await find_container(ctx.pods, ctx.runtime, ctx.node, p["namespace"],
                                  p["pod"], p["container"], running=True)
    return await ctx.runtime.attach(target.id, stdin=flag(ws, "stdin"), tty=flag(ws, "tty"))


async def attach_socket(ws: WebSocket) -> None:
    await serve(ws, _open_attach)
