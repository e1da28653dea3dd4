"""A watch cache and registry stand-in holding wire objects by store key, and RSA/ECDSA
keys written as PEM files, for the ServiceAccount unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tugboat.api.resources import ResourceInfo, lookup
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionChain

Obj = dict[str, Any]


class Objects:
    """`get(key)` like the watch cache; `get(info, ns, name)` like the registry."""

    def __init__(self) -> None:
        self.by_key: dict[str, Obj] = {}
        self.cache = self
        self.admission = AdmissionChain()

    def put(self, resource: str, ns: str | None, name: str, uid: str, **rest: Any) -> Obj:
        info = lookup("", "v1", resource)
        meta = {"name": name, "uid": uid, **({"namespace": ns} if ns else {})}
        obj = {"metadata": meta, **rest}
        self.by_key[info.key(ns, name)] = obj
        return obj

    def drop(self, resource: str, ns: str | None, name: str) -> None:
        del self.by_key[lookup("", "v1", resource).key(ns, name)]

    def get(self, key_or_info: str | ResourceInfo, ns: str | None = None,
            name: str = "") -> Obj | None:
        if isinstance(key_or_info, str):
            return self.by_key.get(key_or_info)
        obj = self.by_key.get(key_or_info.key(ns, name))
        if obj is None:
            raise errors.not_found(key_or_info, name)
        return obj


def write_rsa_key(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    return key


def write_ec_public_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key
