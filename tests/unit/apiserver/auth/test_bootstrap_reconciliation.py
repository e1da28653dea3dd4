"""Bootstrap policy reconciliation: missing objects are created, missing rules and
subjects added back, a cluster's own additions kept, and autoupdate=false respected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.apiserver.auth.authzcluster import Cluster, running_cluster
from tugboat.api.meta import DeleteOptions
from tugboat.api.resources import resolve
from tugboat.apiserver.auth.rbac.bootstrappolicy import cluster_role_bindings, cluster_roles
from tugboat.apiserver.auth.rbac.reconciliation import reconcile_bootstrap_policy
from tugboat.apiserver.registry import WriteOptions, copy

pytestmark = pytest.mark.anyio
ROLES = resolve("clusterroles.rbac.authorization.k8s.io")
BINDINGS = resolve("clusterrolebindings.rbac.authorization.k8s.io")


@pytest.fixture
async def cluster(tmp_path: Path):
    async with running_cluster(tmp_path) as c:
        await reconcile_bootstrap_policy(c.registry)
        yield c


def stored(cluster: Cluster, info, name: str) -> dict:  # noqa: ANN001
    return cluster.registry.get(info, None, name)


async def test_every_bootstrap_object_exists(cluster: Cluster) -> None:
    for role in cluster_roles():
        obj = stored(cluster, ROLES, role["metadata"]["name"])
        assert obj["metadata"]["annotations"][
            "rbac.authorization.kubernetes.io/autoupdate"] == "true"
    for binding in cluster_role_bindings():
        stored(cluster, BINDINGS, binding["metadata"]["name"])
    view = stored(cluster, ROLES, "view")
    assert view["aggregationRule"]["clusterRoleSelectors"] == [
        {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]
    assert view["rules"], "aggregated rules are filled at start-up"
    admin_rules = stored(cluster, ROLES, "admin")["rules"]
    assert all(r in admin_rules for r in stored(cluster, ROLES, "edit")["rules"])


async def test_lost_rules_come_back_and_additions_stay(cluster: Cluster) -> None:
    role = copy(stored(cluster, ROLES, "system:kube-scheduler"))
    role["rules"] = role["rules"][1:] + [
        {"verbs": ["get"], "apiGroups": ["example.com"], "resources": ["widgets"]}]
    await cluster.registry.update(ROLES, None, "system:kube-scheduler", role, WriteOptions())
    await reconcile_bootstrap_policy(cluster.registry)
    rules = stored(cluster, ROLES, "system:kube-scheduler")["rules"]
    wanted = next(r for r in cluster_roles() if r["metadata"]["name"] ==
                  "system:kube-scheduler")["rules"]
    assert all(r in rules for r in wanted)
    assert {"verbs": ["get"], "apiGroups": ["example.com"], "resources": ["widgets"]} in rules


async def test_autoupdate_false_is_left_alone(cluster: Cluster) -> None:
    binding = copy(stored(cluster, BINDINGS, "system:basic-user"))
    binding["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] = "false"
    binding["subjects"] = []
    await cluster.registry.update(BINDINGS, None, "system:basic-user", binding, WriteOptions())
    await reconcile_bootstrap_policy(cluster.registry)
    assert stored(cluster, BINDINGS, "system:basic-user")["subjects"] == []


async def test_deleted_objects_are_recreated(cluster: Cluster) -> None:
    await cluster.registry.delete(BINDINGS, None, "cluster-admin", DeleteOptions(),
                                  WriteOptions())
    await reconcile_bootstrap_policy(cluster.registry)
    binding = stored(cluster, BINDINGS, "cluster-admin")
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "system:masters"}]
