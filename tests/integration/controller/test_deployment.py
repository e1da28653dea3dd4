"""Deployments against a real API server and controller manager, pods made ready by a
stand-in kubelet: rolling updates that never drop below replicas - maxUnavailable ready
pods nor exceed replicas + maxSurge, Recreate, revision history and rollback, paused
deployments and the Progressing / Available conditions."""

from __future__ import annotations

import threading
from typing import Any

from tests.integration.controller.cluster import FakeKubelet, pods
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

HASH = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"


def deployment(name: str, replicas: int, image: str, strategy: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "strategy": strategy or {"type": "RollingUpdate", "rollingUpdate": {
                         "maxUnavailable": 1, "maxSurge": 1}},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "app", "image": image, "command": ["sleep", "3600"]}]}}}}


def is_ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def rolled_out(kube: SyncApiClient, ns: str, name: str, replicas: int) -> bool:
    d = kube.get("deployments", name, ns)
    s = d.get("status") or {}
    return (s.get("observedGeneration") == d["metadata"]["generation"]
            and s.get("updatedReplicas") == replicas and s.get("replicas") == replicas
            and s.get("availableReplicas") == replicas)


def images(kube: SyncApiClient, ns: str, app: str) -> set[str]:
    return {p["spec"]["containers"][0]["image"] for p in pods(kube, ns, f"app={app}")}


def set_image(kube: SyncApiClient, ns: str, name: str, image: str) -> None:
    kube.patch("deployments", name, {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": image}]}}}}, ns, patch_type="strategic")


class Sampler:
    """Watches the pods from a thread: the fewest ready and most existing at any time,
    and every set of template hashes seen together."""

    def __init__(self, kube: SyncApiClient, ns: str, app: str):
        self.kube, self.ns, self.app = kube, ns, app
        self.min_ready, self.max_pods, self.hash_sets = 10**6, 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(0.03):
            live = pods(self.kube, self.ns, f"app={self.app}", include_terminating=True)
            self.max_pods = max(self.max_pods, len(live))
            self.min_ready = min(self.min_ready, sum(1 for p in live if is_ready(p)
                                                     and not p["metadata"].get(
                                                         "deletionTimestamp")))
            self.hash_sets.append({p["metadata"]["labels"].get(HASH) for p in live})


def test_rolling_update_respects_max_unavailable_and_surge(kube: SyncApiClient, ns: str
                                                           ) -> None:
    kube.create("deployments", deployment("web", 4, "busybox:1.35"), ns)
    with FakeKubelet(kube, ns, delay=0.3):
        wait_until(lambda: rolled_out(kube, ns, "web", 4), 30, "first rollout")
        with Sampler(kube, ns, "web") as sampler:
            set_image(kube, ns, "web", "busybox:1.36")
            wait_until(lambda: rolled_out(kube, ns, "web", 4)
                       and images(kube, ns, "web") == {"busybox:1.36"}, 60, "second rollout")
    assert sampler.min_ready >= 3, sampler.min_ready
    assert sampler.max_pods <= 5, sampler.max_pods
    rss = kube.list("replicasets", ns)["items"]
    revs = sorted((r["metadata"]["annotations"][REVISION], r["spec"]["replicas"]) for r in rss)
    assert revs == [("1", 0), ("2", 4)]
    d = kube.get("deployments", "web", ns)
    assert d["metadata"]["annotations"][REVISION] == "2"
    conds = {c["type"]: c for c in d["status"]["conditions"]}
    assert conds["Available"]["status"] == "True"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"


def test_rollback_makes_the_old_template_the_newest_revision(kube: SyncApiClient, ns: str
                                                             ) -> None:
    kube.create("deployments", deployment("rb", 2, "busybox:1.35"), ns)
    with FakeKubelet(kube, ns):
        wait_until(lambda: rolled_out(kube, ns, "rb", 2), 30, "revision 1")
        set_image(kube, ns, "rb", "busybox:1.36")
        wait_until(lambda: rolled_out(kube, ns, "rb", 2)
                   and images(kube, ns, "rb") == {"busybox:1.36"}, 30, "revision 2")
        # `kubectl rollout undo`: the deployment takes revision 1's template back.
        first = next(r for r in kube.list("replicasets", ns)["items"]
                     if r["metadata"]["annotations"][REVISION] == "1")
        template = first["spec"]["template"]
        del template["metadata"]["labels"][HASH]
        kube.patch("deployments", "rb", [{"op": "replace", "path": "/spec/template",
                                          "value": template}], ns, patch_type="json")
        wait_until(lambda: rolled_out(kube, ns, "rb", 2)
                   and images(kube, ns, "rb") == {"busybox:1.35"}, 30, "rollback")
    rs = kube.get("replicasets", first["metadata"]["name"], ns)
    assert rs["metadata"]["annotations"][REVISION] == "3"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert len(kube.list("replicasets", ns)["items"]) == 2


def test_recreate_never_runs_old_and_new_together(kube: SyncApiClient, ns: str) -> None:
    kube.create("deployments", deployment("rc", 3, "busybox:1.35", {"type": "Recreate"}), ns)
    with FakeKubelet(kube, ns, delay=0.2):
        wait_until(lambda: rolled_out(kube, ns, "rc", 3), 30, "first rollout")
        with Sampler(kube, ns, "rc") as sampler:
            set_image(kube, ns, "rc", "busybox:1.36")
            wait_until(lambda: rolled_out(kube, ns, "rc", 3)
                       and images(kube, ns, "rc") == {"busybox:1.36"}, 30, "recreate")
    assert all(len(hashes) <= 1 for hashes in sampler.hash_sets)
    assert any(not hashes for hashes in sampler.hash_sets)  # a moment with no pods at all


def test_paused_deployment_scales_but_does_not_roll(kube: SyncApiClient, ns: str) -> None:
    kube.create("deployments", deployment("ps", 2, "busybox:1.35"), ns)
    with FakeKubelet(kube, ns):
        wait_until(lambda: rolled_out(kube, ns, "ps", 2), 30, "first rollout")
        kube.patch("deployments", "ps", {"spec": {"paused": True}}, ns)
        set_image(kube, ns, "ps", "busybox:1.36")
        kube.patch_scale("deployments", "ps", 3, ns)

        def observed() -> bool:
            d = kube.get("deployments", "ps", ns)
            return d["status"].get("observedGeneration") == d["metadata"]["generation"]

        wait_until(lambda: observed() and len(pods(kube, ns, "app=ps")) == 3, 30, "scaled")
        assert len(kube.list("replicasets", ns)["items"]) == 1
        assert images(kube, ns, "ps") == {"busybox:1.35"}
        conds = {c["type"]: c for c in kube.get("deployments", "ps", ns)["status"]
                 ["conditions"]}
        assert conds["Progressing"]["reason"] == "DeploymentPaused"
        kube.patch("deployments", "ps", {"spec": {"paused": False}}, ns)
        wait_until(lambda: rolled_out(kube, ns, "ps", 3)
                   and images(kube, ns, "ps") == {"busybox:1.36"}, 30, "resumed rollout")


def test_progress_deadline_exceeded(kube: SyncApiClient, ns: str) -> None:
    body = deployment("slow", 1, "busybox:1.35", {"type": "RollingUpdate", "rollingUpdate": {
        "maxUnavailable": 0, "maxSurge": 1}})
    body["spec"]["progressDeadlineSeconds"] = 2
    kube.create("deployments", body, ns)  # no kubelet: its pod never becomes ready

    def reason() -> str | None:
        conds = kube.get("deployments", "slow", ns).get("status", {}).get("conditions") or []
        return next((c["reason"] for c in conds if c["type"] == "Progressing"), None)

    wait_until(lambda: reason() == "ProgressDeadlineExceeded", 15, "deadline exceeded")
    conds = {c["type"]: c for c in kube.get("deployments", "slow", ns)["status"]["conditions"]}
    assert conds["Available"]["status"] == "False"
