"""`kubectl autoscale` and `kubectl get hpa` with real kubectl: 1.32 creates an
autoscaling/v1 HorizontalPodAutoscaler (a protobuf body), 1.37 an autoscaling/v2 one; either
way the object is stored once and reads the same through both versions."""

from __future__ import annotations

from tests.compat.conftest import Kubectl, Rest, pod_template

V1 = "/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers/web"
V2 = "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/web"


def deployment() -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": pod_template({"app": "web"})}}


def test_autoscale_deployment(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment())
    out = kubectl.ok("autoscale", "deployment", "web", "--min=2", "--max=5",
                     "--cpu-percent=80")
    assert out.strip() == "horizontalpodautoscaler.autoscaling/web autoscaled"

    v2 = rest.get(V2.format(ns=ns))
    assert v2["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                            "name": "web"}
    assert (v2["spec"]["minReplicas"], v2["spec"]["maxReplicas"]) == (2, 5)
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    v1 = rest.get(V1.format(ns=ns))
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 80
    assert v1["metadata"]["uid"] == v2["metadata"]["uid"]

    lines = kubectl.ok("get", "hpa").splitlines()
    assert lines[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS",
                                "REPLICAS", "AGE"]
    assert lines[1].split()[:7] == ["web", "Deployment/web", "cpu:", "<unknown>/80%", "2",
                                    "5", "0"]


def test_get_hpa_through_v1_explicitly(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    rest.create(f"/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers", {
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "name": "web"},
                 "maxReplicas": 3, "targetCPUUtilizationPercentage": 50}})
    out = kubectl.ok("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o",
                     "jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}")
    assert out == "autoscaling/v1 50"
    out = kubectl.ok("get", "hpa", "web", "-o",
                     "jsonpath={.apiVersion} {.spec.metrics[0].resource.target.averageUtilization}")
    assert out == "autoscaling/v2 50"
    kubectl.ok("delete", "horizontalpodautoscalers.v1.autoscaling", "web")
    assert rest.status_of(V2.format(ns=ns)) == 404
