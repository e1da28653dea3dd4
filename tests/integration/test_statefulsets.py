"""apps/v1 StatefulSets as a client sees them: Kubernetes' defaults, 422s naming the
field, the scale and status subresources, the spec fields an update may not change, and
kubectl's Table (NAME READY AGE)."""

from __future__ import annotations

import httpx

STS = "/apis/apps/v1/namespaces/{ns}/statefulsets"
TABLE = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}
MERGE = {"Content-Type": "application/merge-patch+json"}


def sts(name: str = "web", **spec: object) -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": "nginx", "replicas": 3,
                     "selector": {"matchLabels": {"app": "nginx"}},
                     "template": {"metadata": {"labels": {"app": "nginx"}},
                                  "spec": {"containers": [{
                                      "name": "nginx", "image": "nginx",
                                      "volumeMounts": [{"name": "www",
                                                        "mountPath": "/usr/share/nginx"}]}]}},
                     "volumeClaimTemplates": [{
                         "metadata": {"name": "www"},
                         "spec": {"accessModes": ["ReadWriteOnce"],
                                  "resources": {"requests": {"storage": "1Gi"}}}}],
                     **spec}}


def causes(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 422, r.text
    return {c["field"]: c["message"] for c in r.json()["details"]["causes"]}


def test_create_fills_kubernetes_defaults(client: httpx.Client, ns: str) -> None:
    r = client.post(STS.format(ns=ns), json=sts())
    assert r.status_code == 201, r.text
    spec = r.json()["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate",
                                      "rollingUpdate": {"partition": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                            "whenScaled": "Retain"}
    assert spec["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"
    assert r.json()["metadata"]["generation"] == 1
    assert r.json()["status"]["replicas"] == 0


def test_invalid_fields_are_named(client: httpx.Client, ns: str) -> None:
    bad = sts(podManagementPolicy="Sometimes", serviceName="Not_A_Name",
              updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 1}},
              persistentVolumeClaimRetentionPolicy={"whenDeleted": "Keep"})
    bad["spec"]["volumeClaimTemplates"][0]["spec"] = {}
    bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    got = causes(client.post(STS.format(ns=ns), json=bad))
    assert "must be 'OrderedReady' or 'Parallel'" in got["spec.podManagementPolicy"]
    assert "spec.serviceName" in got
    assert "only allowed for updateStrategy 'RollingUpdate'" in \
        got["spec.updateStrategy.rollingUpdate"]
    assert got["spec.persistentVolumeClaimRetentionPolicy.whenDeleted"].startswith(
        'Unsupported value: "Keep"')
    assert got["spec.volumeClaimTemplates[0].spec.accessModes"] == \
        "Required value: at least 1 access mode is required"
    assert "spec.volumeClaimTemplates[0].spec.resources[storage]" in got
    assert "`selector` does not match template `labels`" in \
        got["spec.template.metadata.labels"]


def test_a_mount_of_no_volume_or_claim_is_invalid(client: httpx.Client, ns: str) -> None:
    bad = sts()
    bad["spec"]["volumeClaimTemplates"] = []
    got = causes(client.post(STS.format(ns=ns), json=bad))
    assert any(f.startswith("spec.template.spec.containers[0].volumeMounts") for f in got)


def test_update_of_a_frozen_field_is_forbidden(client: httpx.Client, ns: str) -> None:
    assert client.post(STS.format(ns=ns), json=sts()).status_code == 201
    url = STS.format(ns=ns) + "/web"
    got = causes(client.patch(url, json={"spec": {"serviceName": "other"}}, headers=MERGE))
    assert got["spec"].startswith("Forbidden: updates to statefulset spec for fields other "
                                  "than 'replicas', 'ordinals', 'template'")
    r = client.patch(url, json={"spec": {"replicas": 5, "updateStrategy": {
        "rollingUpdate": {"partition": 2}}}}, headers=MERGE)
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["generation"] == 2


def test_scale_subresource(client: httpx.Client, ns: str) -> None:
    assert client.post(STS.format(ns=ns), json=sts()).status_code == 201
    url = STS.format(ns=ns) + "/web/scale"
    scale = client.get(url).json()
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 3
    assert scale["status"]["selector"] == "app=nginx"
    scale["spec"]["replicas"] = 1
    assert client.put(url, json=scale).status_code == 200
    assert client.get(STS.format(ns=ns) + "/web").json()["spec"]["replicas"] == 1


def test_status_is_written_only_through_status(client: httpx.Client, ns: str) -> None:
    made = client.post(STS.format(ns=ns), json=sts()).json()
    made["status"] = {"replicas": 3, "readyReplicas": 3}
    r = client.put(STS.format(ns=ns) + "/web", json=made)
    assert r.status_code == 200 and r.json()["status"]["replicas"] == 0
    made = r.json()
    made["status"] = {"replicas": 3, "readyReplicas": 2}
    r = client.put(STS.format(ns=ns) + "/web/status", json=made)
    assert r.status_code == 200, r.text
    assert r.json()["status"]["readyReplicas"] == 2


def test_table_and_discovery(client: httpx.Client, ns: str) -> None:
    assert client.post(STS.format(ns=ns), json=sts()).status_code == 201
    table = client.get(STS.format(ns=ns), headers=TABLE).json()
    assert [c["name"] for c in table["columnDefinitions"]] == \
        ["Name", "Ready", "Age", "Containers", "Images"]
    assert table["rows"][0]["cells"][:2] == ["web", "0/3"]
    apps = client.get("/apis/apps/v1").json()["resources"]
    entry = next(r for r in apps if r["name"] == "statefulsets")
    assert entry["shortNames"] == ["sts"] and entry["categories"] == ["all"]
    assert {r["name"] for r in apps} >= {"statefulsets/status", "statefulsets/scale"}
