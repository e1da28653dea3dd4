"""Serves the OpenAPI v3 documents as kube-openapi's handler3 does, so clients cache them:
each group-version's document is encoded once per process (the documents are static), its
ETag is the upper-case hex SHA-512 of those bytes, and the index (/openapi/v3) names every
document by a URL carrying that hash (`/openapi/v3/apis/apps/v1?hash=…`). kubectl keeps a
document fetched by such a URL for good (`Cache-Control: public, immutable`), so a server
whose documents change — a group added, a field documented — changes the URLs in the
index, and a client asking by an old hash is redirected (301) to the current one.
If-None-Match with the current ETag gets 304. Only JSON is served: a client that will take
nothing but the protobuf form gets 406 and falls back."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from email.utils import formatdate
from time import time
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from tugboat.api.resources import ResourceInfo, served
from tugboat.apiserver import openapi
from tugboat.apiserver.customresources import openapi as customopenapi

_JSON = "application/json"
_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Encoded:
    body: bytes
    etag: str  # upper-case hex SHA-512 of body, as kube-openapi computes it


def _encode(doc: object) -> Encoded:
    body = orjson.dumps(doc)
    return Encoded(body, hashlib.sha512(body).hexdigest().upper())


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def document(group: str, version: str) -> Encoded | None:
    custom = customopenapi.served_in(group, version)
    return _custom_document(custom) if custom else _static_document(group, version)


@functools.cache
def _static_document(group: str, version: str) -> Encoded | None:
    doc = openapi.group_version(group, version)
    return None if doc is None else _encode(doc)


@functools.lru_cache(maxsize=64)
def _custom_document(infos: tuple[ResourceInfo, ...]) -> Encoded:
    """A CRD group-version's document: made again when a CRD changes (infos carry the
    CRD's revision), so its hash in the index moves and kubectl fetches it again."""
    return _encode(customopenapi.group_version(infos))


def index() -> Encoded:
    return _index(served())


@functools.lru_cache(maxsize=4)
def _index(_served: tuple[ResourceInfo, ...]) -> Encoded:
    paths = {}
    for path, (group, version) in sorted(openapi.group_versions().items()):
        encoded = document(group, version)
        assert encoded is not None
        query = urlencode({"hash": encoded.etag})
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?{query}"}
    return _encode({"paths": paths})


_STARTED = formatdate(time(), usegmt=True)  # the documents' Last-Modified: this process's


def _accepts_json(accept: str) -> bool:
    for clause in (accept or "*/*").split(","):
        media = clause.split(";", 1)[0].strip().lower()
        if media in ("*/*", "application/*", _JSON):
            return True
    return False


def _not_modified(request: Request, etag: str) -> bool:
    sent = request.headers.get("if-none-match", "")
    return any(t.strip() in (f'"{etag}"', f'W/"{etag}"', "*") for t in sent.split(","))


def serve_index(request: Request) -> Response:
    encoded = index()
    headers = {"ETag": f'"{encoded.etag}"', "Last-Modified": _STARTED}
    if _not_modified(request, encoded.etag):
        return Response(status_code=304, headers=headers)
    return Response(encoded.body, media_type=_JSON, headers=headers)


def serve_group_version(request: Request, group: str, version: str) -> Response | None:
    """The document, 304, a 301 to the current hash, or 406; None when no such
    group-version is served."""
    encoded = document(group, version)
    if encoded is None:
        return None
    if not _accepts_json(request.headers.get("accept", "")):
        return Response(status_code=406, headers={"Vary": "Accept"})
    headers = {"ETag": f'"{encoded.etag}"', "Vary": "Accept", "Last-Modified": _STARTED}
    asked = request.query_params.get("hash")
    if asked:
        if asked != encoded.etag:
            query = urlencode({"hash": encoded.etag})
            location = f"/openapi/v3/{gv_path(group, version)}?{query}"
            return Response(status_code=301, headers={**headers, "Location": location})
        headers["Cache-Control"] = "public, immutable"
        headers["Expires"] = formatdate(time() + _YEAR, usegmt=True)
    if _not_modified(request, encoded.etag):
        return Response(status_code=304, headers=headers)
    return Response(encoded.body, media_type=_JSON, headers=headers)
