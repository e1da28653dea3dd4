"""WebSocket /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty:
`kubectl exec` over the v5 (or v4) channel protocol. Output frames flow out on channels 1
and 2 as the process writes them, stdin frames in on channel 0 (v5's `\\xff\\x00` closes
it), resizes on 4; when the output ends, the exit status goes out on channel 3 and the
socket closes — kubectl exits with the command's code."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

from tugboat.kubelet.runtime import ExecSession, RuntimeFailure, RuntimeUnavailable
from tugboat.kubelet.server import channels
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.targets import NotAvailable, find_container

log = logging.getLogger(__name__)


Opener = Callable[[ServerContext, WebSocket], Awaitable[ExecSession]]


def flag(ws: WebSocket, name: str) -> bool:
    return ws.query_params.get(name, "").lower() in ("1", "true", "yes")


async def serve(ws: WebSocket, open_session: Opener) -> None:
    """A streaming socket (exec, attach): accept it in a channel protocol, open the
    session — a refusal (NotAvailable) or a runtime failure goes out as a Status on the
    error channel — and relay it."""
    ctx: ServerContext = ws.app.state.ctx
    protocol = channels.choose_protocol(ws.scope.get("subprotocols") or [])
    await ws.accept(subprotocol=protocol)
    if protocol is None:
        await finish(ws, channels.error_status("no supported channel protocol (v5, v4)",
                                                "BadRequest", 400))
        return
    try:
        session = await open_session(ctx, ws)
    except NotAvailable as e:
        await finish(ws, channels.error_status(e.message, "BadRequest", e.code))
        return
    except (RuntimeFailure, RuntimeUnavailable) as e:
        await finish(ws, channels.error_status(str(e)))
        return
    await relay(ws, session, protocol, {1: flag(ws, "stdout"), 2: flag(ws, "stderr")})


async def _open_exec(ctx: ServerContext, ws: WebSocket) -> ExecSession:
    p, command = ws.path_params, ws.query_params.getlist("command")
    if not command:
        raise NotAvailable(400, "you must specify at least one command for the container")
    target = await find_container(ctx.pods, ctx.runtime, ctx.node, p["namespace"],
                                  p["pod"], p["container"], running=True)
    return await ctx.runtime.exec_stream(target.id, command, stdin=flag(ws, "stdin"),
                                         tty=flag(ws, "tty"))


async def exec_socket(ws: WebSocket) -> None:
    await serve(ws, _open_exec)


async def relay(ws: WebSocket, session: ExecSession, protocol: str,
                 wanted: dict[int, bool]) -> None:
    inbound = asyncio.create_task(_pump_in(ws, session, protocol))
    try:
        while (chunk := await session.read()) is not None:
            stream, data = chunk
            if wanted.get(stream, True) and data:
                await ws.send_bytes(channels.frame(stream, data))
        code = await session.exit_code()
        await finish(ws, channels.exit_status(code))
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away; the process sees its streams close
    finally:
        inbound.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await inbound
        await session.close()


async def _pump_in(ws: WebSocket, session: ExecSession, protocol: str) -> None:
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes") or (message.get("text") or "").encode()
        if not data:
            continue
        channel, payload = data[0], data[1:]
        if channel == channels.STDIN and payload:
            await session.write(payload)
        elif channel == channels.RESIZE:
            size = channels.parse_resize(payload)
            if size:
                await session.resize(*size)
        elif channel == channels.CLOSE and protocol == channels.V5 and payload[:1] == b"\x00":
            await session.close_stdin()


async def finish(ws: WebSocket, status: bytes) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await ws.send_bytes(channels.frame(channels.ERROR, status))
        await ws.close(1000)
