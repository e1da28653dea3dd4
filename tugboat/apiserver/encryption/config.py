"""`--encryption-provider-config`: Kubernetes' EncryptionConfiguration
(apiserver.config.k8s.io/v1), read and checked once at start-up, and compiled into the
transformer chain each stored resource uses.

The file's types live here rather than in tugboat/api because, as in Kubernetes
(k8s.io/apiserver/pkg/apis/apiserver), it is the API server's own configuration, not an
object any client sends. A bad file must stop the server with one line naming the field:
running with a key other than the one the operator wrote would write unreadable data.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tugboat.apiserver.encryption.transformers import (
    AESCBC,
    AESGCM,
    Identity,
    Secretbox,
    Transformer,
    TransformerChain,
)

API_VERSION = "apiserver.config.k8s.io/v1"
KIND = "EncryptionConfiguration"
AES_KEY_SIZES = (16, 24, 32)
SECRETBOX_KEY_SIZE = 32
PROVIDERS = ("aescbc", "aesgcm", "secretbox", "identity", "kms")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Key(_Strict):
    name: str
    secret: str


class KeysConfiguration(_Strict):
    keys: list[Key]


class IdentityConfiguration(_Strict):
    pass


class ProviderConfiguration(_Strict):
    aescbc: KeysConfiguration | None = None
    aesgcm: KeysConfiguration | None = None
    secretbox: KeysConfiguration | None = None
    identity: IdentityConfiguration | None = None
    kms: dict[str, Any] | None = None


class ResourceConfiguration(_Strict):
    resources: list[str]
    providers: list[ProviderConfiguration]


class EncryptionConfiguration(_Strict):
    apiVersion: str
    kind: str
    resources: list[ResourceConfiguration]


class EncryptionConfigError(ValueError):
    """A one-line reason the file cannot be used, naming the field."""


@dataclass
class EncryptionConfig:
    """Resource patterns in the file's order, each with its transformer chain; the first
    pattern that matches a resource wins, as Kubernetes processes the lists in order."""

    rules: list[tuple[str, TransformerChain]]
    _by_resource: dict[tuple[str, str], TransformerChain | None] = field(
        default_factory=dict, repr=False)

    def chain_for(self, group: str, resource: str) -> TransformerChain | None:
        """The chain for a resource of `group` ("" for core), or None: stored as is."""
        try:
            return self._by_resource[(group, resource)]
        except KeyError:
            chain = next((c for pattern, c in self.rules
                          if _matches(pattern, group, resource)), None)
            self._by_resource[(group, resource)] = chain
            return chain


def _matches(pattern: str, group: str, resource: str) -> bool:
    """`secrets` (core), `deployments.apps`, `*.` (all core), `*.apps`, `*.*`."""
    res, _, grp = pattern.partition(".")
    return (res == "*" or res == resource) and (grp == "*" or grp == group)


def load_encryption_config(path: str | Path) -> EncryptionConfig:
    """Read and check an EncryptionConfiguration file (YAML or JSON)."""
    try:
        doc = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as e:
        raise EncryptionConfigError(f"{path}: {_one_line(e)}") from None
    try:
        return parse_encryption_config(doc)
    except EncryptionConfigError as e:
        raise EncryptionConfigError(f"{path}: {e}") from None


def parse_encryption_config(doc: Any) -> EncryptionConfig:
    if not isinstance(doc, dict):
        raise EncryptionConfigError(f"want a {KIND} object, got {type(doc).__name__}")
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != KIND:
        raise EncryptionConfigError(
            f'no kind "{doc.get("kind")}" is registered for version "{doc.get("apiVersion")}"'
            f" (want apiVersion {API_VERSION}, kind {KIND})")
    try:
        cfg = EncryptionConfiguration.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        raise EncryptionConfigError(f"{_field(err['loc'])}: {err['msg']}") from None
    if not cfg.resources:
        raise EncryptionConfigError("resources: Required value: at least one resource "
                                    "configuration is required")
    rules: list[tuple[str, TransformerChain]] = []
    for i, rc in enumerate(cfg.resources):
        where = f"resources[{i}]"
        if not rc.resources:
            raise EncryptionConfigError(f"{where}.resources: Required value: at least one "
                                        "resource is required")
        if not rc.providers:
            raise EncryptionConfigError(f"{where}.providers: Required value: at least one "
                                        "provider is required")
        for j, name in enumerate(rc.resources):
            _check_resource_name(f"{where}.resources[{j}]", name)
        chain = TransformerChain(tuple(
            t for k, p in enumerate(rc.providers)
            for t in _transformers(f"{where}.providers[{k}]", p)))
        rules += [(name, chain) for name in rc.resources]
    return EncryptionConfig(rules)


def _check_resource_name(where: str, name: str) -> None:
    if name != name.lower():
        raise EncryptionConfigError(f'{where}: Invalid value: "{name}": resource name '
                                    "should be lowercase")
    if name == "*":
        raise EncryptionConfigError(f'{where}: Invalid value: "*": use "*." for all resources '
                                    'in the core group, or "*.*" for all resources')
    res, _, grp = name.partition(".")
    if not res or ("*" in res and res != "*") or ("*" in grp and grp != "*"):
        raise EncryptionConfigError(f'{where}: Invalid value: "{name}": want a resource, '
                                    '"resource.group", "*.group", "*." or "*.*"')


def _transformers(where: str, p: ProviderConfiguration) -> list[Transformer]:
    set_ = [name for name in PROVIDERS if getattr(p, name) is not None]
    if not set_:
        raise EncryptionConfigError(f"{where}: Invalid value: provider does not contain any "
                                    "of the expected providers: aescbc, aesgcm, secretbox "
                                    "or identity")
    if len(set_) > 1:
        raise EncryptionConfigError(f"{where}: Invalid value: more than one provider "
                                    f"({', '.join(set_)}) in one element; give each its own")
    kind = set_[0]
    if kind == "identity":
        return [Identity()]
    if kind == "kms":
        raise EncryptionConfigError(f"{where}.kms: Unsupported value: the kms provider needs "
                                    "a KMS plugin, which Tugboat does not run; use aescbc, "
                                    "aesgcm or secretbox")
    keys: KeysConfiguration = getattr(p, kind)
    if not keys.keys:
        raise EncryptionConfigError(f"{where}.{kind}.keys: Required value: at least one key "
                                    "is required")
    seen: set[str] = set()
    out: list[Transformer] = []
    for n, key in enumerate(keys.keys):
        at = f"{where}.{kind}.keys[{n}]"
        if not key.name:
            raise EncryptionConfigError(f"{at}.name: Required value: key name is required")
        if ":" in key.name:
            raise EncryptionConfigError(f'{at}.name: Invalid value: "{key.name}": should not '
                                        "contain ':'")
        if key.name in seen:
            raise EncryptionConfigError(f'{at}.name: Duplicate value: "{key.name}"')
        seen.add(key.name)
        secret = _decode_secret(f"{at}.secret", key.secret,
                                (SECRETBOX_KEY_SIZE,) if kind == "secretbox" else AES_KEY_SIZES)
        out.append({"aescbc": AESCBC, "aesgcm": AESGCM, "secretbox": Secretbox}[kind](
            key.name, secret))
    return out


def _decode_secret(where: str, value: str, sizes: tuple[int, ...]) -> bytes:
    # The secret itself never appears in a message: these lines end up in logs.
    if not value:
        raise EncryptionConfigError(f"{where}: Required value: secret is required")
    try:
        secret = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EncryptionConfigError(f'{where}: Invalid value: "REDACTED": secret is not a '
                                    "valid base64 string") from None
    if len(secret) not in sizes:
        want = " ".join(str(s) for s in sizes)
        raise EncryptionConfigError(f'{where}: Invalid value: "REDACTED": secret is not of '
                                    f"the expected length, got {len(secret)}, expected one "
                                    f"of [{want}]")
    return secret


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())
