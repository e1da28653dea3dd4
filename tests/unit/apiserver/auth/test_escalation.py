"""RBAC escalation prevention through the registry's admission chain: a user cannot
grant in a role or binding what they do not hold, unless they may `escalate` or `bind`;
system:masters may do anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.apiserver.auth.authzcluster import RBAC, Cluster, running_cluster
from tugboat.api.resources import resolve
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionChain
from tugboat.apiserver.auth.rbac.authorizer import RBACAuthorizer
from tugboat.apiserver.auth.rbac.escalation import RBACEscalation
from tugboat.apiserver.auth.rbac.reconciliation import reconcile_bootstrap_policy
from tugboat.apiserver.auth.user import ALL_AUTHENTICATED, UserInfo
from tugboat.apiserver.registry import WriteOptions

pytestmark = pytest.mark.anyio
ALICE = UserInfo("alice", groups=(ALL_AUTHENTICATED,))
ROLES = resolve("roles.rbac.authorization.k8s.io")
CLUSTER_ROLES = resolve("clusterroles.rbac.authorization.k8s.io")
BINDINGS = resolve("rolebindings.rbac.authorization.k8s.io")


@pytest.fixture
async def cluster(tmp_path: Path):
    async with running_cluster(tmp_path) as c:
        authz = RBACAuthorizer(c.cache)
        c.registry.admission = AdmissionChain(validating=[RBACEscalation(authz, c.cache)])
        await reconcile_bootstrap_policy(c.registry)
        await c.namespace("team")
        # alice administers "team" (admin may write roles and bindings there)
        await c.bind("alice-admin", "admin", user="alice", namespace="team")
        yield c


def role(name: str, rules: list[dict]) -> dict:
    return {"apiVersion": f"{RBAC}/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": "team"}, "rules": rules}


def binding(name: str, role_kind: str, role_name: str, user: str) -> dict:
    return {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": "team"},
            "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role_name},
            "subjects": [{"kind": "User", "apiGroup": RBAC, "name": user}]}


AS_ALICE = WriteOptions(user=ALICE)
PODS_GET = [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]
NODES_ALL = [{"verbs": ["*"], "apiGroups": [""], "resources": ["nodes", "pods"]}]


async def test_a_role_within_what_one_holds_is_allowed(cluster: Cluster) -> None:
    res = await cluster.registry.create(ROLES, "team", role("pod-reader", PODS_GET), AS_ALICE)
    assert res.obj["rules"] == PODS_GET


async def test_a_role_beyond_what_one_holds_is_forbidden(cluster: Cluster) -> None:
    with pytest.raises(errors.ApiError) as e:
        await cluster.registry.create(ROLES, "team", role("grab", NODES_ALL), AS_ALICE)
    assert e.value.code == 403 and e.value.reason == "Forbidden"
    assert e.value.message.startswith(
        'roles.rbac.authorization.k8s.io "grab" is forbidden: user "alice" '
        '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not '
        'currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["')


async def test_binding_a_held_role_is_allowed_and_a_bigger_one_is_not(
        cluster: Cluster) -> None:
    await cluster.registry.create(BINDINGS, "team", binding("b1", "ClusterRole", "edit", "bob"),
                                  AS_ALICE)
    with pytest.raises(errors.ApiError) as e:
        await cluster.registry.create(
            BINDINGS, "team", binding("b2", "ClusterRole", "cluster-admin", "bob"), AS_ALICE)
    assert e.value.code == 403
    assert "is attempting to grant RBAC permissions not currently held" in e.value.message


async def test_bind_and_escalate_verbs_lift_the_check(cluster: Cluster) -> None:
    await cluster.cluster_role("rbac-power", [
        {"verbs": ["bind"], "apiGroups": [RBAC], "resources": ["clusterroles"],
         "resourceNames": ["cluster-admin"]},
        {"verbs": ["escalate"], "apiGroups": [RBAC], "resources": ["roles"]}])
    await cluster.bind("alice-power", "rbac-power", user="alice", namespace="team")
    await cluster.registry.create(
        BINDINGS, "team", binding("b3", "ClusterRole", "cluster-admin", "bob"), AS_ALICE)
    await cluster.registry.create(ROLES, "team", role("grab", NODES_ALL), AS_ALICE)


async def test_masters_are_exempt_and_aggregation_needs_full_authority(
        cluster: Cluster) -> None:
    agg = {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": {"name": "gather"},
           "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}
    await cluster.cluster_role("pods-reader", PODS_GET)
    await cluster.bind("alice-crole-writer", "crole-writer", user="alice")
    await cluster.cluster_role("crole-writer", [
        {"verbs": ["create"], "apiGroups": [RBAC], "resources": ["clusterroles"]},
        *PODS_GET])
    with pytest.raises(errors.ApiError) as e:
        await cluster.registry.create(CLUSTER_ROLES, None, agg, AS_ALICE)
    assert e.value.message.endswith("must have cluster-admin privileges to use the "
                                    "aggregationRule")
    await cluster.registry.create(CLUSTER_ROLES, None, agg, WriteOptions())  # privileged
