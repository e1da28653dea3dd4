"""The Node authorizer: a kubelet (`system:node:<name>` in group system:nodes) may do what
running its own pods takes, and no more. Its Node, its Lease and the status of pods bound
to it; the Secrets, ConfigMaps, claims and service accounts those pods reference — found
through a graph from node to referenced objects, kept current from the watch cache's
pods. Everything else is NO_OPINION, so RBAC still decides (and a refusal carries the
reason given here), as Kubernetes chains `Node,RBAC`."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from tugboat.apiserver.auth.authorizer import (
    Attributes,
    Decision,
    NonResourceRule,
    ResourceRule,
)
from tugboat.apiserver.auth.rbac.bootstrappolicy import cluster_roles
from tugboat.apiserver.auth.rbac.rules import Rule, compile_rules
from tugboat.apiserver.auth.user import UserInfo, node_name_of
from tugboat.apiserver.watchcache import WatchCache, Watcher

Obj = dict[str, Any]
Ref = tuple[str, str, str]  # (resource, namespace, name)
PODS = "/registry/core/pods/"
NODE_LEASE_NAMESPACE = "kube-node-lease"
GRAPH_RESOURCES = ("secrets", "configmaps", "persistentvolumeclaims", "serviceaccounts")
_READ = ("get", "list", "watch")


def pod_refs(pod: Obj) -> frozenset[Ref]:
    """Every object a pod needs to run: volumes (projected sources too), env and envFrom,
    image pull secrets and its service account."""
    ns = pod.get("metadata", {}).get("namespace") or ""
    spec = pod.get("spec") or {}
    refs: set[Ref] = {("serviceaccounts", ns, spec.get("serviceAccountName") or "default")}

    def add(resource: str, name: str | None) -> None:
        if name:
            refs.add((resource, ns, name))

    for s in spec.get("imagePullSecrets") or ():
        add("secrets", s.get("name"))
    for v in spec.get("volumes") or ():
        add("secrets", (v.get("secret") or {}).get("secretName"))
        add("configmaps", (v.get("configMap") or {}).get("name"))
        add("persistentvolumeclaims", (v.get("persistentVolumeClaim") or {}).get("claimName"))
        for src in (v.get("projected") or {}).get("sources") or ():
            add("secrets", (src.get("secret") or {}).get("name"))
            add("configmaps", (src.get("configMap") or {}).get("name"))
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or ():
            for env in c.get("env") or ():
                source = env.get("valueFrom") or {}
                add("secrets", (source.get("secretKeyRef") or {}).get("name"))
                add("configmaps", (source.get("configMapKeyRef") or {}).get("name"))
            for env_from in c.get("envFrom") or ():
                add("secrets", (env_from.get("secretRef") or {}).get("name"))
                add("configmaps", (env_from.get("configMapRef") or {}).get("name"))
    return frozenset(refs)


class NodeGraph:
    """node → how many of its pods reference each object; updated from pod changes."""

    def __init__(self, cache: WatchCache):
        self.cache = cache
        self._watcher: Watcher | None = None
        self._pods: dict[str, tuple[str, frozenset[Ref]]] = {}
        self._refs: dict[str, Counter[Ref]] = defaultdict(Counter)

    def _set(self, key: str, pod: Obj | None) -> None:
        old = self._pods.pop(key, None)
        if old:
            self._refs[old[0]].subtract(old[1])
            self._refs[old[0]] += Counter()  # drop the zero counts
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        if pod is not None and node:
            refs = pod_refs(pod)
            self._pods[key] = (node, refs)
            self._refs[node].update(refs)

    def _sync(self) -> None:
        if not self.cache.ready.is_set():
            return
        w = self._watcher
        if w is None or w.closed:
            self._watcher, _ = self.cache.watch(PODS, None)
            self._pods.clear()
            self._refs.clear()
            for pod in self.cache.list(PODS):
                m = pod["metadata"]
                self._set(f"{PODS}{m.get('namespace')}/{m['name']}", pod)
            return
        while not w.queue.empty():
            change = w.queue.get_nowait()
            if change is None:
                self._watcher = None
                return self._sync()
            self._set(change.key, None if change.type == "DELETED" else change.obj)

    def related(self, node: str, ref: Ref) -> bool:
        self._sync()
        return self._refs.get(node, Counter())[ref] > 0


def _node_rules() -> tuple[Rule, ...]:
    role = next(r for r in cluster_roles() if r["metadata"]["name"] == "system:node")
    return compile_rules(role["rules"])


class NodeAuthorizer:
    def __init__(self, cache: WatchCache):
        self.graph = NodeGraph(cache)
        self.rules = _node_rules()

    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        node = node_name_of(a.user)
        if node is None or not a.resource_request:
            return Decision.NO_OPINION, ""
        if a.api_group == "" and a.resource in GRAPH_RESOURCES:
            return self._referenced(node, a)
        if a.api_group == "" and a.resource == "nodes":
            return self._own_node(node, a)
        if a.api_group == "coordination.k8s.io" and a.resource == "leases":
            return self._lease(node, a)
        if any(r.allows(a) for r in self.rules):
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, ""

    def _referenced(self, node: str, a: Attributes) -> tuple[Decision, str]:
        if a.resource == "serviceaccounts" and a.subresource == "token":
            wanted = a.verb == "create"
        else:
            wanted = not a.subresource and a.verb in _READ
        if not wanted:
            what = "create tokens for" if a.subresource else "read"
            return Decision.NO_OPINION, f"can only {what} individual {a.resource}"
        if not a.name:
            return Decision.NO_OPINION, "can only get individual resources of this type"
        if self.graph.related(node, (a.resource, a.namespace, a.name)):
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, (f"no relationship found between node '{node}' and "
                                     f"this object")

    @staticmethod
    def _own_node(node: str, a: Attributes) -> tuple[Decision, str]:
        if a.verb == "create" and not a.subresource:
            return Decision.ALLOW, ""  # NodeRestriction checks the name in the body
        allowed = ("get", "list", "watch", "update", "patch")
        if a.subresource not in ("", "status") or a.verb not in allowed:
            return Decision.NO_OPINION, ""
        if a.name != node:
            return Decision.NO_OPINION, f"node '{node}' cannot {a.verb} node '{a.name}'" \
                if a.name else f"node '{node}' can only {a.verb} its own Node"
        return Decision.ALLOW, ""

    @staticmethod
    def _lease(node: str, a: Attributes) -> tuple[Decision, str]:
        if a.namespace != NODE_LEASE_NAMESPACE or a.subresource:
            return Decision.NO_OPINION, f"can only access node lease in the " \
                                        f"{NODE_LEASE_NAMESPACE} namespace"
        if a.verb == "create" and not a.name:
            return Decision.ALLOW, ""  # NodeRestriction checks the name in the body
        if a.verb not in ("get", "create", "update", "patch", "delete"):
            return Decision.NO_OPINION, "can only get, create, update, patch, or delete a " \
                                        "node lease"
        if a.name != node:
            return Decision.NO_OPINION, "can only access node lease with the same name as " \
                                        "the requesting node"
        return Decision.ALLOW, ""

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        if node_name_of(user) is None:
            return [], [], False
        return ([r.as_resource_rule() for r in self.rules if not r.non_resource_urls], [],
                True)  # per-object grants (the graph) cannot be listed: incomplete
