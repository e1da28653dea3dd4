"""The "ServiceAccount" mutating admission plugin (Kubernetes'
plugin/pkg/admission/serviceaccount): every new pod runs as a service account — "default"
unless it names one — that must exist; and unless the pod or its service account turns
automounting off, the pod gets a projected `kube-api-access-xxxxx` volume (a bound token,
the cluster CA from the kube-root-ca.crt ConfigMap, and its namespace) mounted read-only
at /var/run/secrets/kubernetes.io/serviceaccount in every container, which is where the
official clients' in-cluster configuration looks. Mirror pods (a kubelet's static pods)
are left alone and may not name a service account."""

from __future__ import annotations

import random
from typing import Any

from tugboat.api.resources import lookup
from tugboat.api.serviceaccount import (
    DEFAULT_SERVICE_ACCOUNT,
    ROOT_CA_CONFIG_MAP,
    TOKEN_MOUNT_PATH,
)
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.serviceaccount.authenticator import ObjectCache

Obj = dict[str, Any]
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
VOLUME_PREFIX = "kube-api-access-"
# The kubelet refreshes at 80 % of a token's life; 3607 s marks the admission-made ones.
TOKEN_EXPIRATION = 3607
_DEFAULT_MODE = 0o644
# Kubernetes' rand.String alphabet: no vowels, no look-alike characters.
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def api_access_volume(name: str) -> Obj:
    return {"name": name, "projected": {"defaultMode": _DEFAULT_MODE, "sources": [
        {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION, "path": "token"}},
        {"configMap": {"name": ROOT_CA_CONFIG_MAP, "items": [{"key": "ca.crt",
                                                              "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ]}}


def _containers(spec: Obj) -> list[Obj]:
    return [c for key in ("initContainers", "containers") for c in spec.get(key) or ()
            if isinstance(c, dict)]


def should_automount(sa: Obj, spec: Obj) -> bool:
    if spec.get("automountServiceAccountToken") is not None:
        return bool(spec["automountServiceAccountToken"])
    if sa.get("automountServiceAccountToken") is not None:
        return bool(sa["automountServiceAccountToken"])
    return True


def mount_token(spec: Obj, volume_name: str) -> None:
    """Add the volume and mount it in each container that has nothing at the path yet."""
    needed = False
    for c in _containers(spec):
        mounts = c.setdefault("volumeMounts", [])
        if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
            continue
        mounts.append({"name": volume_name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH})
        needed = True
    if needed:
        spec.setdefault("volumes", []).append(api_access_volume(volume_name))


class ServiceAccountAdmission:
    name = "ServiceAccount"

    def __init__(self, cache: ObjectCache):
        self.cache = cache
        self._sa = lookup("", "v1", "serviceaccounts")

    def admit(self, req: AdmissionRequest) -> None:
        if req.info.resource != "pods" or req.subresource or req.operation != Operation.CREATE:
            return
        pod = req.obj if isinstance(req.obj, dict) else None
        if pod is None or not isinstance(pod.get("spec"), dict):
            return
        spec = pod["spec"]
        annotations = (pod.get("metadata") or {}).get("annotations") or {}
        if MIRROR_ANNOTATION in annotations:
            if spec.get("serviceAccountName") or spec.get("serviceAccount"):
                raise errors.forbidden(req.info, req.name,
                                       "a mirror pod may not reference service accounts")
            return
        name = spec.get("serviceAccountName") or spec.get("serviceAccount") \
            or DEFAULT_SERVICE_ACCOUNT
        spec["serviceAccountName"] = spec["serviceAccount"] = name
        sa = self.cache.get(self._sa.key(req.namespace, name))
        if sa is None:
            raise errors.forbidden(req.info, req.name, f"error looking up service account "
                                   f'{req.namespace}/{name}: serviceaccount "{name}" not found')
        if should_automount(sa, spec):
            taken = {v.get("name") for v in spec.get("volumes") or () if isinstance(v, dict)}
            volume = VOLUME_PREFIX + "".join(random.choices(_ALPHABET, k=5))
            while volume in taken:
                volume = VOLUME_PREFIX + "".join(random.choices(_ALPHABET, k=5))
            mount_token(spec, volume)
        if not spec.get("imagePullSecrets") and sa.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [dict(s) for s in sa["imagePullSecrets"]]
