"""ConfigMap and Secret validation, after Kubernetes' ValidateConfigMap and ValidateSecret:
key syntax, the 1 MiB size limit, base64 data, each Secret type's required keys (and the
JSON a docker config must be), `type` fixed once created, and the `immutable` flag's
freeze on updates. `stringData` is folded into `data` by defaulting before this runs, so
its errors name `data[key]` as Kubernetes' do (there the fold is a conversion)."""

from __future__ import annotations

import binascii
import json
from base64 import b64decode

from tugboat.api.core import ConfigMap, Secret
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    immutable,
    invalid,
    required,
    too_long,
)
from tugboat.api.validation.names import is_config_map_key

MAX_SIZE = 1024 * 1024  # core.MaxSecretSize, which ConfigMaps share
_IMMUTABLE_MSG = "field is immutable when `immutable` is set"
_REDACTED = "<secret contents redacted>"
SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
# Secret types whose data must hold every one of these keys.
_SECRET_TYPE_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
}
# Secret types whose key must hold a JSON object (a registry's credentials).
_JSON_KEYS = {"kubernetes.io/dockerconfigjson": ".dockerconfigjson",
              "kubernetes.io/dockercfg": ".dockercfg"}


def _validate_keys(data: dict[str, str] | None, field: str, errs: Errors) -> None:
    for key in data or ():
        for msg in is_config_map_key(key):
            errs.append(invalid(f"{field}[{key}]", key, msg))


def _decoded(data: dict[str, str] | None, field: str, errs: Errors) -> dict[str, bytes]:
    """The values of base64 `data`, decoded; each one that is not base64 is an error."""
    out: dict[str, bytes] = {}
    for key, value in (data or {}).items():
        try:
            out[key] = b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            errs.append(invalid(f"{field}[{key}]", "<value omitted>", "must be base64-encoded"))
    return out


def _json_object_error(raw: bytes) -> str | None:
    """Why `raw` is not a JSON object (Go's json.Unmarshal into a map), or None."""
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as e:
        return f"invalid JSON: {e}"
    if not isinstance(value, dict):
        kind = {list: "array", str: "string", bool: "bool"}.get(type(value), "number")
        if value is None:
            return None  # Go leaves the map nil on `null`, without error
        return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    return None


def _same(a: dict[str, str] | None, b: dict[str, str] | None) -> bool:
    # An empty map and none read the same on the wire (omitempty).
    return (a or {}) == (b or {})


def validate_config_map(cm: ConfigMap, old: ConfigMap | None, errs: Errors) -> None:
    data, binary = cm.data or {}, cm.binaryData or {}
    _validate_keys(data, "data", errs)
    _validate_keys(binary, "binaryData", errs)
    for key in data:
        if key in binary:
            errs.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
    for key in binary:
        if key in data:
            errs.append(invalid(f"binaryData[{key}]", key, "duplicate of key present in data"))
    size = sum(len(v.encode()) for v in data.values())
    size += sum(len(v) for v in _decoded(binary, "binaryData", errs).values())
    if size > MAX_SIZE:
        errs.append(too_long("", MAX_SIZE))
    if old is not None and old.immutable:
        if not cm.immutable:
            errs.append(forbidden("immutable", _IMMUTABLE_MSG))
        if not _same(cm.data, old.data):
            errs.append(forbidden("data", _IMMUTABLE_MSG))
        if not _same(cm.binaryData, old.binaryData):
            errs.append(forbidden("binaryData", _IMMUTABLE_MSG))


def validate_secret(secret: Secret, old: Secret | None, errs: Errors) -> None:
    if old is not None:
        _validate_secret_update(secret, old, errs)
    _validate_keys(secret.data, "data", errs)
    data = _decoded(secret.data, "data", errs)
    if sum(len(v) for v in data.values()) > MAX_SIZE:
        errs.append(too_long("data", MAX_SIZE))
    _validate_secret_type(secret, data, errs)


def _validate_secret_type(secret: Secret, data: dict[str, bytes], errs: Errors) -> None:
    """The keys (or annotation) each built-in Secret type promises its consumers."""
    kind = secret.type or "Opaque"
    if kind == "kubernetes.io/service-account-token":
        # Only the name: the token controller fills in the uid and the token later.
        if not (secret.metadata.annotations or {}).get(SERVICE_ACCOUNT_NAME_KEY):
            errs.append(required(f"metadata.annotations[{SERVICE_ACCOUNT_NAME_KEY}]"))
    elif kind == "kubernetes.io/basic-auth":
        # Either may be empty, but one of them must be there.
        if "username" not in data and "password" not in data:
            errs.append(required("data[username]"))
            errs.append(required("data[password]"))
    elif kind == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            errs.append(required("data[ssh-privatekey]"))
    for key in _SECRET_TYPE_KEYS.get(kind, ()):
        if key not in (secret.data or {}):
            errs.append(required(f"data[{key}]"))
    json_key = _JSON_KEYS.get(kind)
    if json_key is not None and json_key in data:
        why = _json_object_error(data[json_key])
        if why:
            errs.append(invalid(f"data[{json_key}]", _REDACTED, why))


def _validate_secret_update(secret: Secret, old: Secret, errs: Errors) -> None:
    if (secret.type or "Opaque") != (old.type or "Opaque"):
        errs.append(immutable("type", secret.type or ""))
    if old.immutable:
        if not secret.immutable:
            errs.append(forbidden("immutable", _IMMUTABLE_MSG))
        if not _same(secret.data, old.data):
            errs.append(forbidden("data", _IMMUTABLE_MSG))
