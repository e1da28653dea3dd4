"""Static pod manifests: naming, namespace, uid from content, defaults, bad files skipped;
and the mirror pod made from one."""

from __future__ import annotations

from pathlib import Path

from tugboat.kubelet.mirrorpods import is_current, mirror_body
from tugboat.kubelet.podmanager import MIRROR_ANNOTATION
from tugboat.kubelet.staticpods import read_manifests

MANIFEST = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox:1.35}]
"""


def test_read_manifests(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(MANIFEST)
    (tmp_path / "broken.yaml").write_text("kind: Pod\nmetadata: {}\n")
    (tmp_path / "notes.txt").write_text("ignored")
    [pod] = read_manifests(tmp_path, "node-a")
    assert (pod.metadata.name, pod.metadata.namespace) == ("web-node-a", "default")
    assert pod.spec.nodeName == "node-a"
    assert pod.spec.containers[0].imagePullPolicy == "IfNotPresent"
    assert pod.metadata.annotations["kubernetes.io/config.source"] == "file"
    assert len(pod.metadata.uid or "") == 32
    again = read_manifests(tmp_path, "node-a")[0]
    other_node = read_manifests(tmp_path, "node-b")[0]
    assert again.metadata.uid == pod.metadata.uid != other_node.metadata.uid
    (tmp_path / "web.yaml").write_text(MANIFEST.replace("1.35", "1.36"))
    assert read_manifests(tmp_path, "node-a")[0].metadata.uid != pod.metadata.uid


def test_mirror_pods(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(MANIFEST)
    [pod] = read_manifests(tmp_path, "node-a")
    body = mirror_body(pod, "node-uid-1")
    assert body["metadata"]["ownerReferences"] == [{
        "apiVersion": "v1", "kind": "Node", "name": "node-a", "uid": "node-uid-1",
        "controller": True}]
    assert body["metadata"]["annotations"][MIRROR_ANNOTATION] == pod.metadata.uid
    assert "uid" not in body["metadata"] and "status" not in body
    mirror = pod.model_copy(deep=True)
    mirror.metadata.annotations = {MIRROR_ANNOTATION: pod.metadata.uid or ""}
    assert is_current(mirror, pod)
    mirror.metadata.deletionTimestamp = "2030-01-01T00:00:00Z"
    assert not is_current(mirror, pod) and not is_current(mirror, None)
