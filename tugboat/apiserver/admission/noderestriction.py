"""The NodeRestriction validating admission plugin, as Kubernetes': the Node authorizer
says which kinds a kubelet may write; this plugin narrows it to the objects of its own
node. A kubelet (`system:node:<name>` in `system:nodes`) may create only mirror pods of
its static pods — bound to itself, owned by its Node, referencing no secrets, configmaps,
claims or service accounts — delete only and update the status only of pods bound to it,
evict only those, write only its own Node (without touching its taints or setting
restricted labels), its own Lease in kube-node-lease, and request service account tokens
only bound to a pod running on it. Everyone else passes untouched."""

from __future__ import annotations

from typing import Any, Protocol

from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.auth.user import node_name_of

Obj = dict[str, Any]

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
NODE_LEASE_NAMESPACE = "kube-node-lease"
RESTRICTION_LABEL_NAMESPACE = "node-restriction.kubernetes.io"
# kubernetes.io / k8s.io labels a kubelet may set on its own Node (kubeletapis)
KUBELET_LABELS = frozenset((
    "kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os",
    "beta.kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/instance-type",
    "node.kubernetes.io/instance-type", "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone", "node.kubernetes.io/windows-build"))
KUBELET_LABEL_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")
# volume sources that carry a secretRef (Kubernetes' VisitPodSecretNames)
SECRET_REF_VOLUMES = ("azureFile", "cephfs", "cinder", "flexVolume", "iscsi", "rbd",
                      "scaleIO", "storageos", "csi")

_PODS = lookup("", "v1", "pods")
_NODES = lookup("", "v1", "nodes")


class ObjectCache(Protocol):
    def get(self, key: str) -> Obj | None: ...


class NodeRestriction:
    name = "NodeRestriction"

    def __init__(self, cache: ObjectCache):
        self.cache = cache

    def validate(self, req: AdmissionRequest) -> None:
        if not req.user.name.startswith("system:node:") or "system:nodes" not in req.user.groups:
            return
        node = node_name_of(req.user)
        if not node:
            raise self._forbidden(req, f'could not determine node from user "{req.user.name}"')
        resource = (req.info.group, req.info.resource)
        if resource == ("", "pods"):
            self._pod(node, req)
        elif resource == ("", "nodes"):
            self._node(node, req)
        elif resource == ("", "serviceaccounts"):
            self._service_account(node, req)
        elif resource == ("coordination.k8s.io", "leases"):
            self._lease(node, req)

    # -- pods ---------------------------------------------------------------------

    def _pod(self, node: str, req: AdmissionRequest) -> None:
        if req.subresource == "status":
            if req.operation is not Operation.UPDATE:
                raise self._forbidden(req, f'unexpected operation "{req.operation.value}"')
            old = req.old or {}
            if (old.get("spec") or {}).get("nodeName") != node:
                raise self._forbidden(req, f'node "{node}" can only update pod status for pods '
                                           f"with spec.nodeName set to itself")
            if _labels(old) != _labels(req.obj or {}):
                raise self._forbidden(req, f'node "{node}" cannot update labels through pod '
                                           f"status")
        elif req.subresource == "eviction":
            self._eviction(node, req)
        elif req.subresource:
            raise self._forbidden(req, f'unexpected pod subresource "{req.subresource}", only '
                                       f"'status' and 'eviction' are allowed")
        elif req.operation is Operation.CREATE:
            self._mirror_pod(node, req)
        elif req.operation is Operation.DELETE:
            pod = req.old or self._stored_pod(req.namespace, req.name)
            if (pod.get("spec") or {}).get("nodeName") != node:
                raise self._forbidden(req, f'node "{node}" can only delete pods with '
                                           f"spec.nodeName set to itself")
        else:
            raise self._forbidden(req, f'unexpected operation "{req.operation.value}", node '
                                       f'"{node}" can only create and delete mirror pods')

    def _mirror_pod(self, node: str, req: AdmissionRequest) -> None:
        pod = req.obj or {}
        meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
        if MIRROR_ANNOTATION not in (meta.get("annotations") or {}):
            raise self._forbidden(req, f'pod does not have "{MIRROR_ANNOTATION}" annotation, '
                                       f'node "{node}" can only create mirror pods')
        if spec.get("nodeName") != node:
            raise self._forbidden(req, f'node "{node}" can only create pods with spec.nodeName '
                                       f"set to itself")
        self._owned_by_node(node, req, meta.get("ownerReferences") or [])
        why = _referenced_objects(spec)
        if why:
            raise self._forbidden(req, f'node "{node}" can not create pods that reference {why}')

    def _owned_by_node(self, node: str, req: AdmissionRequest, owners: list[Obj]) -> None:
        if len(owners) > 1:
            raise self._forbidden(req, f'node "{node}" can only create pods with a single owner '
                                       f"reference set to itself")
        owner = owners[0] if owners else {}
        if (owner.get("apiVersion"), owner.get("kind"), owner.get("name")) != ("v1", "Node",
                                                                               node):
            raise self._forbidden(req, f'node "{node}" can only create pods with an owner '
                                       f"reference set to itself")
        if not owner.get("controller"):
            raise self._forbidden(req, f'node "{node}" can only create pods with a controller '
                                       f"owner reference set to itself")
        if owner.get("blockOwnerDeletion"):
            raise self._forbidden(req, f'node "{node}" must not set blockOwnerDeletion on an '
                                       f"owner reference")
        stored = self.cache.get(_NODES.key(None, node))
        if stored is None:
            raise errors.not_found(_NODES, node)
        uid = (stored.get("metadata") or {}).get("uid", "")
        if owner.get("uid") != uid:
            raise self._forbidden(req, f"node {node} UID mismatch: expected {uid} got "
                                       f"{owner.get('uid', '')}")

    def _eviction(self, node: str, req: AdmissionRequest) -> None:
        if req.operation is not Operation.CREATE:
            raise self._forbidden(req, f"unexpected operation {req.operation.value}")
        name = req.name or ((req.obj or {}).get("metadata") or {}).get("name", "")
        if not name:
            raise self._forbidden(req, "could not determine pod from request data")
        pod = self._stored_pod(req.namespace, name)
        if (pod.get("spec") or {}).get("nodeName") != node:
            raise self._forbidden(req, f"node {node} can only evict pods with spec.nodeName set "
                                       f"to itself")

    def _stored_pod(self, namespace: str | None, name: str) -> Obj:
        pod = self.cache.get(_PODS.key(namespace, name))
        if pod is None:
            raise errors.not_found(_PODS, name)
        return pod

    # -- nodes, leases, tokens ------------------------------------------------------

    def _node(self, node: str, req: AdmissionRequest) -> None:
        name = req.name or ((req.obj or {}).get("metadata") or {}).get("name", "")
        if name != node:
            raise self._forbidden(req, f'node "{node}" is not allowed to modify node "{name}"')
        new = req.obj or {}
        if req.operation is Operation.CREATE:
            if (new.get("spec") or {}).get("configSource") is not None:
                raise self._forbidden(req, f'node "{node}" is not allowed to create pods with a '
                                           f"non-nil configSource")
            bad = _forbidden_labels(_modified_labels(_labels(new), {}))
            if bad:
                raise self._forbidden(req, f'node "{node}" is not allowed to set the following '
                                           f"labels: {', '.join(bad)}")
        elif req.operation is Operation.UPDATE:
            old = req.old or {}
            # a kubelet that could drop its own taints could steer workloads to itself
            # (nil and empty are the same list, as Kubernetes' semantic equality has it)
            if ((new.get("spec") or {}).get("taints") or []) != (
                    (old.get("spec") or {}).get("taints") or []):
                raise self._forbidden(req, f'node "{node}" is not allowed to modify taints')
            bad = _forbidden_labels(_modified_labels(_labels(new), _labels(old)))
            if bad:
                raise self._forbidden(req, f"is not allowed to modify labels: {', '.join(bad)}")

    def _lease(self, node: str, req: AdmissionRequest) -> None:
        if req.namespace != NODE_LEASE_NAMESPACE:
            raise self._forbidden(req, f'can only access leases in the "{NODE_LEASE_NAMESPACE}" '
                                       f"system namespace")
        name = req.name
        if req.operation is Operation.CREATE:
            name = ((req.obj or {}).get("metadata") or {}).get("name", "") or req.name
        if name != node:
            raise self._forbidden(req, "can only access node lease with the same name as the "
                                       "requesting node")

    def _service_account(self, node: str, req: AdmissionRequest) -> None:
        if req.operation is not Operation.CREATE or req.subresource != "token":
            return
        ref = ((req.obj or {}).get("spec") or {}).get("boundObjectRef") or {}
        if (ref.get("apiVersion") != "v1" or ref.get("kind") != "Pod" or not ref.get("name")):
            raise self._forbidden(req, "node requested token not bound to a pod")
        if not ref.get("uid"):
            raise self._forbidden(req, "node requested token with a pod binding without a uid")
        pod = self._stored_pod(req.namespace, ref["name"])
        if ref["uid"] != (pod.get("metadata") or {}).get("uid"):
            raise self._forbidden(req, f"the UID in the bound object reference ({ref['uid']}) "
                                       f"does not match the UID in record. The object might "
                                       f"have been deleted and then recreated")
        if (pod.get("spec") or {}).get("nodeName") != node:
            raise self._forbidden(req, "node requested token bound to a pod scheduled on a "
                                       "different node")

    @staticmethod
    def _forbidden(req: AdmissionRequest, why: str) -> errors.ApiError:
        name = req.name or ((req.obj or {}).get("metadata") or {}).get("name", "")
        return errors.forbidden(req.info, name, why)


def _labels(obj: Obj) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def _modified_labels(new: dict[str, str], old: dict[str, str]) -> set[str]:
    return {k for k in set(new) | set(old) if new.get(k) != old.get(k)}


def _label_namespace(label: str) -> str:
    return label.split("/", 1)[0] if "/" in label else ""


def _forbidden_labels(labels: set[str]) -> list[str]:
    bad = set()
    for label in labels:
        ns = _label_namespace(label)
        if ns == RESTRICTION_LABEL_NAMESPACE or ns.endswith("." + RESTRICTION_LABEL_NAMESPACE):
            bad.add(label)
        if _is_kubernetes_label(ns) and not _is_kubelet_label(label, ns):
            bad.add(label)
    return sorted(bad)


def _is_kubernetes_label(ns: str) -> bool:
    return any(ns == d or ns.endswith("." + d) for d in ("kubernetes.io", "k8s.io"))


def _is_kubelet_label(label: str, ns: str) -> bool:
    return label in KUBELET_LABELS or any(ns == d or ns.endswith("." + d)
                                          for d in KUBELET_LABEL_NAMESPACES)


def _referenced_objects(spec: Obj) -> str | None:
    """What a mirror pod may not reference, in Kubernetes' order and words."""
    if spec.get("serviceAccountName") or spec.get("serviceAccount"):
        return "a service account"
    volumes = spec.get("volumes") or []
    projected = [s for v in volumes for s in (v.get("projected") or {}).get("sources") or []]
    if any(s.get("serviceAccountToken") for s in projected):
        return "a service account"
    containers = [c for key in ("initContainers", "containers", "ephemeralContainers")
                  for c in spec.get(key) or []]
    env = [e.get("valueFrom") or {} for c in containers for e in c.get("env") or []]
    env_from = [e for c in containers for e in c.get("envFrom") or []]
    if (spec.get("imagePullSecrets") or any(e.get("secretKeyRef") for e in env)
            or any(e.get("secretRef") for e in env_from)
            or any(v.get("secret") for v in volumes) or any(s.get("secret") for s in projected)
            or any((v.get(k) or {}).get("secretRef") or (v.get(k) or {}).get(
                "nodePublishSecretRef") for v in volumes for k in SECRET_REF_VOLUMES)):
        return "secrets"
    if (any(e.get("configMapKeyRef") for e in env) or any(e.get("configMapRef") for e in env_from)
            or any(v.get("configMap") for v in volumes)
            or any(s.get("configMap") for s in projected)):
        return "configmaps"
    if any(v.get("persistentVolumeClaim") for v in volumes):
        return "persistentvolumeclaims"
    if spec.get("resourceClaims"):
        return "resourceclaims"
    return None
