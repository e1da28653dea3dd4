"""StatefulSets with real kubectl 1.32 and 1.37 and the official Python client: `apply` of
a StatefulSet with a volume claim template, `get sts` with the server's columns, `scale
sts`, and `rollout status sts` reading the status fields the controller writes (set
here through /status, as the controller would, so no controller is needed)."""

from __future__ import annotations

from kubernetes import client

from tests.compat.conftest import Kubectl, Rest

STS = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
       "spec": {"serviceName": "nginx", "replicas": 3,
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {
                    "containers": [{"name": "nginx", "image": "nginx:1.25",
                                    "volumeMounts": [{"name": "www", "mountPath": "/www"}]}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}]}}


def write_status(rest: Rest, ns: str, **status: object) -> None:
    path = f"/apis/apps/v1/namespaces/{ns}/statefulsets/web"
    obj = rest.get(path)
    obj["status"] = {"observedGeneration": obj["metadata"]["generation"], **status}
    r = rest.http.put(path + "/status", json=obj)
    assert r.status_code == 200, r.text


def test_apply_get_scale_and_rollout_status(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    assert kubectl.ok("apply", "-f", kubectl.manifest("sts.yaml", STS)).strip() == \
        "statefulset.apps/web created"
    out = kubectl.ok("get", "sts").splitlines()
    assert out[0].split() == ["NAME", "READY", "AGE"]
    assert out[1].split()[:2] == ["web", "0/3"]

    write_status(rest, ns, replicas=3, readyReplicas=2, updatedReplicas=2,
                 currentRevision="web-1", updateRevision="web-1")
    r = kubectl("rollout", "status", "sts/web", "--watch=false")
    assert r.stdout.strip() == "Waiting for 1 pods to be ready..."
    write_status(rest, ns, replicas=3, readyReplicas=3, updatedReplicas=3,
                 currentReplicas=3, currentRevision="web-1", updateRevision="web-1")
    assert kubectl.ok("rollout", "status", "sts/web").strip() == \
        "partitioned roll out complete: 3 new pods have been updated..."

    assert kubectl.ok("scale", "sts", "web", "--replicas=5").strip() == \
        "statefulset.apps/web scaled"
    sts = rest.get(f"/apis/apps/v1/namespaces/{ns}/statefulsets/web")
    assert sts["spec"]["replicas"] == 5 and sts["metadata"]["generation"] == 2
    assert "Waiting for statefulset spec update to be observed" in \
        kubectl("rollout", "status", "sts/web", "--watch=false").stdout
    assert kubectl.ok("get", "all").count("statefulset.apps/web") == 1


def test_python_client_reads_typed(api_client: client.ApiClient, rest: Rest, ns: str) -> None:
    rest.create(f"/apis/apps/v1/namespaces/{ns}/statefulsets", STS)
    apps = client.AppsV1Api(api_client)
    sts = apps.read_namespaced_stateful_set("web", ns)
    assert sts.spec.pod_management_policy == "OrderedReady"
    assert sts.spec.update_strategy.rolling_update.partition == 0
    assert sts.spec.volume_claim_templates[0].spec.resources.requests == {"storage": "1Gi"}
    scale = apps.patch_namespaced_stateful_set_scale("web", ns, {"spec": {"replicas": 1}})
    assert scale.spec.replicas == 1
