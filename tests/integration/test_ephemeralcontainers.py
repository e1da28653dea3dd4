"""pods/{name}/ephemeralcontainers as `kubectl debug` uses it: GET the pod, a strategic
merge patch (or JSON patch, or PUT of the whole pod) that adds an ephemeral container —
and only that: other changes in the body are dropped, existing ephemeral containers may
not be changed or removed, the fields Kubernetes forbids are refused, and a plain pod
update may not touch the list."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.integration.kube import assert_status

Obj = dict[str, Any]
SMP = {"Content-Type": "application/strategic-merge-patch+json"}
JSONPATCH = {"Content-Type": "application/json-patch+json"}


def _pod(ns: str, client: httpx.Client) -> str:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.35"}]}}
    r = client.post(f"/api/v1/namespaces/{ns}/pods", json=body)
    assert r.status_code == 201, r.text
    return f"/api/v1/namespaces/{ns}/pods/app"


def _debugger(name: str = "debugger", **more: Any) -> Obj:
    return {"name": name, "image": "busybox:1.35", "stdin": True,
            "targetContainerName": "main", **more}


def _add(client: httpx.Client, pod: str, *containers: Obj, after: tuple[str, ...] = ()
         ) -> httpx.Response:
    """The patch kubectl debug computes: the new containers, and (when there were some
    already) the order of the whole list."""
    patch: Obj = {"spec": {"ephemeralContainers": list(containers)}}
    if after:
        patch["spec"]["$setElementOrder/ephemeralContainers"] = [
            {"name": n} for n in (*after, *(c["name"] for c in containers))]
    return client.patch(f"{pod}/ephemeralcontainers", content=json.dumps(patch), headers=SMP)


def test_get_returns_the_pod(client: httpx.Client, ns: str) -> None:
    pod = _pod(ns, client)
    r = client.get(f"{pod}/ephemeralcontainers")
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "Pod" and r.json()["metadata"]["name"] == "app"


def test_strategic_merge_patch_adds_a_container(client: httpx.Client, ns: str) -> None:
    pod = _pod(ns, client)
    r = _add(client, pod, _debugger())
    assert r.status_code == 200, r.text
    added = r.json()["spec"]["ephemeralContainers"]
    assert [c["name"] for c in added] == ["debugger"]
    assert added[0]["targetContainerName"] == "main"
    assert added[0]["imagePullPolicy"] == "IfNotPresent"  # defaulted as any container
    assert added[0]["terminationMessagePolicy"] == "File"
    r = _add(client, pod, _debugger("second"), after=("debugger",))  # merged by name
    assert r.status_code == 200, r.text
    assert [c["name"] for c in r.json()["spec"]["ephemeralContainers"]] == \
        ["debugger", "second"]
    assert client.get(pod).json()["spec"]["ephemeralContainers"][1]["name"] == "second"


def test_json_patch_and_put(client: httpx.Client, ns: str) -> None:
    pod = _pod(ns, client)
    ops = [{"op": "add", "path": "/spec/ephemeralContainers", "value": [_debugger()]}]
    r = client.patch(f"{pod}/ephemeralcontainers", content=json.dumps(ops), headers=JSONPATCH)
    assert r.status_code == 200, r.text
    whole = r.json()
    whole["spec"]["ephemeralContainers"].append(_debugger("viaput"))
    whole["metadata"]["labels"] = {"ignored": "yes"}  # only the list is taken
    whole["spec"]["containers"][0]["image"] = "busybox:1.36"
    r = client.put(f"{pod}/ephemeralcontainers", json=whole)
    assert r.status_code == 200, r.text
    stored = client.get(pod).json()
    assert [c["name"] for c in stored["spec"]["ephemeralContainers"]] == ["debugger", "viaput"]
    assert "labels" not in stored["metadata"]
    assert stored["spec"]["containers"][0]["image"] == "busybox:1.35"


def test_existing_ones_may_not_change_or_go(client: httpx.Client, ns: str) -> None:
    pod = _pod(ns, client)
    assert _add(client, pod, _debugger()).status_code == 200
    whole = client.get(pod).json()
    whole["spec"]["ephemeralContainers"][0]["image"] = "busybox:1.36"
    r = client.put(f"{pod}/ephemeralcontainers", json=whole)
    assert_status(r, 422, "Invalid")
    cause = r.json()["details"]["causes"][0]
    assert cause["field"] == "spec.ephemeralContainers"
    assert 'existing ephemeral containers "debugger" may not be changed' in cause["message"]
    whole = client.get(pod).json()
    whole["spec"]["ephemeralContainers"] = []
    r = client.put(f"{pod}/ephemeralcontainers", json=whole)
    assert_status(r, 422, "Invalid")
    assert "may not be removed" in r.text


def test_forbidden_fields_and_names(client: httpx.Client, ns: str) -> None:
    pod = _pod(ns, client)
    bad = _debugger(ports=[{"containerPort": 80}],
                    readinessProbe={"exec": {"command": ["true"]}},
                    resources={"limits": {"cpu": "1"}})
    r = _add(client, pod, bad)
    assert_status(r, 422, "Invalid")
    fields = {c["field"]: c for c in r.json()["details"]["causes"]}
    for f in ("ports", "readinessProbe", "resources"):
        cause = fields[f"spec.ephemeralContainers[0].{f}"]
        assert cause["reason"] == "FieldValueForbidden"
        assert "cannot be set for an Ephemeral Container" in cause["message"]
    r = _add(client, pod, _debugger("main"))
    assert_status(r, 422, "Invalid")
    assert r.json()["details"]["causes"][0] == {
        "reason": "FieldValueDuplicate", "message": 'Duplicate value: "main"',
        "field": "spec.ephemeralContainers[0].name"}
    r = _add(client, pod, _debugger(targetContainerName="nope"))
    assert_status(r, 422, "Invalid")
    assert r.json()["details"]["causes"][0]["field"] == \
        "spec.ephemeralContainers[0].targetContainerName"
    assert r.json()["details"]["causes"][0]["reason"] == "FieldValueNotFound"


def test_plain_update_may_not_touch_them(client: httpx.Client, ns: str) -> None:
    pod = _pod(ns, client)
    whole = client.get(pod).json()
    whole["spec"]["ephemeralContainers"] = [_debugger()]
    r = client.put(pod, json=whole)
    assert_status(r, 422, "Invalid")
    assert "pod updates may not change fields" in r.text
    r = client.patch(pod, content=json.dumps({"spec": {"ephemeralContainers": [_debugger()]}}),
                     headers=SMP)
    assert_status(r, 422, "Invalid")
    assert "ephemeralContainers" not in client.get(pod).json()["spec"]


def test_not_in_pod_templates(client: httpx.Client, ns: str) -> None:
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
          "spec": {"selector": {"a": "b"}, "template": {
              "metadata": {"labels": {"a": "b"}},
              "spec": {"containers": [{"name": "main", "image": "busybox:1.35"}],
                       "ephemeralContainers": [_debugger()]}}}}
    r = client.post(f"/api/v1/namespaces/{ns}/replicationcontrollers", json=rc)
    assert_status(r, 422, "Invalid")
    assert "ephemeral containers not allowed in pod template" in r.text


def test_discovery_lists_the_subresources(client: httpx.Client) -> None:
    found = {r["name"]: r for r in client.get("/api/v1").json()["resources"]}
    assert found["pods/ephemeralcontainers"]["verbs"] == ["get", "patch", "update"]
    assert found["pods/ephemeralcontainers"]["kind"] == "Pod"
    assert found["pods/attach"]["verbs"] == ["create", "get"]
    assert found["pods/attach"]["kind"] == "PodAttachOptions"
