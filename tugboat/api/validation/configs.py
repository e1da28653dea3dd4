"""ConfigMap and Secret validation: key syntax, the size limit, base64 data, Secret types'
required keys, and the `immutable` flag's freeze on updates."""

from __future__ import annotations

import binascii
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

MAX_SIZE = 1024 * 1024
_IMMUTABLE_MSG = "field is immutable when `immutable` is set"
# Secret types whose data must hold these keys.
_SECRET_TYPE_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def _validate_keys(data: dict[str, str] | None, field: str, errs: Errors) -> None:
    for key in data or ():
        for msg in is_config_map_key(key):
            errs.append(invalid(f"{field}[{key}]", key, msg))


def _validate_base64(data: dict[str, str] | None, field: str, errs: Errors) -> int:
    """Decodes `data` to check it is base64; returns the decoded size."""
    size = 0
    for key, value in (data or {}).items():
        try:
            size += len(b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            errs.append(invalid(f"{field}[{key}]", "<value omitted>", "must be base64-encoded"))
    return size


def validate_config_map(cm: ConfigMap, old: ConfigMap | None, errs: Errors) -> None:
    _validate_keys(cm.data, "data", errs)
    _validate_keys(cm.binaryData, "binaryData", errs)
    size = sum(len(k) + len(v) for k, v in (cm.data or {}).items())
    size += _validate_base64(cm.binaryData, "binaryData", errs)
    for key in cm.binaryData or ():
        if key in (cm.data or {}):
            errs.append(invalid(f"binaryData[{key}]", key, "duplicate of key present in data"))
    if size > MAX_SIZE:
        errs.append(too_long("", MAX_SIZE))
    if old is not None and old.immutable:
        if not cm.immutable:
            errs.append(forbidden("immutable", _IMMUTABLE_MSG))
        if cm.data != old.data:
            errs.append(forbidden("data", _IMMUTABLE_MSG))
        if cm.binaryData != old.binaryData:
            errs.append(forbidden("binaryData", _IMMUTABLE_MSG))


def validate_secret(secret: Secret, old: Secret | None, errs: Errors) -> None:
    _validate_keys(secret.data, "data", errs)
    if _validate_base64(secret.data, "data", errs) > MAX_SIZE:
        errs.append(too_long("data", MAX_SIZE))
    for key in _SECRET_TYPE_KEYS.get(secret.type or "", ()):
        if key not in (secret.data or {}):
            errs.append(required(f"data[{key}]"))
    if old is None:
        return
    if (secret.type or "Opaque") != (old.type or "Opaque"):
        errs.append(immutable("type", secret.type or ""))
    if old.immutable:
        if not secret.immutable:
            errs.append(forbidden("immutable", _IMMUTABLE_MSG))
        if secret.data != old.data:
            errs.append(forbidden("data", _IMMUTABLE_MSG))
