"""Writing an answer in the media type the client negotiated, as kube-apiserver's
responsewriters do: an object, a list or a Status as protobuf when the client's Accept
prefers it and the kind has a message, JSON otherwise; the Warning headers with it. Every
endpoint — resources, connect subresources, discovery — answers through these, so an
error is the same Status wherever it comes from."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from tugboat.apiserver import errors, protobuf
from tugboat.apiserver.warningheaders import warning_values


def wants_table(accept: str | None) -> bool:
    return bool(accept) and "as=Table" in accept  # type: ignore[operator]


def json_response(obj: Any, status: int = 200, warnings: list[str] | None = None) -> Response:
    return _warned(Response(orjson.dumps(obj), status_code=status,
                            media_type="application/json"), warnings)


def _warned(resp: Response, warnings: list[str] | None) -> Response:
    if warnings:  # one header each, as kube-apiserver sends them; always legal HTTP
        resp.raw_headers.extend((b"warning", v) for v in warning_values(warnings))
    return resp


def object_response(request: Request, obj: Any, status: int = 200,
                    warnings: list[str] | None = None) -> Response:
    """An object, a list or a Status in the media type the client's Accept prefers:
    protobuf when it comes first and the kind has a message, JSON otherwise."""
    if isinstance(obj, dict) and protobuf.wants_protobuf(request.headers.get("accept")):
        listing = "items" in obj and obj.get("kind", "").endswith("List")
        body = protobuf.encode_list(obj) if listing else protobuf.encode(obj)
        if body is not None:
            return _warned(Response(body, status_code=status, media_type=protobuf.MEDIA_TYPE),
                           warnings)
    return json_response(obj, status, warnings)


def status_response(err: errors.ApiError, accept: str | None = None) -> Response:
    if accept and err.code != 406:
        try:
            body = protobuf.encode(err.wire()) if protobuf.wants_protobuf(accept) else None
        except errors.ApiError:
            body = None
        if body is not None:
            return Response(body, status_code=err.code, media_type=protobuf.MEDIA_TYPE,
                            headers=err.headers)
    return Response(orjson.dumps(err.wire()), status_code=err.code,
                    media_type="application/json", headers=err.headers)
