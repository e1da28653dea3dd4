"""Where the API server is and who we are: kubeconfig files, KUBECONFIG and TUG_SERVER.

Every client (CLI, daemons given `--kubeconfig`) resolves its connection the way kubectl
does: an explicit kubeconfig path, else the files in $KUBECONFIG, else `~/.tug/config`;
the current context (or a named one) picks a cluster (server, TLS settings), a user (token)
and a namespace. `TUG_SERVER`, then an explicit `server`, override the file's server. With
no file at all the client talks to http://127.0.0.1:8080, namespace default.
`write_kubeconfig` writes the file `tug up` hands to users.
"""

from __future__ import annotations

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
    ctx_name = context or merged.get("current-context") or None
    ctx = _named(merged, "contexts", ctx_name, "context") if ctx_name else {}
    if ctx_name and ctx is None:
        raise ConfigError(f'context "{ctx_name}" does not exist')
    ctx = ctx or {}
    cluster = _named(merged, "clusters", ctx.get("cluster"), "cluster") or {}
    user = _named(merged, "users", ctx.get("user"), "user") or {}
    return ClientConfig(
        server=(server or os.environ.get("TUG_SERVER") or cluster.get("server")
                or DEFAULT_SERVER).rstrip("/"),
        token=_token(user),
        namespace=namespace or ctx.get("namespace") or DEFAULT_NAMESPACE,
        context=ctx_name,
        verify=_verify(cluster),
    )


def write_kubeconfig(path: str | os.PathLike[str], server: str, *, token: str | None = None,
                     namespace: str = DEFAULT_NAMESPACE, name: str = "tugboat") -> Path:
    """Write a one-context kubeconfig (cluster, user and context all called `name`) that
    kubectl and tug both read; the file is private to its owner."""
    user: dict[str, Any] = {"token": token} if token else {}
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server}}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name,
                                                 "namespace": namespace}}],
        "current-context": name,
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
        docs.append(doc)
    return docs


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


def _verify(cluster: dict[str, Any]) -> bool | str:
    if cluster.get("insecure-skip-tls-verify"):
        return False
    return cluster.get("certificate-authority") or True
