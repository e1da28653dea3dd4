"""RBAC validation (Kubernetes' pkg/apis/rbac/validation): rules name their verbs and
either resources (with API groups) or non-resource URLs, never both; a binding's roleRef
names a Role or ClusterRole of the rbac group and never changes; subjects are Users,
Groups or ServiceAccounts with the apiGroup each kind requires."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import StatusCause
from tugboat.api.rbac import (
    GROUP,
    GROUP_KIND,
    SERVICE_ACCOUNT_KIND,
    USER_KIND,
    ClusterRole,
    ClusterRoleBinding,
    PolicyRule,
    Role,
    RoleBinding,
    RoleRef,
    Subject,
)
from tugboat.api.validation.fielderrors import (
    INVALID,
    Errors,
    invalid,
    not_supported,
    required,
)
from tugboat.api.validation.names import is_dns1123_subdomain, is_path_segment_name
from tugboat.api.validation.objectmeta import validate_label_selector

_ROLE_KINDS = ("Role", "ClusterRole")
_SUBJECT_KINDS = (SERVICE_ACCOUNT_KIND, USER_KIND, GROUP_KIND)


def name_is_rbac_name(name: str, prefix: bool) -> tuple[str, ...]:
    """ValidateRBACName: any path segment (`system:node:a` is a valid ClusterRole name)."""
    return is_path_segment_name(name)


def validate_policy_rule(rule: PolicyRule, namespaced: bool, path: str, errs: Errors) -> None:
    if not rule.verbs:
        errs.append(required(f"{path}.verbs", "verbs must contain at least one value"))
    if rule.nonResourceURLs:
        if namespaced:
            errs.append(invalid(f"{path}.nonResourceURLs", rule.nonResourceURLs,
                                "namespaced rules cannot apply to non-resource URLs"))
        if rule.apiGroups or rule.resources or rule.resourceNames:
            errs.append(invalid(f"{path}.nonResourceURLs", rule.nonResourceURLs,
                                "rules cannot apply to both regular resources and "
                                "non-resource URLs"))
        return
    if not rule.apiGroups:
        errs.append(required(f"{path}.apiGroups",
                             "resource rules must supply at least one api group"))
    if not rule.resources:
        errs.append(required(f"{path}.resources",
                             "resource rules must supply at least one resource"))


def validate_role(role: Role, old: Any, errs: Errors) -> None:
    for i, rule in enumerate(role.rules or ()):
        validate_policy_rule(rule, True, f"rules[{i}]", errs)


def validate_cluster_role(role: ClusterRole, old: Any, errs: Errors) -> None:
    for i, rule in enumerate(role.rules or ()):
        validate_policy_rule(rule, False, f"rules[{i}]", errs)
    agg = role.aggregationRule
    if agg is not None:
        if not agg.clusterRoleSelectors:
            errs.append(required("aggregationRule.clusterRoleSelectors",
                                 "at least one clusterRoleSelector required if aggregationRule "
                                 "is non-nil"))
        for i, sel in enumerate(agg.clusterRoleSelectors or ()):
            validate_label_selector(sel, f"aggregationRule.clusterRoleSelectors[{i}]", errs)


def _validate_role_ref(ref: RoleRef, kinds: tuple[str, ...], errs: Errors) -> None:
    if ref.apiGroup != GROUP:
        errs.append(not_supported("roleRef.apiGroup", ref.apiGroup, [GROUP]))
    if ref.kind not in kinds:
        errs.append(not_supported("roleRef.kind", ref.kind, kinds))
    if not ref.name:
        errs.append(required("roleRef.name"))
    else:
        for msg in is_path_segment_name(ref.name):
            errs.append(invalid("roleRef.name", ref.name, msg))


def validate_subject(s: Subject, namespaced: bool, path: str, errs: Errors) -> None:
    if not s.name:
        errs.append(required(f"{path}.name"))
    if s.kind == SERVICE_ACCOUNT_KIND:
        for msg in is_dns1123_subdomain(s.name) if s.name else ():
            errs.append(invalid(f"{path}.name", s.name, msg))
        if s.apiGroup:
            errs.append(not_supported(f"{path}.apiGroup", s.apiGroup, [""]))
        if not namespaced and not s.namespace:
            errs.append(required(f"{path}.namespace"))
    elif s.kind in (USER_KIND, GROUP_KIND):
        if s.apiGroup != GROUP:
            errs.append(not_supported(f"{path}.apiGroup", s.apiGroup or "", [GROUP]))
    else:
        errs.append(not_supported(f"{path}.kind", s.kind, _SUBJECT_KINDS))


def _validate_binding(binding: RoleBinding | ClusterRoleBinding, old: Any, namespaced: bool,
                      errs: Errors) -> None:
    _validate_role_ref(binding.roleRef, _ROLE_KINDS if namespaced else ("ClusterRole",), errs)
    for i, s in enumerate(binding.subjects or ()):
        validate_subject(s, namespaced, f"subjects[{i}]", errs)
    if old is not None and old.roleRef != binding.roleRef:
        ref = binding.roleRef  # Go prints the struct with %#v
        errs.append(StatusCause(reason=INVALID, field="roleRef", message=(
            f'Invalid value: rbac.RoleRef{{APIGroup:"{ref.apiGroup}", Kind:"{ref.kind}", '
            f'Name:"{ref.name}"}}: cannot change roleRef')))


def validate_role_binding(binding: RoleBinding, old: Any, errs: Errors) -> None:
    _validate_binding(binding, old, True, errs)


def validate_cluster_role_binding(binding: ClusterRoleBinding, old: Any, errs: Errors) -> None:
    _validate_binding(binding, old, False, errs)


# kind → (name check, namespaced, validator), merged into the validation dispatch table
RBAC_KINDS: dict[type, tuple[Any, bool, Any]] = {
    Role: (name_is_rbac_name, True, validate_role),
    ClusterRole: (name_is_rbac_name, False, validate_cluster_role),
    RoleBinding: (name_is_rbac_name, True, validate_role_binding),
    ClusterRoleBinding: (name_is_rbac_name, False, validate_cluster_role_binding),
}
