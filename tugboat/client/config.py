"""Where the API server is and who we are: kubeconfig files, KUBECONFIG and TUG_SERVER.

Every client (CLI, daemons given `--kubeconfig`) resolves its connection the way kubectl
does: an explicit kubeconfig path, else the files in $KUBECONFIG, else `~/.tug/config`;
the current context (or a named one) picks a cluster (server, CA, or
insecure-skip-tls-verify), a user (client certificate and key, token or tokenFile) and a
namespace. Paths in a file are relative to that file, as kubectl reads them; the `-data`
forms carry the PEM inline (base64). `TUG_SERVER`, then an explicit `server`, override the
file's server. With no file at all the client talks to http://127.0.0.1:8080, namespace
default. `client.tls` turns the TLS settings into an ssl.SSLContext.

`write_kubeconfig` writes the files `tug up` hands out: the admin's and each daemon's, with
the CA and client certificate embedded, like kubeadm's admin.conf. `daemon_config` is how
a daemon resolves its `--kubeconfig` and `--server` flags.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SERVER = "http://127.0.0.1:8080"
DEFAULT_NAMESPACE = "default"


class ConfigError(Exception):
    """The kubeconfig is missing, unreadable, or names a context that is not there."""


@dataclass(frozen=True)
class ClientConfig:
    server: str = DEFAULT_SERVER
    token: str | None = None
    namespace: str = DEFAULT_NAMESPACE
    context: str | None = None
    verify: bool | str = True  # False: insecure-skip-tls-verify; a path: certificate-authority
    certificate_authority_data: bytes | None = None  # PEM; wins over a certificate-authority path
    client_certificate: str | None = None  # a PEM file
    client_certificate_data: bytes | None = None  # PEM
    client_key: str | None = None
    client_key_data: bytes | None = None


def default_kubeconfig_path() -> Path:
    return Path.home() / ".tug" / "config"


def kubeconfig_paths(explicit: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files to read, in precedence order (the first to set a value wins)."""
    if explicit:
        return [Path(explicit).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [default_kubeconfig_path()]


def load_config(kubeconfig: str | os.PathLike[str] | None = None, *,
                context: str | None = None, server: str | None = None,
                namespace: str | None = None) -> ClientConfig:
    """The connection for `context` (default: current-context). Explicit arguments win
    over TUG_SERVER, which wins over the file."""
    merged = _merge(_read_all(kubeconfig_paths(kubeconfig), required=bool(kubeconfig)))
    return _resolve(merged, context, server or os.environ.get("TUG_SERVER"), namespace)


def daemon_config(kubeconfig: str | None, server: str | None) -> ClientConfig:
    """A daemon's connection, as Kubernetes' daemons take it: `--kubeconfig` (server and
    credentials from that file alone — neither `--server` nor TUG_SERVER redirects a
    daemon's identity elsewhere), else `--server` (the insecure port), else the default
    kubeconfig files."""
    if kubeconfig:
        return _resolve(_merge(_read_all(kubeconfig_paths(kubeconfig), required=True)),
                        None, None, None)
    return load_config(None, server=server)


def _resolve(merged: dict[str, Any], context: str | None, server: str | None,
             namespace: str | None) -> ClientConfig:
    ctx_name = context or merged.get("current-context") or None
    ctx = _named(merged, "contexts", ctx_name, "context") if ctx_name else {}
    if ctx_name and ctx is None:
        raise ConfigError(f'context "{ctx_name}" does not exist')
    ctx = ctx or {}
    cluster = _named(merged, "clusters", ctx.get("cluster"), "cluster") or {}
    user = _named(merged, "users", ctx.get("user"), "user") or {}
    return ClientConfig(
        server=(server or cluster.get("server") or DEFAULT_SERVER).rstrip("/"),
        token=_token(user),
        namespace=namespace or ctx.get("namespace") or DEFAULT_NAMESPACE,
        context=ctx_name,
        verify=_verify(cluster),
        certificate_authority_data=_data(cluster, "certificate-authority-data"),
        client_certificate=user.get("client-certificate") or None,
        client_certificate_data=_data(user, "client-certificate-data"),
        client_key=user.get("client-key") or None,
        client_key_data=_data(user, "client-key-data"),
    )


def write_kubeconfig(path: str | os.PathLike[str], server: str, *, token: str | None = None,
                     namespace: str = DEFAULT_NAMESPACE, name: str = "tugboat",
                     user: str | None = None, certificate_authority_data: bytes | None = None,
                     client_certificate_data: bytes | None = None,
                     client_key_data: bytes | None = None) -> Path:
    """Write a one-context kubeconfig that kubectl and tug both read; the file is private
    to its owner. The cluster is called `name`, the user `user` (default: `name`) and the
    context `user@name` when they differ (kubeadm's "kubernetes-admin@kubernetes");
    certificates are embedded as base64 `-data` fields."""
    user_name = user or name
    context = name if user_name == name else f"{user_name}@{name}"
    cluster: dict[str, Any] = {"server": server}
    if certificate_authority_data:
        cluster["certificate-authority-data"] = _b64(certificate_authority_data)
    credentials: dict[str, Any] = {"token": token} if token else {}
    if client_certificate_data:
        credentials["client-certificate-data"] = _b64(client_certificate_data)
    if client_key_data:
        credentials["client-key-data"] = _b64(client_key_data)
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": user_name, "user": credentials}],
        "contexts": [{"name": context, "context": {"cluster": name, "user": user_name,
                                                    "namespace": namespace}}],
        "current-context": context,
        "preferences": {},
    }
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    os.replace(tmp, target)
    return target


def _read_all(paths: list[Path], required: bool) -> list[dict[str, Any]]:
    docs = []
    for p in paths:
        if not p.exists():
            if required:
                raise ConfigError(f"kubeconfig {p} does not exist")
            continue
        try:
            doc = yaml.safe_load(p.read_text()) or {}
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"cannot read kubeconfig {p}: {e}") from e
        if not isinstance(doc, dict):
            raise ConfigError(f"kubeconfig {p} is not a mapping")
        docs.append(_resolve_paths(doc, p.parent))
    return docs


PATH_FIELDS = {"clusters": ("cluster", ("certificate-authority",)),
               "users": ("user", ("client-certificate", "client-key", "tokenFile"))}


def _resolve_paths(doc: dict[str, Any], base: Path) -> dict[str, Any]:
    """kubectl reads a relative path in a kubeconfig against the file's own folder."""
    for section, (field, keys) in PATH_FIELDS.items():
        for entry in doc.get(section) or []:
            body = entry.get(field) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                continue
            for key in keys:
                value = body.get(key)
                if isinstance(value, str) and value:
                    body[key] = str(base / Path(value).expanduser())
    return doc


def _merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """kubectl's merge of several files: the first file to name an entry wins."""
    merged: dict[str, Any] = {"clusters": [], "users": [], "contexts": []}
    for doc in docs:
        if not merged.get("current-context") and doc.get("current-context"):
            merged["current-context"] = doc["current-context"]
        for section in ("clusters", "users", "contexts"):
            seen = {e.get("name") for e in merged[section]}
            merged[section] += [e for e in doc.get(section) or []
                                if isinstance(e, dict) and e.get("name") not in seen]
    return merged


def _named(merged: dict[str, Any], section: str, name: str | None, field: str
           ) -> dict[str, Any] | None:
    for entry in merged[section]:
        if entry.get("name") == name:
            return entry.get(field) or {}
    return None


def _token(user: dict[str, Any]) -> str | None:
    if user.get("token"):
        return str(user["token"])
    if user.get("tokenFile"):
        try:
            return Path(user["tokenFile"]).expanduser().read_text().strip() or None
        except OSError as e:
            raise ConfigError(f"cannot read tokenFile: {e}") from e
    return None


def _data(section: dict[str, Any], key: str) -> bytes | None:
    value = section.get(key)
    if not value:
        return None
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as e:
        raise ConfigError(f"{key} is not valid base64: {e}") from e


def _b64(pem: bytes) -> str:
    return base64.b64encode(pem).decode()


def _verify(cluster: dict[str, Any]) -> bool | str:
    if cluster.get("insecure-skip-tls-verify"):
        return False
    return cluster.get("certificate-authority") or True
