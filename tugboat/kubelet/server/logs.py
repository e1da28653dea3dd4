"""GET /containerLogs/{namespace}/{pod}/{container}: a container's output as text/plain,
with kubectl's options — follow (streamed until the container stops or the client
leaves), tailLines, previous (the instance before the current one) and timestamps."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from tugboat.kubelet.runtime import RuntimeFailure, RuntimeUnavailable
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.targets import NotAvailable, find_container


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def _tail(request: Request) -> int | None:
    raw = request.query_params.get("tailLines")
    if raw is None or raw == "":
        return None
    return max(int(raw), 0)


async def container_logs(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    p = request.path_params
    try:
        tail = _tail(request)
        target = await find_container(ctx.pods, ctx.runtime, ctx.node, p["namespace"],
                                      p["pod"], p["container"], previous=_flag(request, "previous"))
    except ValueError:
        return PlainTextResponse("tailLines must be an integer", status_code=400)
    except NotAvailable as e:
        return PlainTextResponse(e.message, status_code=e.code)
    except RuntimeUnavailable as e:
        return PlainTextResponse(str(e), status_code=503)
    stream = ctx.runtime.logs(target.id, follow=_flag(request, "follow"), tail=tail,
                              timestamps=_flag(request, "timestamps"))
    return StreamingResponse(_safe(stream), media_type="text/plain")


async def _safe(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    try:
        async for chunk in stream:
            yield chunk
    except (RuntimeFailure, RuntimeUnavailable):
        return
