"""The RBAC authorizer over the watch cache, with the bootstrap policy reconciled: what
cluster-admin, view, edit and admin users, groups and service accounts may do, and that a
binding written after a decision takes effect on the next one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.apiserver.auth.authzcluster import Cluster, running_cluster
from tugboat.apiserver.auth.authorizer import Attributes, Decision
from tugboat.apiserver.auth.rbac.authorizer import RBACAuthorizer
from tugboat.apiserver.auth.rbac.reconciliation import reconcile_bootstrap_policy
from tugboat.apiserver.auth.user import ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, UserInfo

pytestmark = pytest.mark.anyio


def can(authz: RBACAuthorizer, user: UserInfo, verb: str, resource: str, ns: str = "",
        group: str = "", sub: str = "", name: str = "") -> bool:
    decision, _ = authz.authorize(Attributes(user, verb, True, namespace=ns, api_group=group,
                                             resource=resource, subresource=sub, name=name))
    return decision is Decision.ALLOW


def can_get_path(authz: RBACAuthorizer, user: UserInfo, path: str) -> bool:
    return authz.authorize(Attributes(user, "get", False, path=path))[0] is Decision.ALLOW


@pytest.fixture
async def cluster(tmp_path: Path):
    async with running_cluster(tmp_path) as c:
        await reconcile_bootstrap_policy(c.registry)
        await c.namespace("team")
        yield c


def user(name: str, *groups: str) -> UserInfo:
    return UserInfo(name, groups=(*groups, ALL_AUTHENTICATED))


async def test_masters_may_do_anything(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    admin = user("root", "system:masters")
    assert can(authz, admin, "delete", "nodes", name="n1")
    assert can(authz, admin, "escalate", "clusterroles", group="rbac.authorization.k8s.io")
    assert can_get_path(authz, admin, "/metrics")
    reason = authz.authorize(Attributes(admin, "get", True, resource="nodes"))[1]
    assert reason == ('RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole '
                      '"cluster-admin" to Group "system:masters"')


async def test_a_user_with_no_bindings_gets_only_discovery(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    bob = user("bob")
    assert not can(authz, bob, "list", "pods", "default")
    assert can_get_path(authz, bob, "/api/v1")
    assert can_get_path(authz, bob, "/version")
    assert can(authz, bob, "create", "selfsubjectaccessreviews", group="authorization.k8s.io")
    assert not can_get_path(authz, bob, "/metrics")


async def test_anonymous_reads_only_public_info(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    anon = UserInfo("system:anonymous", groups=(ALL_UNAUTHENTICATED,))
    for path in ("/healthz", "/livez", "/readyz", "/version", "/version/"):
        assert can_get_path(authz, anon, path)
    assert not can_get_path(authz, anon, "/api")
    assert not can(authz, anon, "list", "namespaces")


async def test_view_edit_admin_in_one_namespace(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    for role in ("view", "edit", "admin"):
        await cluster.bind(f"{role}-binding", role, user=role, namespace="team")
    viewer, editor, admin = user("view"), user("edit"), user("admin")
    assert can(authz, viewer, "list", "pods", "team")
    assert can(authz, viewer, "get", "deployments", "team", "apps", name="web")
    assert can(authz, viewer, "get", "pods", "team", sub="log", name="web")
    assert not can(authz, viewer, "get", "secrets", "team", name="s")
    assert not can(authz, viewer, "create", "pods", "team")
    assert not can(authz, viewer, "list", "pods", "default")
    assert can(authz, editor, "create", "pods", "team")
    assert can(authz, editor, "get", "secrets", "team", name="s")
    assert can(authz, editor, "create", "pods", "team", sub="exec", name="web")
    assert can(authz, editor, "patch", "deployments", "team", "apps", sub="scale", name="w")
    assert not can(authz, editor, "create", "rolebindings", "team", "rbac.authorization.k8s.io")
    assert can(authz, admin, "create", "rolebindings", "team", "rbac.authorization.k8s.io")
    assert can(authz, admin, "delete", "pods", "team", name="web")
    assert not can(authz, admin, "list", "nodes")
    assert not can(authz, admin, "delete", "namespaces", name="team")


async def test_a_new_binding_applies_to_the_next_request(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    carol = user("carol")
    assert not can(authz, carol, "list", "nodes")
    await cluster.cluster_role("node-reader", [
        {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["nodes"]}])
    await cluster.bind("carol-nodes", "node-reader", user="carol")
    assert can(authz, carol, "list", "nodes")
    assert not can(authz, carol, "delete", "nodes", name="n1")


async def test_groups_and_service_accounts_are_subjects(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    await cluster.bind("ops-view", "view", group="ops")
    await cluster.bind("robot-edit", "edit", namespace="team", sa=("team", "robot"))
    assert can(authz, user("dave", "ops"), "list", "services", "default")
    robot = UserInfo("system:serviceaccount:team:robot",
                     groups=("system:serviceaccounts", "system:serviceaccounts:team"))
    assert can(authz, robot, "create", "configmaps", "team")
    assert not can(authz, robot, "create", "configmaps", "default")


async def test_a_role_binding_of_a_role(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    await cluster.create("roles.rbac.authorization.k8s.io", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "cm-reader", "namespace": "team"},
        "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"],
                   "resourceNames": ["settings"]}]}, "team")
    await cluster.bind("erin-cm", "cm-reader", user="erin", namespace="team", role_kind="Role")
    erin = user("erin")
    assert can(authz, erin, "get", "configmaps", "team", name="settings")
    assert not can(authz, erin, "get", "configmaps", "team", name="other")
    resource, non_resource, incomplete = authz.rules_for(erin, "team")
    assert any(r.resources == ["configmaps"] and r.resource_names == ["settings"]
               for r in resource)
    assert any("/version" in r.non_resource_urls for r in non_resource)
    assert not incomplete


async def test_control_plane_identities(cluster: Cluster) -> None:
    authz = RBACAuthorizer(cluster.cache)
    sched = UserInfo("system:kube-scheduler", groups=(ALL_AUTHENTICATED,))
    assert can(authz, sched, "create", "pods", "default", sub="binding", name="p")
    assert can(authz, sched, "watch", "nodes")
    assert can(authz, sched, "update", "leases", "kube-system", "coordination.k8s.io",
               name="kube-scheduler")
    assert not can(authz, sched, "delete", "nodes", name="n")
    kcm = UserInfo("system:kube-controller-manager", groups=(ALL_AUTHENTICATED,))
    assert can(authz, kcm, "create", "pods", "default")
    assert can(authz, kcm, "update", "replicasets", "default", "apps", sub="status", name="r")
    assert can(authz, kcm, "update", "namespaces", sub="finalize", name="gone")
    assert can(authz, kcm, "delete", "configmaps", "default", name="c")
    for verb in ("create", "update", "delete", "watch"):  # the endpointslice controller
        assert can(authz, kcm, verb, "endpointslices", "default", "discovery.k8s.io",
                   name="web-x" if verb in ("update", "delete") else "")
    assert can(authz, kcm, "escalate", "clusterroles", group="rbac.authorization.k8s.io")
    assert not can(authz, kcm, "bind", "clusterroles", group="rbac.authorization.k8s.io")
    assert not can(authz, kcm, "impersonate", "users")
