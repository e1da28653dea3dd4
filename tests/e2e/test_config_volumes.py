"""Volumes the kubelet writes and sizes, in real containers: configMap and secret files
with items, modes and binaryData (a secret on a tmpfs); a ConfigMap update reaching the
mounted file within a sync through the `..data` swap while a subPath mount keeps its
version; a missing ConfigMap holding the pod in ContainerCreating with FailedMount until it
exists, and an optional one that does not; downwardAPI labels; a projected volume; an
emptyDir with `medium: Memory` on a sized tmpfs; subPathExpr from the pod name; and a pod
evicted when its emptyDir outgrows its sizeLimit."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.cluster import (
    IMAGE,
    Api,
    docker,
    eventually,
    node_containers,
    waiting_reason,
)

Obj = dict[str, Any]


@pytest.fixture(autouse=True)
def _pods_removed(api: Api, ns: str) -> Iterator[None]:
    """Each test's pods are deleted, so the kubelet unmounts their tmpfs volumes (a pod
    left running when the kubelet stops keeps its mounts on the host)."""
    yield
    pods = api.http.get(f"/api/v1/namespaces/{ns}/pods").json()["items"]
    for pod in pods:
        api.delete(ns, pod["metadata"]["name"], grace=1)
    for pod in pods:
        api.wait_gone(ns, pod["metadata"]["name"], timeout=30)


def create(api: Api, ns: str, resource: str, body: Obj) -> None:
    r = api.http.post(f"/api/v1/namespaces/{ns}/{resource}", json=body)
    assert r.status_code == 201, r.text


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def volume_pod(name: str, node: str, volumes: list[Obj], mounts: list[Obj],
               **container: Any) -> Obj:
    c = {"name": "main", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
         "command": ["sh", "-c", "sleep 3600"], "volumeMounts": mounts, **container}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 1,
                     "volumes": volumes, "containers": [c]}}


def run(api: Api, node: str, ns: str, pod: Obj) -> None:
    name = pod["metadata"]["name"]
    api.create(ns, pod)
    try:
        api.wait_phase(ns, name, "Running", timeout=60)
    except AssertionError as e:
        events = [(ev["reason"], ev["message"]) for ev in api.events(ns, name)]
        raise AssertionError(f"{e}; events: {events}") from None


def sh(node: str, ns: str, pod: str, script: str) -> str:
    """Run `script` in the pod's main container (docker exec: the runtime's own view)."""
    (cid,) = node_containers(node, f"label=io.tugboat.pod.namespace={ns}",
                             f"label=io.tugboat.pod.name={pod}",
                             "label=io.tugboat.container.name=main", all_states=False)
    return subprocess.run(["docker", "exec", cid, "sh", "-c", script], capture_output=True,
                          text=True, timeout=20).stdout


def test_config_map_and_secret_files_with_items_and_modes(api: Api, node: str, ns: str
                                                          ) -> None:
    create(api, ns, "configmaps", {"metadata": {"name": "app"},
                                   "data": {"app.conf": "port=80\n", "unused": "x"},
                                   "binaryData": {"logo": b64(b"\x89PNG")}})
    create(api, ns, "secrets", {"metadata": {"name": "creds"},
                                "data": {"user": b64("admin"), "pass": b64("s3cret")}})
    run(api, node, ns, volume_pod("files", node, [
        {"name": "cfg", "configMap": {"name": "app", "items": [
            {"key": "app.conf", "path": "conf/app.conf", "mode": 0o400},
            {"key": "logo", "path": "logo.png"}]}},
        {"name": "sec", "secret": {"secretName": "creds", "defaultMode": 0o440}}],
        [{"name": "cfg", "mountPath": "/etc/app"}, {"name": "sec", "mountPath": "/etc/creds"}]))
    out = sh(node, ns, "files", "cat /etc/app/conf/app.conf; stat -L -c %a "
             "/etc/app/conf/app.conf /etc/app/logo.png /etc/creds/user; "
             "od -An -tx1 /etc/app/logo.png; ls /etc/app; ls -A /etc/creds | grep -c '^\\.\\.';"
             "cat /etc/creds/user /etc/creds/pass; echo; grep ' /etc/creds ' /proc/mounts;"
             "touch /etc/app/x 2>/dev/null || echo read-only")
    lines = out.splitlines()
    assert lines[:4] == ["port=80", "400", "644", "440"], out
    assert lines[4].split() == ["89", "50", "4e", "47"], out
    assert lines[5:7] == ["conf", "logo.png"], out  # `unused` is not an item
    assert lines[7] == "2", out  # ..data and one ..YYYY_MM_DD version directory
    assert lines[8] == "admins3cret", out
    assert lines[9].split()[2] == "tmpfs", out
    assert lines[10] == "read-only", out


def test_an_update_reaches_the_file_within_a_sync_but_not_a_sub_path(api: Api, node: str,
                                                                      ns: str) -> None:
    create(api, ns, "configmaps", {"metadata": {"name": "greeting"},
                                   "data": {"text": "hello"}})
    run(api, node, ns, volume_pod("reader", node, [
        {"name": "cfg", "configMap": {"name": "greeting"}}],
        [{"name": "cfg", "mountPath": "/cfg"},
         {"name": "cfg", "mountPath": "/pinned/text", "subPath": "text"}]))
    assert sh(node, ns, "reader", "cat /cfg/text /pinned/text") == "hellohello"
    r = api.http.patch(f"/api/v1/namespaces/{ns}/configmaps/greeting",
                       json={"data": {"text": "bonjour"}},
                       headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    # --sync-frequency 5s: the next periodic sync re-reads the ConfigMap
    eventually(lambda: sh(node, ns, "reader", "cat /cfg/text") == "bonjour", 20,
               "the update in the mounted file")
    assert sh(node, ns, "reader", "cat /pinned/text") == "hello"


def test_a_missing_config_map_holds_the_pod_until_it_exists(api: Api, node: str, ns: str
                                                            ) -> None:
    api.create(ns, volume_pod("waits", node, [
        {"name": "cfg", "configMap": {"name": "later"}},
        {"name": "maybe", "configMap": {"name": "never", "optional": True}}],
        [{"name": "cfg", "mountPath": "/cfg"}, {"name": "maybe", "mountPath": "/maybe"}]))
    message = 'MountVolume.SetUp failed for volume "cfg" : configmap "later" not found'
    eventually(lambda: any(e["reason"] == "FailedMount" and e["message"] == message
                           for e in api.events(ns, "waits")), 30, "the FailedMount event")
    pod = api.pod(ns, "waits")
    assert pod is not None and pod["status"]["phase"] == "Pending"
    assert waiting_reason(pod) == "ContainerCreating"
    create(api, ns, "configmaps", {"metadata": {"name": "later"}, "data": {"k": "v"}})
    api.wait_phase(ns, "waits", "Running", timeout=30)
    assert sh(node, ns, "waits", "cat /cfg/k; ls /maybe | wc -l") == "v0\n"


def test_downward_api_and_projected_volumes(api: Api, node: str, ns: str) -> None:
    create(api, ns, "configmaps", {"metadata": {"name": "cm"}, "data": {"color": "blue"}})
    create(api, ns, "secrets", {"metadata": {"name": "sec"}, "data": {"token": b64("t0k")}})
    pod = volume_pod("info", node, [
        {"name": "podinfo", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
            {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
            {"path": "mem", "resourceFieldRef": {"containerName": "main",
                                                 "resource": "limits.memory",
                                                 "divisor": "1Mi"}}]}},
        {"name": "all", "projected": {"sources": [
            {"configMap": {"name": "cm"}},
            {"secret": {"name": "sec", "items": [{"key": "token", "path": "auth/token"}]}},
            {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {
                "fieldPath": "metadata.namespace"}}]}}]}}],
        [{"name": "podinfo", "mountPath": "/podinfo"}, {"name": "all", "mountPath": "/all"}],
        resources={"limits": {"memory": "64Mi"}})
    pod["metadata"]["labels"] = {"app": "web", "tier": "front"}
    run(api, node, ns, pod)
    out = sh(node, ns, "info", "cat /podinfo/labels; echo; cat /podinfo/name; echo; "
             "cat /podinfo/mem; echo; cat /all/color /all/auth/token /all/ns")
    assert out == f'app="web"\ntier="front"\ninfo\n64\nbluet0k{ns}', out


def test_memory_emptydir_is_a_sized_tmpfs_and_sub_path_expr(api: Api, node: str, ns: str
                                                            ) -> None:
    run(api, node, ns, volume_pod("mem", node, [
        {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
        {"name": "logs", "emptyDir": {}}],
        [{"name": "cache", "mountPath": "/cache"},
         {"name": "logs", "mountPath": "/mine", "subPathExpr": "$(POD_NAME)"},
         {"name": "logs", "mountPath": "/all-logs"}],
        env=[{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]))
    out = sh(node, ns, "mem", "grep ' /cache ' /proc/mounts; echo hi > /mine/f; "
             "cat /all-logs/mem/f")
    mount, seen = out.splitlines()
    assert mount.split()[2] == "tmpfs" and "size=16384k" in mount, out
    assert seen == "hi"


def test_an_emptydir_over_its_size_limit_evicts_the_pod(api: Api, node: str, ns: str
                                                        ) -> None:
    api.create(ns, volume_pod("hog", node, [{"name": "scratch",
                                             "emptyDir": {"sizeLimit": "1Mi"}}],
                              [{"name": "scratch", "mountPath": "/scratch"}],
                              command=["sh", "-c", "dd if=/dev/zero of=/scratch/big bs=1M "
                                                   "count=3 2>/dev/null; sleep 3600"]))
    pod = api.wait_phase(ns, "hog", "Failed", timeout=60)
    message = 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". '
    assert (pod["status"]["reason"], pod["status"]["message"]) == ("Evicted", message)
    assert any(e["reason"] == "Evicted" for e in api.events(ns, "hog"))
    eventually(lambda: not node_containers(node, f"label=io.tugboat.pod.namespace={ns}",
                                           "label=io.tugboat.container.name=main",
                                           all_states=False), 30, "the container stopped")
    assert docker("ps", "-q", "--filter", f"label=io.tugboat.pod.namespace={ns}",
                  "--filter", "label=io.tugboat.container.name=main") == ""
