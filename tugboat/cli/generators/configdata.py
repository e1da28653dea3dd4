"""The generators of configuration objects: config maps and secrets (generic,
docker-registry, tls), with kubectl's sources — `--from-literal=k=v`, `--from-file=path`
(a file, or every regular file of a folder) or `--from-file=key=path`, and
`--from-env-file` (KEY=VALUE lines, `#` comments) — and its checks."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tugboat.cli.generators import GeneratorError, Obj, metadata

KEY_RE = re.compile(r"^[-._a-zA-Z0-9]+$")
ENV_NAME_RE = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
DOCKER_HUB = "https://index.docker.io/v1/"


@dataclass
class Sources:
    """The data flags, in kubectl's order of application: files, literals, env files."""

    literals: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)


def _check_key(key: str) -> None:
    if not key or not KEY_RE.match(key) or key in (".", ".."):
        raise GeneratorError(f'"{key}" is not a valid key name: a valid config key must consist '
                             f"of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                             f"or 'KEY_NAME',  or 'key-name', regex used for validation is "
                             f"'[-._a-zA-Z0-9]+')")


def _add(data: dict[str, bytes], key: str, value: bytes, what: str) -> None:
    _check_key(key)
    if key in data:
        raise GeneratorError(f'cannot add key "{key}", another key by that name already '
                             f"exists in {what}")
    data[key] = value


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise GeneratorError(f"error reading {path}: {e.strerror.lower() if e.strerror else e}"
                             ) from None


def _read_pem(path: str) -> bytes:
    """create secret tls words a missing file as kubectl's (os.ReadFile's error)."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        reason = e.strerror.lower() if e.strerror else str(e)
        raise GeneratorError(f"Cannot read file {path}, open {path}: {reason}") from None


def _from_file(data: dict[str, bytes], spec: str, what: str) -> None:
    key, eq, path = spec.partition("=")
    if not eq:
        key, path = "", spec
    elif not key:
        raise GeneratorError(f'key name for file path "{path}" missing')
    elif not path:
        raise GeneratorError(f'file path for key name "{key}" missing')
    p = Path(path)
    if p.is_dir():
        if key:
            raise GeneratorError("cannot give a key name for a directory path")
        for entry in sorted(p.iterdir()):
            if entry.is_file():
                _add(data, entry.name, _read(str(entry)), what)
        return
    if not p.exists():
        raise GeneratorError(f"error reading {path}: no such file or directory")
    _add(data, key or p.name, _read(path), what)


def _env_lines(path: str) -> list[tuple[str, str]]:
    out = []
    text = _read(path)
    for n, raw in enumerate(text.split(b"\n")):
        try:
            line = raw.decode()
        except UnicodeDecodeError:
            raise GeneratorError(f"env file {path} contains invalid utf8 bytes at line "
                                 f"{n + 1}") from None
        if n == 0:
            line = line.removeprefix("\ufeff")
        line = line.rstrip("\r").lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        if not ENV_NAME_RE.match(key):
            raise GeneratorError(f'"{key}" is not a valid key name: a valid environment '
                                 f"variable name must consist of alphabetic characters, "
                                 f"digits, '_', '-', or '.', and must not start with a digit")
        if not eq:
            if key not in os.environ:
                continue
            value = os.environ[key]
        out.append((key, value))
    return out


def gather(sources: Sources, what: str) -> dict[str, bytes]:
    """Every source's key/value pairs, a repeated key being an error."""
    data: dict[str, bytes] = {}
    for spec in sources.files:
        _from_file(data, spec, what)
    for literal in sources.literals:
        key, eq, value = literal.partition("=")
        if not eq or not key:
            raise GeneratorError(f"invalid literal source {literal}, expected key=value")
        _add(data, key, value.encode(), what)
    for path in sources.env_files:
        for key, value in _env_lines(path):
            _add(data, key, value.encode(), what)
    return data


def config_map(name: str, sources: Sources) -> Obj:
    raw = gather(sources, f'Data for ConfigMap "{name}"')
    data, binary = {}, {}
    for key in sorted(raw):
        try:
            data[key] = raw[key].decode()
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(raw[key]).decode()
    obj: Obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": metadata(name)}
    if data:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    return obj


def _secret(name: str, data: dict[str, bytes], type_: str) -> Obj:
    obj: Obj = {"kind": "Secret", "apiVersion": "v1", "metadata": metadata(name)}
    if data:
        obj["data"] = {k: base64.b64encode(data[k]).decode() for k in sorted(data)}
    if type_:
        obj["type"] = type_
    return obj


def generic_secret(name: str, sources: Sources, type_: str = "") -> Obj:
    return _secret(name, gather(sources, f'Data for Secret "{name}"'), type_)


def docker_registry_secret(name: str, server: str, username: str, password: str,
                           email: str = "", files: list[str] | None = None) -> Obj:
    if files:
        data = gather(Sources(files=files), f'Data for Secret "{name}"')
        return _secret(name, data, "kubernetes.io/dockerconfigjson")
    if not (username and password and server):
        raise GeneratorError("either --from-file or the combination of --docker-username, "
                             "--docker-password and --docker-server is required")
    entry = {"username": username, "password": password}
    if email:
        entry["email"] = email
    entry["auth"] = base64.b64encode(f"{username}:{password}".encode()).decode()
    config = json.dumps({"auths": {server: entry}}, separators=(",", ":"))
    return _secret(name, {".dockerconfigjson": config.encode()},
                   "kubernetes.io/dockerconfigjson")


def tls_secret(name: str, cert: str, key: str) -> Obj:
    if not cert or not key:
        raise GeneratorError("key and cert must be specified")
    cert_pem, key_pem = _read_pem(cert), _read_pem(key)
    _check_pair(cert_pem, key_pem)
    return _secret(name, {"tls.crt": cert_pem, "tls.key": key_pem}, "kubernetes.io/tls")


def _check_pair(cert_pem: bytes, key_pem: bytes) -> None:
    """kubectl loads the pair (tls.X509KeyPair) and refuses one that does not match."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
        private = serialization.load_pem_private_key(key_pem, password=None)
    except ValueError as e:
        raise GeneratorError(f"failed to load key pair {e}") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    if (certificate.public_key().public_bytes(encoding, public)
            != private.public_key().public_bytes(encoding, public)):
        raise GeneratorError("failed to load key pair tls: private key does not match public "
                             "key")


def _go_json(value: object) -> str:
    """encoding/json.Marshal's bytes: compact, keys sorted, <>& and U+2028/9 escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def content_hash(obj: Obj) -> str:
    """kubectl's --append-hash suffix (hash.ConfigMapHash / SecretHash): the first ten hex
    digits of the SHA-256 of the object's name, kind and data, with 0 1 3 a e replaced so
    the suffix never reads as a word or a number."""
    if obj["kind"] == "ConfigMap":
        fields: Obj = {"kind": "ConfigMap", "name": obj["metadata"]["name"],
                       "data": obj.get("data") or {}}
        if obj.get("binaryData"):
            fields["binaryData"] = obj["binaryData"]
    else:
        fields = {"kind": "Secret", "type": obj.get("type", ""),
                  "name": obj["metadata"]["name"], "data": obj.get("data") or {}}
    digest = hashlib.sha256(_go_json(fields).encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def with_hash(obj: Obj) -> Obj:
    obj["metadata"]["name"] = f"{obj['metadata']['name']}-{content_hash(obj)}"
    return obj
