"""GET /containerLogs/{namespace}/{pod}/{container}: a container's output as text/plain,
with kubectl's options (PodLogOptions) — follow (streamed until the container stops or the
client leaves), tailLines (the last N lines, then following when asked), sinceSeconds or
sinceTime (lines written from then on), limitBytes (the stream ends after N bytes, even
mid-line, as the kubelet's limited writer does), previous (the instance before the
current one) and timestamps (each line prefixed with its RFC3339Nano time). Options are
read and checked as the API server does — 400 when they do not decode, 422 when they
break a rule — since a client may reach the kubelet directly."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from tugboat.api.podlogoptions import PodLogOptions
from tugboat.api.validation.podlogoptions import validate_pod_log_options
from tugboat.kubelet.runtime import RuntimeFailure, RuntimeUnavailable
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.targets import NotAvailable, find_container


def _options(request: Request) -> PodLogOptions | Response:
    """The request's options, or the refusal to send when they are not usable."""
    query = dict(request.query_params)
    # The kubelet's own older spelling: `tail`, where "all" means no limit.
    tail = query.pop("tail", None)
    if tail and tail != "all":
        query["tailLines"] = tail
    try:
        opts = PodLogOptions.from_query(query)
    except ValueError as e:
        return PlainTextResponse(str(e), status_code=400)
    causes = validate_pod_log_options(opts)
    if causes:
        return PlainTextResponse("; ".join(f"{c.field}: {c.message}" if c.field
                                           else c.message or "" for c in causes),
                                 status_code=422)
    return opts


async def container_logs(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    p = request.path_params
    opts = _options(request)
    if isinstance(opts, Response):
        return opts
    try:
        target = await find_container(ctx.pods, ctx.runtime, ctx.node, p["namespace"],
                                      p["pod"], p["container"], previous=opts.previous)
    except NotAvailable as e:
        return PlainTextResponse(e.message, status_code=e.code)
    except RuntimeUnavailable as e:
        return PlainTextResponse(str(e), status_code=503)
    stream = ctx.runtime.logs(target.id, follow=opts.follow, tail=opts.tailLines,
                              timestamps=opts.timestamps, since=opts.since(time.time()))
    return StreamingResponse(_limited(_safe(stream), opts.limitBytes), media_type="text/plain")


async def _safe(stream: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    try:
        async for chunk in stream:
            yield chunk
    except (RuntimeFailure, RuntimeUnavailable):
        return


async def _limited(stream: AsyncGenerator[bytes, None], limit: int | None) -> AsyncIterator[bytes]:
    """The stream cut after `limit` bytes (None: all of it); a followed stream ends there
    too, and the runtime's stream is closed rather than read on."""
    if limit is None:
        async for chunk in stream:
            yield chunk
        return
    left = limit
    try:
        async for chunk in stream:
            if len(chunk) >= left:
                yield chunk[:left]
                return
            left -= len(chunk)
            yield chunk
    finally:
        await stream.aclose()
