"""The core (v1) kinds that bound what a namespace may consume: ResourceQuota (how many
objects, and how much cpu/memory/storage, all of a namespace's objects may take together)
and LimitRange (defaults and min/max for each container, pod or claim). Both are enforced
by admission plugins (apiserver/admission/resourcequota.py, limitranger.py); the
resourcequota controller keeps a quota's status.used. Named as Kubernetes' Go types so
protobuf and OpenAPI descriptions apply."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import ResourceList
from tugboat.api.meta import K8sModel, ObjectMeta

# ResourceQuotaScope values
SCOPE_TERMINATING = "Terminating"
SCOPE_NOT_TERMINATING = "NotTerminating"
SCOPE_BEST_EFFORT = "BestEffort"
SCOPE_NOT_BEST_EFFORT = "NotBestEffort"
SCOPE_PRIORITY_CLASS = "PriorityClass"
SCOPE_CROSS_NAMESPACE_POD_AFFINITY = "CrossNamespacePodAffinity"
QUOTA_SCOPES = (SCOPE_TERMINATING, SCOPE_NOT_TERMINATING, SCOPE_BEST_EFFORT,
                SCOPE_NOT_BEST_EFFORT, SCOPE_PRIORITY_CLASS,
                SCOPE_CROSS_NAMESPACE_POD_AFFINITY)

# LimitType values
LIMIT_TYPE_POD = "Pod"
LIMIT_TYPE_CONTAINER = "Container"
LIMIT_TYPE_PVC = "PersistentVolumeClaim"


class ScopedResourceSelectorRequirement(K8sModel):
    scopeName: str = ""
    operator: str = ""  # In, NotIn, Exists, DoesNotExist
    values: list[str] | None = None


class ScopeSelector(K8sModel):
    matchExpressions: list[ScopedResourceSelectorRequirement] | None = None


class ResourceQuotaSpec(K8sModel):
    hard: ResourceList | None = None
    scopes: list[str] | None = None
    scopeSelector: ScopeSelector | None = None


class ResourceQuotaStatus(K8sModel):
    hard: ResourceList | None = None
    used: ResourceList | None = None


class ResourceQuota(K8sModel):
    apiVersion: str = "v1"
    kind: str = "ResourceQuota"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ResourceQuotaSpec | None = None
    status: ResourceQuotaStatus | None = None


class LimitRangeItem(K8sModel):
    type: str = ""
    max: ResourceList | None = None
    min: ResourceList | None = None
    default: ResourceList | None = None
    defaultRequest: ResourceList | None = None
    maxLimitRequestRatio: ResourceList | None = None


class LimitRangeSpec(K8sModel):
    limits: list[LimitRangeItem] = Field(default_factory=list)


class LimitRange(K8sModel):
    apiVersion: str = "v1"
    kind: str = "LimitRange"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: LimitRangeSpec | None = None
