"""What the kubelet writes into volumes made from API objects: configMap, secret,
downwardAPI and projected volumes (several of those sources plus a service account token in
one directory — every pod's kube-api-access volume). `ProjectedVolumes.contents` computes a
volume's payload as Kubernetes' volume plugins do (MakePayload): every key, or only `items`
(key -> path, mode), `defaultMode` 0644, `optional` sources that may be missing, a
ConfigMap's binaryData, the downward API's formats. atomicwriter.py lays the payload out;
`VolumeRefresh` says when a pod's volumes are due to be read again."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from tugboat.api.pod import (
    ConfigMapProjection,
    ConfigMapVolumeSource,
    DownwardAPIVolumeFile,
    KeyToPath,
    Pod,
    SecretProjection,
    SecretVolumeSource,
    Volume,
)
from tugboat.kubelet.atomicwriter import FileProjection, PayloadError, validate_path
from tugboat.kubelet.containerspec import field_value, resource_value
from tugboat.kubelet.serviceaccounttokens import TokenManager

DEFAULT_MODE = 0o644
# Volume kinds whose files the kubelet writes, and the plugin folder each lives in (as
# Kubernetes names them under <root>/pods/<uid>/volumes/).
PLUGIN_DIRS = {"projected": "kubernetes.io~projected", "downwardAPI": "kubernetes.io~downward-api",
               "configMap": "kubernetes.io~configmap", "secret": "kubernetes.io~secret"}

Files = dict[str, FileProjection]


class VolumeError(Exception):
    """A volume's source could not be read (a missing ConfigMap, a refused token)."""


def kind_of(volume: Volume) -> str | None:
    return next((k for k in PLUGIN_DIRS if getattr(volume, k) is not None), None)


def _path(path: str) -> str:
    try:
        return validate_path(path)
    except PayloadError as e:
        raise VolumeError(str(e)) from e


def format_map(values: dict[str, str] | None) -> str:
    """Kubernetes' fieldpath.FormatMap: key="value" per line, sorted, values quoted."""
    return "\n".join(f"{k}={json.dumps(v, ensure_ascii=False)}"
                     for k, v in sorted((values or {}).items()))


def downward_file(pod: Pod, item: DownwardAPIVolumeFile) -> bytes:
    if item.fieldRef is not None:
        path = item.fieldRef.fieldPath
        if path in ("metadata.labels", "metadata.annotations"):
            meta = pod.metadata
            return format_map(meta.labels if path == "metadata.labels"
                              else meta.annotations).encode()
        try:
            return field_value(pod, path, pod.status.podIP, pod.status.hostIP or "").encode()
        except Exception as e:  # StartFailure for an unsupported path
            raise VolumeError(str(getattr(e, "message", e))) from e
    if item.resourceFieldRef is not None:
        ref = item.resourceFieldRef
        spec = next((c for c in [*pod.spec.containers, *(pod.spec.initContainers or ())]
                     if c.name == ref.containerName), None)
        if spec is None:
            raise VolumeError(f"resourceFieldRef: container {ref.containerName!r} not found")
        try:
            return resource_value(spec, ref.resource, ref.divisor).encode()
        except Exception as e:  # StartFailure for a bad divisor
            raise VolumeError(str(getattr(e, "message", e))) from e
    raise VolumeError(f"downwardAPI item {item.path!r} has neither fieldRef nor "
                      "resourceFieldRef")


def _downward(pod: Pod, items: list[DownwardAPIVolumeFile] | None, mode: int) -> Files:
    return {_path(i.path): FileProjection(downward_file(pod, i),
                                          i.mode if i.mode is not None else mode)
            for i in items or ()}


def _keyed(kind: str, data: dict[str, bytes], items: list[KeyToPath] | None,
           optional: bool, mode: int) -> Files:
    if items is None:
        return {_path(k): FileProjection(v, mode) for k, v in data.items()}
    out: Files = {}
    for item in items:
        if item.key not in data:
            if optional:
                continue
            what = "config" if kind == "configmap" else "secret"
            raise VolumeError(f"{kind} references non-existent {what} key: {item.key}")
        out[_path(item.path)] = FileProjection(data[item.key],
                                               item.mode if item.mode is not None else mode)
    return out


Keyed = ConfigMapVolumeSource | SecretVolumeSource | ConfigMapProjection | SecretProjection


class ProjectedVolumes:
    """Computes volume payloads from the API (an ApiClient) and the token manager."""

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
            raise VolumeError(f"couldn't get {kind} {ns}/{name}: {e}") from e
        data = {k: v.encode() for k, v in (obj.get("data") or {}).items()} \
            if kind == "configmap" else {}
        for k, v in (obj.get("binaryData" if kind == "configmap" else "data") or {}).items():
            data[k] = base64.b64decode(v)
        return data

    async def _from_object(self, src: Keyed, ns: str, mode: int) -> Files:
        is_cm = isinstance(src, ConfigMapVolumeSource | ConfigMapProjection)
        kind = "configmap" if is_cm else "secret"
        name = (src.secretName if isinstance(src, SecretVolumeSource) else src.name) or ""
        data = await self._object_data(kind, name, ns, bool(src.optional))
        return _keyed(kind, data or {}, src.items, bool(src.optional), mode)

    async def contents(self, pod: Pod, volume: Volume) -> Files:
        ns = pod.metadata.namespace or "default"
        src = volume.configMap or volume.secret or volume.downwardAPI or volume.projected
        mode = src.defaultMode if src is not None and src.defaultMode is not None \
            else DEFAULT_MODE
        if volume.configMap is not None or volume.secret is not None:
            return await self._from_object(volume.configMap or volume.secret, ns, mode)
        if volume.downwardAPI is not None:
            return _downward(pod, volume.downwardAPI.items, mode)
        files: Files = {}
        for p in (volume.projected.sources if volume.projected is not None else None) or ():
            if p.serviceAccountToken is not None:
                try:
                    token = await self.tokens.token(pod, p.serviceAccountToken)
                except Exception as e:
                    raise VolumeError(f"failed to fetch token: {e}") from e
                files[_path(p.serviceAccountToken.path)] = FileProjection(token.encode(), mode)
            elif p.configMap is not None or p.secret is not None:
                files |= await self._from_object(p.configMap or p.secret, ns, mode)
            elif p.downwardAPI is not None:
                files |= _downward(pod, p.downwardAPI.items, mode)
        return files


class VolumeRefresh:
    """When a pod's written volumes are next due: a token's renewal, or the periodic
    re-read of their sources, so ConfigMap and Secret changes reach running pods (the
    kubelet re-reads them on its periodic pod sync)."""

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
        # 0.9: the periodic resync that should re-read arrives a hair before a full period
        return now >= last + 0.9 * self.period or (token_due is not None and now >= token_due)

    def written(self, uid: str) -> None:
        self._written[uid] = self.clock()

    def forget(self, uid: str) -> None:
        self._written.pop(uid, None)
        self.tokens.forget(uid)
