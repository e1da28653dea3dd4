"""List filtering: labelSelector with every operator, fieldSelector on the indexed fields,
and a 400 for what the kind does not support."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.kube import assert_status, bind, pod

LABELS = {
    "a": {"app": "web", "tier": "front"},
    "b": {"app": "web", "tier": "back"},
    "c": {"app": "db"},
    "d": {},
}


@pytest.fixture
def pods(client: httpx.Client, ns: str) -> str:
    coll = f"/api/v1/namespaces/{ns}/pods"
    for name, labels in LABELS.items():
        assert client.post(coll, json=pod(name, labels=labels)).status_code == 201
    return coll


def listed(client: httpx.Client, coll: str, **params: str) -> list[str]:
    r = client.get(coll, params=params)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["items"], list)
    return sorted(i["metadata"]["name"] for i in r.json()["items"])


@pytest.mark.parametrize("selector,expected", [
    ("app=web", ["a", "b"]),
    ("app==web", ["a", "b"]),
    ("app!=web", ["c", "d"]),
    ("app=web,tier=back", ["b"]),
    ("tier in (front,back)", ["a", "b"]),
    ("app in (db)", ["c"]),
    ("tier notin (front)", ["b", "c", "d"]),
    ("tier", ["a", "b"]),
    ("!tier", ["c", "d"]),
    ("app,!tier", ["c"]),
    ("app=nothing", []),
    ("", ["a", "b", "c", "d"]),
])
def test_label_selector(client: httpx.Client, pods: str, selector: str,
                        expected: list[str]) -> None:
    assert listed(client, pods, labelSelector=selector) == expected


@pytest.mark.parametrize("bad", ["app in (web", "app=(x", "=web", "app in web", "a b c"])
def test_bad_label_selector(client: httpx.Client, pods: str, bad: str) -> None:
    assert_status(client.get(pods, params={"labelSelector": bad}), 400, "BadRequest")


def test_field_selectors(client: httpx.Client, ns: str, pods: str) -> None:
    assert listed(client, pods, fieldSelector="metadata.name=b") == ["b"]
    assert listed(client, pods, fieldSelector="metadata.name!=b") == ["a", "c", "d"]
    assert listed(client, pods, fieldSelector=f"metadata.namespace={ns}") == ["a", "b", "c",
                                                                             "d"]
    assert bind(client, ns, "a", "node-1").status_code == 201
    assert bind(client, ns, "b", "node-2").status_code == 201
    assert listed(client, pods, fieldSelector="spec.nodeName=node-1") == ["a"]
    assert listed(client, pods, fieldSelector="spec.nodeName=") == ["c", "d"]
    cur = client.get(f"{pods}/b").json()
    cur["status"]["phase"] = "Running"
    assert client.put(f"{pods}/b/status", json=cur).status_code == 200
    assert listed(client, pods, fieldSelector="status.phase=Running") == ["b"]
    assert listed(client, pods, fieldSelector="status.phase=Pending") == ["a", "c", "d"]
    assert listed(client, pods, fieldSelector="status.phase!=Running,spec.nodeName!=") == ["a"]
    assert listed(client, pods, fieldSelector="spec.restartPolicy=Always") == ["a", "b", "c",
                                                                              "d"]
    # both selectors together
    assert listed(client, pods, labelSelector="app=web",
                  fieldSelector="status.phase=Pending") == ["a"]
    # across namespaces, as the kubelet asks
    r = client.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName=node-2"})
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in r.json()["items"]] == [
        (ns, "b")]


@pytest.mark.parametrize("field", ["spec.containers=x", "metadata.labels=x",
                                   "spec.activeDeadlineSeconds=5", "nonsense=1"])
def test_unsupported_field_selector(client: httpx.Client, pods: str, field: str) -> None:
    st = assert_status(client.get(pods, params={"fieldSelector": field}), 400, "BadRequest")
    assert field.split("=")[0] in st["message"]
    # and on a watch
    assert_status(client.get(pods, params={"fieldSelector": field, "watch": "true"}), 400)


def test_field_selector_on_other_kinds(client: httpx.Client, ns: str) -> None:
    cms = f"/api/v1/namespaces/{ns}/configmaps"
    assert client.post(cms, json={"metadata": {"name": "one"}}).status_code == 201
    assert listed(client, cms, fieldSelector="metadata.name=one") == ["one"]
    assert_status(client.get(cms, params={"fieldSelector": "spec.nodeName=x"}), 400)


def test_event_involved_object_field_selectors(client: httpx.Client, ns: str) -> None:
    """What `kubectl describe` asks for (COMPAT §11)."""
    evs = f"/api/v1/namespaces/{ns}/events"
    for name, obj in (("e1", "web"), ("e2", "db")):
        r = client.post(evs, json={
            "metadata": {"name": name},
            "involvedObject": {"kind": "Pod", "name": obj, "namespace": ns, "uid": f"uid-{obj}"},
            "reason": "Started", "message": "m", "type": "Normal"})
        assert r.status_code == 201, r.text
    sel = f"involvedObject.name=web,involvedObject.namespace={ns},involvedObject.uid=uid-web"
    assert listed(client, evs, fieldSelector=sel, limit="500") == ["e1"]
    r = client.get(evs, params={"fieldSelector": sel})
    assert r.json()["kind"] == "EventList"
