"""/openapi/v2: the Swagger 2.0 form of the same schemas, for the one kubectl path that
still reads it — `kubectl explain --output plaintext-openapiv2` (apply, edit and the
default explain read /openapi/v3). kubectl asks for it only as gnostic's protobuf
(`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, the openapi_v2.Document
message of github.com/google/gnostic), so that form is served beside JSON.

The document carries the definitions (every component of every served group-version,
converted from OpenAPI 3.0: `#/definitions/` refs with their descriptions beside them, the
apimachinery scalars as Swagger types, x- extensions as gnostic's YAML-valued NamedAny)
and no paths: explain reads only definitions, and the operations are in the v3 documents."""

from __future__ import annotations

import functools
import hashlib
import struct
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from tugboat.api.proto.wire import FIXED64, LEN, VARINT, length_delimited, tag, varint
from tugboat.apiserver import openapi

Obj = dict[str, Any]
_V3_REF = "#/components/schemas/"
_V2_REF = "#/definitions/"
_JSON = "application/json"
_PROTOBUF = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
             "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")


def _schema(s: Obj) -> Obj:
    """One OpenAPI 3.0 schema node as Swagger 2.0."""
    out: Obj = {}
    all_of = s.get("allOf") or []
    if len(all_of) == 1 and "$ref" in all_of[0] and not s.get("properties"):
        out["$ref"] = all_of[0]["$ref"].replace(_V3_REF, _V2_REF)
    elif "$ref" in s:
        out["$ref"] = s["$ref"].replace(_V3_REF, _V2_REF)
    for k, v in s.items():
        if k in ("$ref", "allOf", "oneOf", "anyOf"):
            continue
        if k == "properties":
            out[k] = {name: _schema(p) for name, p in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            out[k] = _schema(v)
        else:
            out[k] = v
    if ("oneOf" in s or "anyOf" in s) and "type" not in out and "$ref" not in out:
        out["type"] = "string"  # Quantity, IntOrString: Swagger 2.0 has no unions
    return out


@functools.cache
def document() -> Obj:
    definitions: Obj = {}
    for group, version in openapi.group_versions().values():
        doc = openapi.group_version(group, version) or {}
        for name, s in doc.get("components", {}).get("schemas", {}).items():
            definitions.setdefault(name, _schema(s))
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": openapi.VERSION},
            "paths": {}, "definitions": dict(sorted(definitions.items()))}


# -- gnostic's openapi_v2 protobuf ------------------------------------------------------


def _bytes(number: int, payload: bytes) -> bytes:
    return tag(number, LEN) + length_delimited(payload)


def _str(number: int, value: str) -> bytes:
    return _bytes(number, value.encode())


def _named_any(name: str, value: Any) -> bytes:
    # gnostic's Any keeps a value as YAML text (field 2); JSON is YAML
    return _str(1, name) + _bytes(2, _str(2, orjson.dumps(value).decode()))


# openapi_v2.Schema field numbers of what the converted schemas hold
_SCALARS = {"$ref": 1, "format": 2, "title": 3, "description": 4, "pattern": 13}
_DOUBLES = {"multipleOf": 6, "maximum": 7, "minimum": 9}
_BOOLS = {"exclusiveMaximum": 8, "exclusiveMinimum": 10, "uniqueItems": 16, "readOnly": 27}
_INTS = {"maxLength": 11, "minLength": 12, "maxItems": 14, "minItems": 15,
         "maxProperties": 17, "minProperties": 18}


def _schema_pb(s: Obj) -> bytes:
    out = bytearray()
    for k, v in s.items():
        if k in _SCALARS:
            out += _str(_SCALARS[k], str(v))
        elif k in _DOUBLES:
            out += tag(_DOUBLES[k], FIXED64) + struct.pack("<d", float(v))
        elif k in _BOOLS and v:
            out += tag(_BOOLS[k], VARINT) + b"\x01"
        elif k in _INTS:
            out += tag(_INTS[k], VARINT) + varint(int(v))
        elif k == "required":
            out += b"".join(_str(19, r) for r in v)
        elif k == "enum":
            out += b"".join(_bytes(20, _str(2, orjson.dumps(e).decode())) for e in v)
        elif k == "additionalProperties":
            out += _bytes(21, _bytes(1, _schema_pb(v)) if isinstance(v, dict)
                          else tag(2, VARINT) + (b"\x01" if v else b"\x00"))
        elif k == "type":
            out += _bytes(22, _str(1, v))
        elif k == "items":
            out += _bytes(23, _bytes(1, _schema_pb(v)))
        elif k == "properties":
            out += _bytes(25, b"".join(_bytes(1, _str(1, n) + _bytes(2, _schema_pb(p)))
                                       for n, p in v.items()))
        elif k.startswith("x-"):
            out += _bytes(31, _named_any(k, v))
    return bytes(out)


def _document_pb(doc: Obj) -> bytes:
    info = _str(1, doc["info"]["title"]) + _str(2, doc["info"]["version"])
    definitions = b"".join(_bytes(1, _str(1, name) + _bytes(2, _schema_pb(s)))
                           for name, s in doc["definitions"].items())
    return _str(1, doc["swagger"]) + _bytes(2, info) + _bytes(8, b"") + \
        _bytes(9, definitions)


@functools.cache
def encoded() -> tuple[bytes, bytes, str]:
    """JSON bytes, protobuf bytes, and the ETag (of the JSON, as kube-openapi computes)."""
    doc = document()
    body = orjson.dumps(doc)
    return body, _document_pb(doc), hashlib.sha512(body).hexdigest().upper()


def serve(request: Request) -> Response:
    """The form the Accept header ranks first (kube-openapi's order), or 406."""
    for clause in (request.headers.get("accept") or "*/*").split(","):
        media = clause.split(";", 1)[0].strip().lower()
        if media in ("*/*", "application/*", _JSON):
            kind = _JSON
        elif media in _PROTOBUF:
            kind = _PROTOBUF[1]
        else:
            continue
        body, pb, etag = encoded()
        headers = {"ETag": f'"{etag}"', "Vary": "Accept"}
        if f'"{etag}"' in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body if kind == _JSON else pb, media_type=kind, headers=headers)
    return Response(status_code=406, headers={"Vary": "Accept"})

