"""RBAC validation with Kubernetes' field paths and messages."""

from __future__ import annotations

from tugboat.api import validation
from tugboat.api.rbac import ClusterRole, ClusterRoleBinding, Role, RoleBinding

RBAC = "rbac.authorization.k8s.io"


def causes(obj: object, old: object = None) -> list[tuple[str, str]]:
    return [(c.field or "", c.message or "") for c in validation.validate(obj, old)]


def test_a_valid_role_and_binding() -> None:
    role = Role.model_validate({"metadata": {"name": "r", "namespace": "ns"}, "rules": [
        {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]})
    binding = RoleBinding.model_validate({
        "metadata": {"name": "system:b", "namespace": "ns"},
        "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "r"},
        "subjects": [{"kind": "ServiceAccount", "name": "default"},
                     {"kind": "User", "apiGroup": RBAC, "name": "bob"}]})
    assert causes(role) == [] and causes(binding) == []


def test_rule_errors() -> None:
    role = Role.model_validate({"metadata": {"name": "r", "namespace": "ns"}, "rules": [
        {"verbs": [], "apiGroups": [""], "resources": ["pods"]},
        {"verbs": ["get"], "nonResourceURLs": ["/healthz"]},
        {"verbs": ["get"]}]})
    assert causes(role) == [
        ("rules[0].verbs", "Required value: verbs must contain at least one value"),
        ("rules[1].nonResourceURLs", 'Invalid value: []string{"/healthz"}: namespaced rules '
                                     'cannot apply to non-resource URLs'),
        ("rules[2].apiGroups", "Required value: resource rules must supply at least one api "
                               "group"),
        ("rules[2].resources", "Required value: resource rules must supply at least one "
                               "resource")]


def test_aggregation_rule_needs_a_selector() -> None:
    role = ClusterRole.model_validate({"metadata": {"name": "a/b"}, "aggregationRule": {}})
    assert causes(role) == [
        ("metadata.name", "Invalid value: \"a/b\": may not contain '/'"),
        ("aggregationRule.clusterRoleSelectors", "Required value: at least one "
         "clusterRoleSelector required if aggregationRule is non-nil")]


def test_binding_errors() -> None:
    binding = ClusterRoleBinding.model_validate({
        "metadata": {"name": "b"}, "roleRef": {"apiGroup": "x", "kind": "Role", "name": ""},
        "subjects": [{"kind": "ServiceAccount", "name": "sa"},
                     {"kind": "User", "name": "bob"}, {"kind": "Robot", "name": "r"}]})
    assert causes(binding) == [
        ("roleRef.apiGroup", 'Unsupported value: "x": supported values: '
                             '"rbac.authorization.k8s.io"'),
        ("roleRef.kind", 'Unsupported value: "Role": supported values: "ClusterRole"'),
        ("roleRef.name", "Required value"),
        ("subjects[0].namespace", "Required value"),
        ("subjects[1].apiGroup", 'Unsupported value: "": supported values: '
                                 '"rbac.authorization.k8s.io"'),
        ("subjects[2].kind", 'Unsupported value: "Robot": supported values: '
                             '"ServiceAccount", "User", "Group"')]


def test_role_ref_is_immutable() -> None:
    def make(role: str) -> RoleBinding:
        return RoleBinding.model_validate({
            "metadata": {"name": "b", "namespace": "ns", "resourceVersion": "1"},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role}})
    assert causes(make("edit"), make("view")) == [
        ("roleRef", 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", '
                    'Kind:"ClusterRole", Name:"edit"}: cannot change roleRef')]
