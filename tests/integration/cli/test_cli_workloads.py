"""`tug scale` and `tug rollout status|history|undo|restart|pause|resume` on Deployments
whose ReplicaSets (the history) the test writes itself, standing in for the controller."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.integration.cli.conftest import Tug, create

MERGE = {"Content-Type": "application/merge-patch+json"}


def _template(image: str) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": image}]}}


@pytest.fixture
def deploy(api: httpx.Client, ns: str) -> dict[str, Any]:
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": _template("busybox:1.36")}}
    created = create(api, f"/apis/apps/v1/namespaces/{ns}/deployments", body)
    for revision, image in ((1, "busybox:1.35"), (2, "busybox:1.36")):
        template = copy.deepcopy(_template(image))
        template["metadata"]["labels"]["pod-template-hash"] = f"h{revision}"
        create(api, f"/apis/apps/v1/namespaces/{ns}/replicasets", {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"web-h{revision}", "labels": template["metadata"]["labels"],
                         "annotations": {"deployment.kubernetes.io/revision": str(revision),
                                         "kubernetes.io/change-cause": f"image {image}"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": "web", "uid": created["metadata"]["uid"],
                                              "controller": True}]},
            "spec": {"replicas": 0, "selector": {"matchLabels": template["metadata"]["labels"]},
                     "template": template}})
    return created


def _spec(api: httpx.Client, ns: str) -> dict[str, Any]:
    return api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web").json()["spec"]


def test_scale(tug: Tug, api: httpx.Client, ns: str, deploy: dict) -> None:
    assert tug.ok("scale", "deploy/web", "--replicas=5") == "deployment.apps/web scaled\n"
    assert _spec(api, ns)["replicas"] == 5
    r = tug("scale", "deploy", "web", "--current-replicas=2", "--replicas=1")
    assert r.code == 1 and r.err == "error: Expected replicas to be 2, was 5\n"
    assert tug.ok("scale", "deploy", "web", "--current-replicas=5", "--replicas=1") == \
        "deployment.apps/web scaled\n"
    assert _spec(api, ns)["replicas"] == 1
    r = tug("scale", "job", "web", "--replicas=1")
    assert r.code == 1 and 'no scaler has been implemented for {"batch" "Job"}' in r.err


def test_history_and_undo(tug: Tug, api: httpx.Client, ns: str, deploy: dict) -> None:
    assert tug.ok("rollout", "history", "deploy/web") == (
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         image busybox:1.35\n"
        "2         image busybox:1.36\n\n")
    detail = tug.ok("rollout", "history", "deploy/web", "--revision=1")
    assert detail.startswith("deployment.apps/web with revision #1\nPod Template:\n")
    assert "busybox:1.35" in detail
    assert tug.ok("rollout", "undo", "deploy/web") == "deployment.apps/web rolled back\n"
    spec = _spec(api, ns)
    assert spec["template"]["spec"]["containers"][0]["image"] == "busybox:1.35"
    assert "pod-template-hash" not in spec["template"]["metadata"]["labels"]
    assert tug.ok("rollout", "undo", "deploy/web", "--to-revision=1") == (
        "deployment.apps/web skipped rollback (current template already matches revision 1)\n")
    r = tug("rollout", "undo", "deploy/web", "--to-revision=7")
    assert r.code == 1 and r.err == "error: unable to find specified revision 7 in history\n"


def test_restart_pause_resume(tug: Tug, api: httpx.Client, ns: str, deploy: dict) -> None:
    assert tug.ok("rollout", "restart", "deploy/web") == "deployment.apps/web restarted\n"
    annotations = _spec(api, ns)["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    assert tug.ok("rollout", "pause", "deploy/web") == "deployment.apps/web paused\n"
    assert _spec(api, ns)["paused"] is True
    r = tug("rollout", "restart", "deploy/web")
    assert r.code == 1 and "paused" in r.err
    assert tug.ok("rollout", "resume", "deploy/web") == "deployment.apps/web resumed\n"


def test_status_waits_for_the_rollout(tug: Tug, api: httpx.Client, ns: str,
                                      deploy: dict) -> None:
    assert tug.ok("rollout", "status", "deploy/web", "--watch=false") == \
        "Waiting for deployment spec update to be observed...\n"
    status = f"/apis/apps/v1/namespaces/{ns}/deployments/web/status"
    api.patch(status, headers=MERGE, json={"status": {
        "observedGeneration": deploy["metadata"]["generation"], "replicas": 2,
        "updatedReplicas": 2, "availableReplicas": 1}})
    watcher = tug.popen("rollout", "status", "deploy/web", "--timeout=30s")
    watcher.wait_for('rollout to finish: 1 of 2 updated replicas are available')
    api.patch(status, headers=MERGE, json={"status": {"availableReplicas": 2}})
    watcher.wait_for('^deployment "web" successfully rolled out$')
    assert watcher.proc.wait(15) == 0
    r = tug("rollout", "status", "rc/web")
    assert r.code == 1
