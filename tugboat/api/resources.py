"""The table of served resources (DESIGN §4): one ResourceInfo per resource, naming its
group/version, kind, scope, short names, verbs and subresources, and the pydantic model
that types it. Discovery, routing, the OpenAPI document and the client all read this one
table, so adding a resource is one line here plus its model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceInfo:
    group: str  # "" for the core group
    version: str
    resource: str  # plural, as in URLs
    kind: str
    namespaced: bool
    model_path: str  # "module:Class" under tugboat.api, resolved lazily
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()  # "status", "scale", "binding", "log", "exec", "eviction"
    verbs: tuple[str, ...] = ALL_VERBS
    categories: tuple[str, ...] = ()
    stored: bool = True  # False for computed resources (metrics) that have no store keys
    # A version served by conversion from another version's storage (autoscaling/v1 from
    # v2): the stored version, and the Converter ("module:NAME" under tugboat.api.conversion)
    # between the two. Both versions share the store keys, so one object is seen in both.
    storage_version: str | None = None
    conversion: str | None = None

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def printer_name(self) -> str:
        """The name its Table printer is registered under (tables.PRINTERS)."""
        return self.resource

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    @cached_property
    def model(self) -> Any:
        module, cls = self.model_path.split(":")
        return getattr(importlib.import_module(f"tugboat.api.{module}"), cls)

    @property
    def converted(self) -> bool:
        return self.storage_version is not None

    @cached_property
    def storage(self) -> ResourceInfo:
        """The resource info whose objects the store holds: this one, or its storage
        version's when this version is served by conversion."""
        if self.storage_version is None:
            return self
        found = lookup(self.group, self.storage_version, self.resource)
        assert found is not None, f"{self.resource}: no storage version {self.storage_version}"
        return found

    @cached_property
    def converter(self) -> Any:
        module, name = (self.conversion or "").split(":")
        return getattr(importlib.import_module(f"tugboat.api.conversion.{module}"), name)

    def to_storage(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A wire object of this version as its storage version's (itself when stored)."""
        return self.converter.to_storage(obj) if self.converted else obj

    def from_storage(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A stored object as this version serves it."""
        return self.converter.from_storage(obj) if self.converted else obj

    def key_prefix(self, namespace: str | None = None) -> str:
        """Store key prefix: /registry/<group>/<resource>/[<namespace>/]."""
        base = f"/registry/{self.group or 'core'}/{self.resource}/"
        return base + f"{namespace}/" if namespace and self.namespaced else base

    def key(self, namespace: str | None, name: str) -> str:
        return self.key_prefix(namespace if self.namespaced else None) + name

    def path(self, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        """The REST path of a collection, an object or a subresource."""
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        p = root + (f"/namespaces/{namespace}" if self.namespaced and namespace else "")
        p += f"/{self.resource}"
        if name:
            p += f"/{name}"
            if sub:
                p += f"/{sub}"
        return p


_R = ResourceInfo
RESOURCES: tuple[ResourceInfo, ...] = (
    _R("", "v1", "namespaces", "Namespace", False, "core:Namespace", ("ns",),
       ("status", "finalize")),
    _R("", "v1", "pods", "Pod", True, "core:Pod", ("po",),
       ("status", "binding", "log", "exec", "eviction", "ephemeralcontainers", "attach"),
       categories=("all",)),
    _R("", "v1", "nodes", "Node", False, "core:Node", ("no",), ("status",)),
    _R("", "v1", "services", "Service", True, "core:Service", ("svc",), ("status",),
       categories=("all",)),
    _R("", "v1", "endpoints", "Endpoints", True, "core:Endpoints", ("ep",)),
    _R("", "v1", "events", "Event", True, "core:Event", ("ev",)),
    _R("", "v1", "replicationcontrollers", "ReplicationController", True,
       "core:ReplicationController", ("rc",), ("status", "scale"), categories=("all",)),
    _R("", "v1", "configmaps", "ConfigMap", True, "core:ConfigMap", ("cm",)),
    _R("", "v1", "secrets", "Secret", True, "core:Secret"),
    _R("", "v1", "serviceaccounts", "ServiceAccount", True, "core:ServiceAccount", ("sa",),
       ("token",)),
    _R("", "v1", "resourcequotas", "ResourceQuota", True, "quota:ResourceQuota", ("quota",),
       ("status",)),
    _R("", "v1", "limitranges", "LimitRange", True, "quota:LimitRange", ("limits",)),
    _R("apps", "v1", "replicasets", "ReplicaSet", True, "apps:ReplicaSet", ("rs",),
       ("status", "scale"), categories=("all",)),
    _R("apps", "v1", "deployments", "Deployment", True, "apps:Deployment", ("deploy",),
       ("status", "scale"), categories=("all",)),
    _R("apps", "v1", "daemonsets", "DaemonSet", True, "apps:DaemonSet", ("ds",), ("status",),
       categories=("all",)),
    _R("apps", "v1", "statefulsets", "StatefulSet", True, "apps:StatefulSet", ("sts",),
       ("status", "scale"), categories=("all",)),
    _R("batch", "v1", "jobs", "Job", True, "batch:Job", (), ("status",), categories=("all",)),
    _R("batch", "v1", "cronjobs", "CronJob", True, "batch:CronJob", ("cj",), ("status",),
       categories=("all",)),
    _R("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True,
       "policy:PodDisruptionBudget", ("pdb",), ("status",)),
    _R("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", False,
       "scheduling:PriorityClass", ("pc",)),
    _R("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True,
       "discovery:EndpointSlice"),
    _R("coordination.k8s.io", "v1", "leases", "Lease", True, "coordination:Lease"),
    _R("rbac.authorization.k8s.io", "v1", "roles", "Role", True, "rbac:Role"),
    _R("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False,
       "rbac:ClusterRole"),
    _R("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True,
       "rbac:RoleBinding"),
    _R("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False,
       "rbac:ClusterRoleBinding"),
    _R("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", False,
       "authorization:SubjectAccessReview", verbs=("create",), stored=False),
    _R("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
       False, "authorization:SelfSubjectAccessReview", verbs=("create",), stored=False),
    _R("authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview",
       True, "authorization:LocalSubjectAccessReview", verbs=("create",), stored=False),
    _R("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview",
       False, "authorization:SelfSubjectRulesReview", verbs=("create",), stored=False),
    _R("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", False,
       "authentication:TokenReview", verbs=("create",), stored=False),
    _R("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", False,
       "authentication:SelfSubjectReview", verbs=("create",), stored=False),
    _R("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True,
       "autoscaling:HorizontalPodAutoscaler", ("hpa",), ("status",), categories=("all",)),
    # after v2: the first version listed is the group's preferred one
    _R("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True,
       "autoscalingv1:HorizontalPodAutoscaler", ("hpa",), ("status",),
       storage_version="v2", conversion="autoscaling:V1"),
    _R("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
       False, "apiextensions:CustomResourceDefinition", ("crd", "crds"), ("status",),
       categories=("api-extensions",)),
    _R("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False, "metrics:NodeMetrics",
       verbs=("get", "list"), stored=False),
    _R("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True, "metrics:PodMetrics",
       verbs=("get", "list"), stored=False),
)

# Scale's own wire version (kubectl scale reads and writes autoscaling/v1 Scale objects).
SCALE_API_VERSION = "autoscaling/v1"


@dataclass
class _Index:
    by_gvr: dict[tuple[str, str, str], ResourceInfo] = field(default_factory=dict)
    by_kind: dict[tuple[str, str], ResourceInfo] = field(default_factory=dict)
    by_name: dict[str, list[ResourceInfo]] = field(default_factory=dict)


def _build(resources: tuple[ResourceInfo, ...] = RESOURCES) -> _Index:
    idx = _Index()
    for r in resources:
        idx.by_gvr[(r.group, r.version, r.resource)] = r
        idx.by_kind[(r.group_version, r.kind)] = r
        for n in (r.resource, r.singular, r.kind.lower(), *r.short_names):
            idx.by_name.setdefault(n, []).append(r)
    return idx


_INDEX = _build()
# Resources the API server serves from its own objects (CustomResourceDefinitions, see
# apiserver/customresources): replaced whole whenever an Established CRD changes, so a
# reader sees one table or the next, never half of one. The static table wins a clash.
_DYNAMIC: tuple[tuple[ResourceInfo, ...], _Index] = ((), _Index())


def serve_dynamic(infos: tuple[ResourceInfo, ...]) -> None:
    global _DYNAMIC
    _DYNAMIC = (infos, _build(infos))


def served() -> tuple[ResourceInfo, ...]:
    """Every served resource: the static table, then the dynamic ones."""
    return RESOURCES + _DYNAMIC[0]


def lookup(group: str, version: str, resource: str) -> ResourceInfo | None:
    key = (group, version, resource)
    return _INDEX.by_gvr.get(key) or _DYNAMIC[1].by_gvr.get(key)


def for_kind(api_version: str, kind: str) -> ResourceInfo | None:
    key = (api_version, kind)
    return _INDEX.by_kind.get(key) or _DYNAMIC[1].by_kind.get(key)


def resolve(name: str) -> ResourceInfo | None:
    """A user-typed resource name (`po`, `pods`, `pod`, `deploy`, `rs.apps`) → its resource,
    preferring stored resources over computed ones with the same name."""
    name = name.lower()
    group = None
    if "." in name:
        name, group = name.split(".", 1)
    cands = [r for r in (*_INDEX.by_name.get(name, []), *_DYNAMIC[1].by_name.get(name, []))
             if group is None or r.group == group]
    cands.sort(key=lambda r: not r.stored)
    return cands[0] if cands else None


def groups() -> dict[str, list[str]]:
    """group → its versions, in table order, core group under ""."""
    out: dict[str, list[str]] = {}
    for r in served():
        vs = out.setdefault(r.group, [])
        if r.version not in vs:
            vs.append(r.version)
    return out
