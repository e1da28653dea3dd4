"""Volumes whose files the kubelet writes from API objects: projected (service account
token, configMap, secret and downwardAPI sources in one directory — every pod's
kube-api-access volume), downwardAPI, configMap and secret volumes. `contents` computes a
volume's files; `write_files` lays them out under the pod's volume directory (directories
0755, files with the volume's mode, 0644 by default), replacing each file atomically so
a container reading the token never sees half of it."""

from __future__ import annotations

import base64
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from tugboat.api.pod import DownwardAPIVolumeFile, KeyToPath, Pod, Volume
from tugboat.kubelet.containerspec import field_value, resource_value
from tugboat.kubelet.serviceaccounttokens import TokenManager

DEFAULT_MODE = 0o644
# Volume kinds this module fills, and the plugin folder each lives in (as Kubernetes names
# them under <root>/pods/<uid>/volumes/).
PLUGIN_DIRS = {"projected": "kubernetes.io~projected", "downwardAPI": "kubernetes.io~downward-api",
               "configMap": "kubernetes.io~configmap", "secret": "kubernetes.io~secret"}

Files = dict[str, tuple[bytes, int]]


class VolumeError(Exception):
    """A volume's source could not be read (a missing ConfigMap, a refused token)."""


def kind_of(volume: Volume) -> str | None:
    return next((k for k in PLUGIN_DIRS if getattr(volume, k) is not None), None)


def _safe(path: str) -> str:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise VolumeError(f"invalid path {path!r}: must be relative and may not contain '..'")
    return str(p)


def _labels_text(values: dict[str, str] | None) -> str:
    """Kubernetes' downward API format for a whole map: key="value" per line, sorted."""
    return "\n".join(f'{k}="{v}"' for k, v in sorted((values or {}).items()))


def downward_file(pod: Pod, item: DownwardAPIVolumeFile) -> bytes:
    if item.fieldRef is not None:
        path = item.fieldRef.fieldPath
        if path in ("metadata.labels", "metadata.annotations"):
            meta = pod.metadata
            return _labels_text(meta.labels if path == "metadata.labels"
                                else meta.annotations).encode()
        try:
            return field_value(pod, path, pod.status.podIP, pod.status.hostIP or "").encode()
        except Exception as e:  # StartFailure for an unsupported path
            raise VolumeError(str(getattr(e, "message", e))) from e
    if item.resourceFieldRef is not None:
        ref = item.resourceFieldRef
        spec = next((c for c in pod.spec.containers if c.name == ref.containerName), None)
        if spec is None:
            raise VolumeError(f"resourceFieldRef: container {ref.containerName!r} not found")
        return resource_value(spec, ref.resource, ref.divisor).encode()
    raise VolumeError(f"downwardAPI item {item.path!r} has neither fieldRef nor "
                      "resourceFieldRef")


def _keyed(kind: str, name: str, data: dict[str, bytes], items: list[KeyToPath] | None,
           optional: bool, mode: int) -> Files:
    if items is None:
        return {_safe(k): (v, mode) for k, v in data.items()}
    out: Files = {}
    for item in items:
        if item.key not in data:
            if optional:
                continue
            raise VolumeError(f"{kind} references non-existent config key: {item.key}")
        out[_safe(item.path)] = (data[item.key], item.mode if item.mode is not None else mode)
    return out


class ProjectedVolumes:
    """Computes volume contents from the API (an ApiClient) and the token manager."""

    def __init__(self, client: Any, tokens: TokenManager):
        self.client = client
        self.tokens = tokens

    async def _object_data(self, kind: str, name: str, ns: str, optional: bool
                           ) -> dict[str, bytes] | None:
        resource = "configmaps" if kind == "configmap" else "secrets"
        try:
            obj = await self.client.get(resource, name, ns)
        except Exception as e:  # the client's NotFound, or the server unreachable
            if getattr(e, "code", None) == 404:
                if optional:
                    return None
                raise VolumeError(f'{kind} "{name}" not found') from e
            raise VolumeError(f'{kind} "{name}": {e}') from e
        data = {k: v.encode() for k, v in (obj.get("data") or {}).items()} \
            if kind == "configmap" else {}
        for k, v in (obj.get("binaryData" if kind == "configmap" else "data") or {}).items():
            data[k] = base64.b64decode(v)
        return data

    async def contents(self, pod: Pod, volume: Volume) -> Files:
        ns = pod.metadata.namespace or "default"
        if volume.configMap is not None or volume.secret is not None:
            src = volume.configMap or volume.secret
            kind = "configmap" if volume.configMap is not None else "secret"
            name = volume.configMap.name if volume.configMap else volume.secret.secretName
            mode = src.defaultMode if src.defaultMode is not None else DEFAULT_MODE
            data = await self._object_data(kind, name or "", ns, bool(src.optional))
            return _keyed(kind, name or "", data or {}, src.items, bool(src.optional), mode)
        if volume.downwardAPI is not None:
            src = volume.downwardAPI
            mode = src.defaultMode if src.defaultMode is not None else DEFAULT_MODE
            return {_safe(i.path): (downward_file(pod, i), i.mode if i.mode is not None
                                    else mode) for i in src.items or ()}
        src = volume.projected
        mode = src.defaultMode if src is not None and src.defaultMode is not None \
            else DEFAULT_MODE
        files: Files = {}
        for p in (src.sources if src is not None else None) or ():
            if p.serviceAccountToken is not None:
                try:
                    token = await self.tokens.token(pod, p.serviceAccountToken)
                except Exception as e:
                    raise VolumeError(f"failed to fetch token: {e}") from e
                files[_safe(p.serviceAccountToken.path)] = (token.encode(), mode)
            elif p.configMap is not None or p.secret is not None:
                ref = p.configMap or p.secret
                kind = "configmap" if p.configMap is not None else "secret"
                data = await self._object_data(kind, ref.name or "", ns, bool(ref.optional))
                files |= _keyed(kind, ref.name or "", data or {}, ref.items,
                                bool(ref.optional), mode)
            elif p.downwardAPI is not None:
                for i in p.downwardAPI.items or ():
                    files[_safe(i.path)] = (downward_file(pod, i),
                                            i.mode if i.mode is not None else mode)
        return files


def write_files(target: Path, files: Files) -> None:
    """Make `target` hold exactly `files`: each replaced atomically, strays removed."""
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o755)
    for rel, (content, mode) in files.items():
        path = target / rel
        path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        try:
            if path.read_bytes() == content and (path.stat().st_mode & 0o777) == mode:
                continue
        except OSError:
            pass
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="..")
        try:
            os.write(fd, content)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    wanted = {target / rel for rel in files}
    for dirpath, _dirs, names in os.walk(target, topdown=False):
        for n in names:
            p = Path(dirpath) / n
            if p not in wanted:
                p.unlink(missing_ok=True)


class VolumeRefresh:
    """When a pod's written volumes are next due: a token's renewal, or a periodic
    re-read of their sources (configMap and secret changes reach running pods)."""

    def __init__(self, tokens: TokenManager, period: float = 60.0,
                 clock: Callable[[], float] = time.time):
        self.tokens, self.period, self.clock = tokens, period, clock
        self._written: dict[str, float] = {}

    def due(self, uid: str) -> bool:
        last = self._written.get(uid)
        if last is None:
            return True
        token_due = self.tokens.next_refresh(uid)
        now = self.clock()
        return now >= last + self.period or (token_due is not None and now >= token_due)

    def written(self, uid: str) -> None:
        self._written[uid] = self.clock()

    def forget(self, uid: str) -> None:
        self._written.pop(uid, None)
        self.tokens.forget(uid)
