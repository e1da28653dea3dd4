"""Request bodies in Kubernetes' protobuf encoding, for the few kinds real kubectl sends
that way. kubectl's typed clients POST `application/vnd.kubernetes.protobuf` for the
reviews and TokenRequest (`kubectl auth whoami`, `auth can-i`, `create token`) and do
not fall back to JSON on a 415, so the server must read them. Replies stay JSON (kubectl
accepts JSON second; COMPAT.md §1).

The envelope is runtime.Unknown behind the magic `k8s\\0`: typeMeta {apiVersion, kind}
and the message bytes. Each supported kind has a field table from Kubernetes'
generated.proto; fields not in the table are skipped, as a JSON decoder drops unknown
fields. Other kinds get 415, as the API server answers for a type it cannot decode."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tugboat.apiserver import errors

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"


@dataclass(frozen=True)
class Field:
    name: str
    type: str | dict[int, Field]  # "string" | "int" | "bool" | "bytes" | "base64" | "map" |
    #                               a message
    repeated: bool = False
    map_value: str | dict[int, Field] | None = None  # set for map<string, map_value>


Schema = dict[int, Field]

# ExtraValue is a message wrapping a list; on the wire it is the list itself.
EXTRA_VALUE: Schema = {1: Field("items", "string", repeated=True)}
OBJECT_META: Schema = {
    1: Field("name", "string"), 2: Field("generateName", "string"),
    3: Field("namespace", "string"), 5: Field("uid", "string"),
    6: Field("resourceVersion", "string"),
    11: Field("labels", "map", map_value="string"),
    12: Field("annotations", "map", map_value="string"),
}
RESOURCE_ATTRIBUTES: Schema = {
    1: Field("namespace", "string"), 2: Field("verb", "string"), 3: Field("group", "string"),
    4: Field("version", "string"), 5: Field("resource", "string"),
    6: Field("subresource", "string"), 7: Field("name", "string"),
}
NON_RESOURCE_ATTRIBUTES: Schema = {1: Field("path", "string"), 2: Field("verb", "string")}
ACCESS_REVIEW_SPEC: Schema = {
    1: Field("resourceAttributes", RESOURCE_ATTRIBUTES),
    2: Field("nonResourceAttributes", NON_RESOURCE_ATTRIBUTES),
    3: Field("user", "string"), 4: Field("groups", "string", repeated=True),
    5: Field("extra", "map", map_value=EXTRA_VALUE), 6: Field("uid", "string"),
}
BOUND_OBJECT_REFERENCE: Schema = {
    1: Field("kind", "string"), 2: Field("apiVersion", "string"), 3: Field("name", "string"),
    4: Field("uid", "string"),
}


def _object(spec: Schema) -> Schema:
    return {1: Field("metadata", OBJECT_META), 2: Field("spec", spec)}


KINDS: dict[tuple[str, str], Schema] = {
    ("authentication.k8s.io/v1", "SelfSubjectReview"): {1: Field("metadata", OBJECT_META)},
    ("authentication.k8s.io/v1", "TokenReview"): _object({
        1: Field("token", "string"), 2: Field("audiences", "string", repeated=True)}),
    ("authentication.k8s.io/v1", "TokenRequest"): _object({
        1: Field("audiences", "string", repeated=True), 4: Field("expirationSeconds", "int"),
        3: Field("boundObjectRef", BOUND_OBJECT_REFERENCE)}),
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview"): _object(ACCESS_REVIEW_SPEC),
    ("authorization.k8s.io/v1", "SubjectAccessReview"): _object(ACCESS_REVIEW_SPEC),
    ("authorization.k8s.io/v1", "LocalSubjectAccessReview"): _object(ACCESS_REVIEW_SPEC),
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview"): _object({
        1: Field("namespace", "string")}),
}
# rbac.authorization.k8s.io/v1: `kubectl create role|clusterrole|rolebinding|
# clusterrolebinding` send these through the typed client.
POLICY_RULE: Schema = {
    1: Field("verbs", "string", repeated=True), 2: Field("apiGroups", "string", repeated=True),
    3: Field("resources", "string", repeated=True),
    4: Field("resourceNames", "string", repeated=True),
    5: Field("nonResourceURLs", "string", repeated=True),
}
LABEL_SELECTOR: Schema = {
    1: Field("matchLabels", "map", map_value="string"),
    2: Field("matchExpressions", {1: Field("key", "string"), 2: Field("operator", "string"),
                                  3: Field("values", "string", repeated=True)}, repeated=True),
}
SUBJECT: Schema = {1: Field("kind", "string"), 2: Field("apiGroup", "string"),
                   3: Field("name", "string"), 4: Field("namespace", "string")}
ROLE_REF: Schema = {1: Field("apiGroup", "string"), 2: Field("kind", "string"),
                    3: Field("name", "string")}
ROLE: Schema = {1: Field("metadata", OBJECT_META), 2: Field("rules", POLICY_RULE, repeated=True),
                3: Field("aggregationRule", {1: Field("clusterRoleSelectors", LABEL_SELECTOR,
                                                      repeated=True)})}
BINDING: Schema = {1: Field("metadata", OBJECT_META),
                   2: Field("subjects", SUBJECT, repeated=True), 3: Field("roleRef", ROLE_REF)}
KINDS.update({
    ("rbac.authorization.k8s.io/v1", "Role"): ROLE,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ROLE,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): BINDING,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): BINDING,
})
# v1 Secret and ConfigMap: `kubectl create secret|configmap` send them through the typed
# client. Their bytes maps are base64 strings in the JSON form ("base64").
KINDS.update({
    ("v1", "Secret"): {1: Field("metadata", OBJECT_META),
                       2: Field("data", "map", map_value="base64"),
                       3: Field("type", "string"),
                       4: Field("stringData", "map", map_value="string"),
                       5: Field("immutable", "bool")},
    ("v1", "ConfigMap"): {1: Field("metadata", OBJECT_META),
                          2: Field("data", "map", map_value="string"),
                          3: Field("binaryData", "map", map_value="base64"),
                          4: Field("immutable", "bool")},
})
UNKNOWN: Schema = {1: Field("typeMeta", {1: Field("apiVersion", "string"),
                                         2: Field("kind", "string")}),
                   2: Field("raw", "bytes")}


class DecodeError(ValueError):
    pass


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise DecodeError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    i = 0
    while i < len(buf):
        tag, i = _varint(buf, i)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i:i + size], i + size
            if len(value) != size:
                raise DecodeError("truncated field")
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, i = buf[i:i + size], i + size
        else:
            raise DecodeError(f"unsupported wire type {wire}")
        yield number, wire, value


def _scalar(kind: str, value: Any) -> Any:
    if kind == "string":
        return bytes(value).decode()
    if kind == "bytes":
        return bytes(value)
    if kind == "base64":
        return base64.b64encode(value).decode()
    if kind == "bool":
        return bool(value)
    return value - (1 << 64) if value >= 1 << 63 else value  # int64, two's complement


def _value(kind: str | Schema, value: Any) -> Any:
    if isinstance(kind, dict):
        return decode_message(value, kind)
    return _scalar(kind, value)


def decode_message(buf: bytes, schema: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, _wire, value in _fields(buf):
        f = schema.get(number)
        if f is None:
            continue
        # A varint where bytes belong would reach bytes(n): n zero bytes from a 10-byte body.
        if _wire != (0 if f.map_value is None and f.type in ("int", "bool") else 2):
            raise DecodeError(f"field {number} ({f.name}) has the wrong wire type {_wire}")
        if f.map_value is not None:
            entry = decode_message(value, {1: Field("key", "string"),
                                           2: Field("value", f.map_value)})
            v = entry.get("value", {} if isinstance(f.map_value, dict) else "")
            if f.map_value is EXTRA_VALUE:
                v = v.get("items", [])
            out.setdefault(f.name, {})[entry.get("key", "")] = v
        elif f.repeated:
            out.setdefault(f.name, []).append(_value(f.type, value))
        else:
            v = _value(f.type, value)
            if v != "":  # Go writes every string; its JSON would omit the empty ones
                out[f.name] = v
    return out


def decode(raw: bytes) -> dict[str, Any]:
    """A protobuf request body → the object as its JSON form would parse."""
    if not raw.startswith(MAGIC):
        raise errors.bad_request("the protobuf body does not start with the k8s magic bytes")
    try:
        unknown = decode_message(raw[len(MAGIC):], UNKNOWN)
        meta = unknown.get("typeMeta", {})
        api_version, kind = meta.get("apiVersion", ""), meta.get("kind", "")
        schema = KINDS.get((api_version, kind))
        if schema is None:
            raise errors.ApiError(
                415, "UnsupportedMediaType",
                f'the body of the request was in an unknown format - accepted media types '
                f'include: application/json, application/yaml (got "{MEDIA_TYPE}" for '
                f'{kind or "an unnamed kind"})')
        return {"apiVersion": api_version, "kind": kind,
                **decode_message(unknown.get("raw", b""), schema)}
    except (DecodeError, UnicodeDecodeError) as e:
        raise errors.bad_request(f"error decoding protobuf: {e}") from None
