"""The Node authorizer: a kubelet reaches its own Node and Lease and what its own pods
reference, nothing of another node's, and leaves everything else to RBAC."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.apiserver.auth.authzcluster import Cluster, running_cluster
from tugboat.api.meta import DeleteOptions
from tugboat.api.resources import resolve
from tugboat.apiserver.auth.authorizer import Attributes, Decision
from tugboat.apiserver.auth.node import NodeAuthorizer, pod_refs
from tugboat.apiserver.auth.user import UserInfo
from tugboat.apiserver.registry import WriteOptions

pytestmark = pytest.mark.anyio
NODE_A = UserInfo("system:node:a", groups=("system:nodes", "system:authenticated"))


def pod(name: str, node: str | None, **spec: object) -> dict:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}
    if node:
        body["spec"]["nodeName"] = node
    return body


def ask(authz: NodeAuthorizer, verb: str, resource: str, name: str = "", ns: str = "",
        sub: str = "", group: str = "", user: UserInfo = NODE_A) -> tuple[Decision, str]:
    return authz.authorize(Attributes(user, verb, True, namespace=ns, api_group=group,
                                      resource=resource, subresource=sub, name=name))


@pytest.fixture
async def cluster(tmp_path: Path):
    async with running_cluster(tmp_path) as c:
        yield c


def test_pod_refs_cover_volumes_env_and_service_account() -> None:
    p = pod("p", "a", serviceAccountName="robot",
            imagePullSecrets=[{"name": "pull"}],
            volumes=[{"name": "s", "secret": {"secretName": "vol-secret"}},
                     {"name": "c", "configMap": {"name": "vol-cm"}},
                     {"name": "pvc", "persistentVolumeClaim": {"claimName": "data"}},
                     {"name": "t", "projected": {"sources": [
                         {"configMap": {"name": "kube-root-ca.crt"}},
                         {"serviceAccountToken": {"path": "token"}}]}}])
    p["metadata"]["namespace"] = "ns"
    p["spec"]["containers"][0]["env"] = [
        {"name": "X", "valueFrom": {"secretKeyRef": {"name": "env-secret", "key": "k"}}}]
    p["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "env-cm"}}]
    assert pod_refs(p) == {
        ("serviceaccounts", "ns", "robot"), ("secrets", "ns", "pull"),
        ("secrets", "ns", "vol-secret"), ("configmaps", "ns", "vol-cm"),
        ("persistentvolumeclaims", "ns", "data"), ("configmaps", "ns", "kube-root-ca.crt"),
        ("secrets", "ns", "env-secret"), ("configmaps", "ns", "env-cm")}


async def test_secrets_of_own_pods_only(cluster: Cluster) -> None:
    authz = NodeAuthorizer(cluster.cache)
    await cluster.create("pods", pod("mine", "a", volumes=[
        {"name": "s", "secret": {"secretName": "mine"}}]), "default")
    await cluster.create("pods", pod("theirs", "b", volumes=[
        {"name": "s", "secret": {"secretName": "theirs"}}]), "default")
    await cluster.create("pods", pod("pending", None, volumes=[
        {"name": "s", "secret": {"secretName": "pending"}}]), "default")
    assert ask(authz, "get", "secrets", "mine", "default")[0] is Decision.ALLOW
    decision, reason = ask(authz, "get", "secrets", "theirs", "default")
    assert decision is Decision.NO_OPINION
    assert reason == "no relationship found between node 'a' and this object"
    assert ask(authz, "get", "secrets", "pending", "default")[0] is Decision.NO_OPINION
    assert ask(authz, "list", "secrets", "", "default")[0] is Decision.NO_OPINION
    assert ask(authz, "update", "secrets", "mine", "default")[0] is Decision.NO_OPINION
    assert ask(authz, "get", "serviceaccounts", "default", "default")[0] is Decision.ALLOW
    assert ask(authz, "create", "serviceaccounts", "default", "default",
               sub="token")[0] is Decision.ALLOW


async def test_the_graph_follows_pod_changes(cluster: Cluster) -> None:
    authz = NodeAuthorizer(cluster.cache)
    assert ask(authz, "get", "configmaps", "settings", "default")[0] is Decision.NO_OPINION
    await cluster.create("pods", pod("p", "a", volumes=[
        {"name": "c", "configMap": {"name": "settings"}}]), "default")
    assert ask(authz, "get", "configmaps", "settings", "default")[0] is Decision.ALLOW
    await cluster.registry.delete(resolve("pods"), "default", "p",
                                  DeleteOptions(gracePeriodSeconds=0), WriteOptions())
    assert ask(authz, "get", "configmaps", "settings", "default")[0] is Decision.NO_OPINION


async def test_own_node_and_lease(cluster: Cluster) -> None:
    authz = NodeAuthorizer(cluster.cache)
    assert ask(authz, "get", "nodes", "a")[0] is Decision.ALLOW
    assert ask(authz, "patch", "nodes", "a", sub="status")[0] is Decision.ALLOW
    assert ask(authz, "create", "nodes")[0] is Decision.ALLOW
    assert ask(authz, "patch", "nodes", "b", sub="status")[0] is Decision.NO_OPINION
    assert ask(authz, "delete", "nodes", "a")[0] is Decision.NO_OPINION
    lease = {"ns": "kube-node-lease", "group": "coordination.k8s.io"}
    assert ask(authz, "update", "leases", "a", **lease)[0] is Decision.ALLOW
    assert ask(authz, "update", "leases", "b", **lease)[0] is Decision.NO_OPINION
    assert ask(authz, "get", "leases", "a", "kube-system",
               group="coordination.k8s.io")[0] is Decision.NO_OPINION


async def test_pods_events_and_everything_else(cluster: Cluster) -> None:
    authz = NodeAuthorizer(cluster.cache)
    assert ask(authz, "watch", "pods")[0] is Decision.ALLOW
    assert ask(authz, "create", "pods", ns="default")[0] is Decision.ALLOW
    assert ask(authz, "patch", "pods", "p", "default", sub="status")[0] is Decision.ALLOW
    assert ask(authz, "create", "events", ns="default")[0] is Decision.ALLOW
    assert ask(authz, "create", "deployments", ns="default",
               group="apps")[0] is Decision.NO_OPINION
    assert ask(authz, "create", "pods", "p", "default", sub="exec")[0] is Decision.NO_OPINION
    other = UserInfo("system:node:a", groups=("system:authenticated",))  # not in system:nodes
    assert ask(authz, "get", "nodes", "a", user=other)[0] is Decision.NO_OPINION
