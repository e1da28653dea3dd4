"""A stand-in API server for the kubelet's webhook authn/authz: it answers TokenReview
and SubjectAccessReview from a fixed policy given on the command line, records every
review it answers (JSON lines), and passes every other request — the kubelet's node
status, pod watch, leases — through to a real API server. Run as a process:

    python -m tests.support.reviewstub --port P --upstream URL --record FILE \\
        [--token TOKEN=USER ...] [--grant USER:SUBRESOURCE ...]

A SubjectAccessReview is allowed for a granted (user, subresource) and for any user in
system:masters, as RBAC's cluster-admin binding would."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


def build(upstream: str, tokens: dict[str, str], grants: set[tuple[str, str]],
          record: Path) -> Starlette:
    http = httpx.AsyncClient(base_url=upstream, timeout=httpx.Timeout(10.0, read=None))

    def remember(review: dict[str, Any]) -> JSONResponse:
        with record.open("a") as f:
            f.write(json.dumps(review) + "\n")
        return JSONResponse(review, status_code=201)

    async def token_review(request: Request) -> Response:
        review = await request.json()
        user = tokens.get(review["spec"]["token"])
        review["status"] = {"authenticated": user is not None}
        if user:
            review["status"]["user"] = {"username": user, "groups": ["reviewed"]}
        return remember(review)

    async def access_review(request: Request) -> Response:
        review = await request.json()
        spec = review["spec"]
        allowed = (spec["user"], spec["resourceAttributes"]["subresource"]) in grants or \
            "system:masters" in (spec.get("groups") or [])
        review["status"] = {"allowed": allowed}
        return remember(review)

    async def passthrough(request: Request) -> Response:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        upstream_request = http.build_request(
            request.method, request.url.path, params=request.url.query, headers=headers,
            content=await request.body())
        resp = await http.send(upstream_request, stream=True)
        kept = {k: v for k, v in resp.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(resp.aiter_raw(), status_code=resp.status_code, headers=kept,
                                 background=BackgroundTask(resp.aclose))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[
        Route("/apis/authentication.k8s.io/v1/tokenreviews", token_review, methods=["POST"]),
        Route("/apis/authorization.k8s.io/v1/subjectaccessreviews", access_review,
              methods=["POST"]),
        Route("/{path:path}", passthrough, methods=methods),
    ])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--record", type=Path, required=True)
    p.add_argument("--token", action="append", default=[], help="TOKEN=USER")
    p.add_argument("--grant", action="append", default=[], help="USER:SUBRESOURCE")
    a = p.parse_args()
    tokens = dict(t.split("=", 1) for t in a.token)
    grants = {tuple(g.rsplit(":", 1)) for g in a.grant}
    app = build(a.upstream.rstrip("/"), tokens, grants, a.record)  # type: ignore[arg-type]
    uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning")


if __name__ == "__main__":
    main()
