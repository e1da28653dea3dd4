"""rbac.authorization.k8s.io/v1: Role and ClusterRole (what may be done), RoleBinding and
ClusterRoleBinding (who may do it), and the aggregation rule that lets a ClusterRole
gather the rules of others by label — the types the RBAC authorizer, the escalation check
and the aggregation controller all read."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.labels import label_selector_as_selector
from tugboat.api.meta import K8sModel, LabelSelector, ListMeta, ObjectMeta

GROUP = "rbac.authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"

# The wildcards and subject kinds of rbac/v1.
VERB_ALL = "*"
API_GROUP_ALL = "*"
RESOURCE_ALL = "*"
NON_RESOURCE_ALL = "*"
USER_KIND = "User"
GROUP_KIND = "Group"
SERVICE_ACCOUNT_KIND = "ServiceAccount"

# Bootstrap objects carry this; "false" tells the reconciler to leave them alone.
AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate"


class PolicyRule(K8sModel):
    verbs: list[str] = Field(default_factory=list)
    apiGroups: list[str] | None = None
    resources: list[str] | None = None
    resourceNames: list[str] | None = None
    nonResourceURLs: list[str] | None = None


class Subject(K8sModel):
    kind: str = ""
    name: str = ""
    apiGroup: str | None = None
    namespace: str | None = None


class RoleRef(K8sModel):
    # zero values, as Go's: a missing roleRef is reported field by field by validation
    apiGroup: str = ""
    kind: str = ""
    name: str = ""


class AggregationRule(K8sModel):
    clusterRoleSelectors: list[LabelSelector] | None = None


class Role(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "Role"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    rules: list[PolicyRule] | None = None


class ClusterRole(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "ClusterRole"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    rules: list[PolicyRule] | None = None
    aggregationRule: AggregationRule | None = None


class RoleBinding(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "RoleBinding"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    subjects: list[Subject] | None = None
    roleRef: RoleRef = Field(default_factory=RoleRef)


class ClusterRoleBinding(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "ClusterRoleBinding"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    subjects: list[Subject] | None = None
    roleRef: RoleRef = Field(default_factory=RoleRef)


class RoleList(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "RoleList"
    metadata: ListMeta = Field(default_factory=ListMeta)
    items: list[Role] = Field(default_factory=list)


class ClusterRoleList(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "ClusterRoleList"
    metadata: ListMeta = Field(default_factory=ListMeta)
    items: list[ClusterRole] = Field(default_factory=list)


class RoleBindingList(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "RoleBindingList"
    metadata: ListMeta = Field(default_factory=ListMeta)
    items: list[RoleBinding] = Field(default_factory=list)


class ClusterRoleBindingList(K8sModel):
    apiVersion: str = API_VERSION
    kind: str = "ClusterRoleBindingList"
    metadata: ListMeta = Field(default_factory=ListMeta)
    items: list[ClusterRoleBinding] = Field(default_factory=list)


def aggregated_rules(role: ClusterRole, roles: list[ClusterRole]) -> list[PolicyRule] | None:
    """The rules an aggregated ClusterRole should hold: the union, in name order and
    without duplicates, of the rules of every other ClusterRole its selectors match (the
    clusterrole-aggregation controller's computation). None for a role without an
    aggregationRule."""
    if role.aggregationRule is None:
        return None
    selectors = [label_selector_as_selector(s)
                 for s in role.aggregationRule.clusterRoleSelectors or ()]
    out: list[PolicyRule] = []
    for other in sorted(roles, key=lambda r: r.metadata.name or ""):
        if other.metadata.name == role.metadata.name:
            continue
        if any(s.matches(other.metadata.labels) for s in selectors):
            out.extend(r for r in other.rules or () if r not in out)
    return out
