"""NodeRestriction: a kubelet writes only its own node's objects, refused with
Kubernetes' messages; anyone who is not a node passes untouched."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.resources import lookup
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.admission.noderestriction import NodeRestriction
from tugboat.apiserver.auth.user import PRIVILEGED, UserInfo
from tugboat.apiserver.errors import ApiError

PODS = lookup("", "v1", "pods")
NODES = lookup("", "v1", "nodes")
LEASES = lookup("coordination.k8s.io", "v1", "leases")
SERVICE_ACCOUNTS = lookup("", "v1", "serviceaccounts")
KUBELET = UserInfo("system:node:n1", groups=("system:nodes", "system:authenticated"))
C = Operation.CREATE
U = Operation.UPDATE
D = Operation.DELETE


def pod(name: str, node: str, uid: str = "") -> dict:
    return {"metadata": {"name": name, "namespace": "default", "uid": uid or f"uid-{name}"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i"}]}}


CACHE = {PODS.key("default", "mine"): pod("mine", "n1"),
         PODS.key("default", "theirs"): pod("theirs", "n2"),
         NODES.key(None, "n1"): {"metadata": {"name": "n1", "uid": "node-uid"}}}


def check(info: Any, op: Operation, name: str, obj: dict | None = None,
          old: dict | None = None, sub: str | None = None, ns: str | None = "default",
          user: UserInfo = KUBELET) -> None:
    NodeRestriction(CACHE).validate(AdmissionRequest(info, op, ns, name, sub, obj, old,
                                                     user=user))


def refused(*args: Any, **kwargs: Any) -> str:
    with pytest.raises(ApiError) as e:
        check(*args, **kwargs)
    assert (e.value.code, e.value.reason) == (403, "Forbidden")
    return e.value.message


def mirror(**spec: Any) -> dict:
    p = pod("static-n1", "n1")
    p["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "hash"}
    p["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": "n1",
                                         "uid": "node-uid", "controller": True}]
    p["spec"].update(spec)
    return p


def test_non_nodes_pass() -> None:
    check(PODS, U, "theirs", pod("theirs", "n2"), pod("theirs", "n2"), user=PRIVILEGED)


def test_mirror_pod_bound_to_itself_is_allowed() -> None:
    check(PODS, C, "static-n1", mirror())


def test_mirror_pod_rules() -> None:
    plain = pod("p", "n1")
    assert refused(PODS, C, "p", plain) == (
        'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, '
        'node "n1" can only create mirror pods')
    assert refused(PODS, C, "static-n1", mirror(nodeName="n2")) == (
        'pods "static-n1" is forbidden: node "n1" can only create pods with spec.nodeName '
        'set to itself')
    orphan = mirror()
    orphan["metadata"]["ownerReferences"] = []
    assert refused(PODS, C, "static-n1", orphan).endswith(
        'node "n1" can only create pods with an owner reference set to itself')
    assert refused(PODS, C, "static-n1", mirror(volumes=[
        {"name": "s", "secret": {"secretName": "x"}}])).endswith(
        'node "n1" can not create pods that reference secrets')
    env = [{"name": "c", "image": "i", "env": [
        {"name": "E", "valueFrom": {"configMapKeyRef": {"name": "m", "key": "k"}}}]}]
    assert refused(PODS, C, "static-n1", mirror(containers=env)).endswith(
        "can not create pods that reference configmaps")
    assert refused(PODS, C, "static-n1", mirror(volumes=[
        {"name": "v", "persistentVolumeClaim": {"claimName": "c"}}])).endswith(
        "can not create pods that reference persistentvolumeclaims")
    assert refused(PODS, C, "static-n1", mirror(serviceAccountName="default")).endswith(
        "can not create pods that reference a service account")
    token = [{"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]
    assert refused(PODS, C, "static-n1", mirror(volumes=token)).endswith(
        "can not create pods that reference a service account")


def test_pod_status_only_for_own_pods() -> None:
    check(PODS, U, "mine", pod("mine", "n1"), pod("mine", "n1"), sub="status")
    assert refused(PODS, U, "theirs", pod("theirs", "n2"), pod("theirs", "n2"),
                   sub="status") == (
        'pods "theirs" is forbidden: node "n1" can only update pod status for pods with '
        'spec.nodeName set to itself')
    relabelled = pod("mine", "n1")
    relabelled["metadata"]["labels"] = {"a": "b"}
    assert refused(PODS, U, "mine", relabelled, pod("mine", "n1"), sub="status").endswith(
        'node "n1" cannot update labels through pod status')


def test_pod_update_delete_and_eviction() -> None:
    assert refused(PODS, U, "mine", pod("mine", "n1"), pod("mine", "n1")).endswith(
        'unexpected operation "UPDATE", node "n1" can only create and delete mirror pods')
    check(PODS, D, "mine", old=pod("mine", "n1"))
    assert refused(PODS, D, "theirs", old=pod("theirs", "n2")).endswith(
        'node "n1" can only delete pods with spec.nodeName set to itself')
    check(PODS, C, "mine", {"metadata": {"name": "mine"}}, sub="eviction")
    assert refused(PODS, C, "theirs", {"metadata": {"name": "theirs"}},
                   sub="eviction").endswith(
        "node n1 can only evict pods with spec.nodeName set to itself")


def test_own_node_only_and_no_taint_or_restricted_label_changes() -> None:
    node = {"metadata": {"name": "n1", "labels": {"kubernetes.io/hostname": "n1"}},
            "spec": {}}
    check(NODES, C, "n1", node)
    check(NODES, U, "n1", node, node, sub="status")
    assert refused(NODES, U, "n2", node, node, sub="status") == (
        'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"')
    tainted = {"metadata": node["metadata"],
               "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]}}
    assert refused(NODES, U, "n1", node, tainted).endswith(
        'node "n1" is not allowed to modify taints')
    labelled = {"metadata": {"name": "n1", "labels": {
        "node-restriction.kubernetes.io/pci": "true", "node-role.kubernetes.io/master": "",
        "node.kubernetes.io/instance-type": "big", "team": "a"}}, "spec": {}}
    assert refused(NODES, U, "n1", labelled, node) == (
        'nodes "n1" is forbidden: is not allowed to modify labels: '
        'node-restriction.kubernetes.io/pci, node-role.kubernetes.io/master')
    assert refused(NODES, C, "n1", labelled).endswith(
        'node "n1" is not allowed to set the following labels: '
        'node-restriction.kubernetes.io/pci, node-role.kubernetes.io/master')


def test_own_lease_only() -> None:
    lease = {"metadata": {"name": "n1", "namespace": "kube-node-lease"}}
    check(LEASES, C, "n1", lease, ns="kube-node-lease")
    check(LEASES, U, "n1", lease, lease, ns="kube-node-lease")
    assert refused(LEASES, U, "n2", lease, lease, ns="kube-node-lease") == (
        'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the '
        'same name as the requesting node')
    assert refused(LEASES, U, "n1", lease, lease, ns="default").endswith(
        'can only access leases in the "kube-node-lease" system namespace')


def test_tokens_only_for_own_pods() -> None:
    def request(name: str, uid: str) -> dict:
        return {"spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": name,
                                            "uid": uid}}}
    check(SERVICE_ACCOUNTS, C, "default", request("mine", "uid-mine"), sub="token")
    assert refused(SERVICE_ACCOUNTS, C, "default", request("theirs", "uid-theirs"),
                   sub="token") == (
        'serviceaccounts "default" is forbidden: node requested token bound to a pod '
        'scheduled on a different node')
    assert refused(SERVICE_ACCOUNTS, C, "default", {"spec": {}}, sub="token").endswith(
        "node requested token not bound to a pod")
    assert "does not match the UID in record" in refused(
        SERVICE_ACCOUNTS, C, "default", request("mine", "old-uid"), sub="token")
