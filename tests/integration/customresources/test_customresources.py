"""CustomResourceDefinitions against a real API server: a CRD is served (discovery, every
verb) as soon as it is Established; its schema validates (422 naming the field), prunes
and defaults custom objects; printer columns reach Tables; the status subresource; a
second version served by apiVersion rewriting; deleting the CRD deletes its objects."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.support.processes import wait_until

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def crd_body(group: str, plural: str = "widgets", kind: str = "Widget") -> dict[str, Any]:
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
            "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8},
            "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"},
                     "x-kubernetes-list-type": "set"},
            "port": {"x-kubernetes-int-or-string": True},
            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}},
        "status": {"type": "object", "properties": {
            "phase": {"type": "string"}, "count": {"type": "integer"},
            "selector": {"type": "string"}}}}}
    version = {"served": True, "schema": {"openAPIV3Schema": schema},
               "subresources": {"status": {}, "scale": {
                   "specReplicasPath": ".spec.size", "statusReplicasPath": ".status.count",
                   "labelSelectorPath": ".status.selector"}},
               "additionalPrinterColumns": [
                   {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                   {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                   {"name": "Phase", "type": "string", "jsonPath": ".status.phase"}]}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": plural, "singular": kind.lower(), "kind": kind,
                               "shortNames": ["wdg"]},
                     "versions": [{**version, "name": "v1", "storage": True},
                                  {**version, "name": "v1beta1", "storage": False}]}}


@pytest.fixture
def group() -> str:
    return f"t{secrets.token_hex(3)}.example.com"


@pytest.fixture
def crd(client: httpx.Client, group: str) -> dict[str, Any]:
    r = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    json=crd_body(group))
    assert r.status_code == 201, r.text
    wait_until(lambda: client.get(f"/apis/{group}/v1").status_code == 200, 1.0,
               "the CRD to be served")
    return r.json()


def widget(obj_name: str, **spec: Any) -> dict[str, Any]:
    return {"kind": "Widget", "metadata": {"name": obj_name}, "spec": spec}


def test_established_crd_is_discovered(client: httpx.Client, group: str,
                                       crd: dict[str, Any]) -> None:
    got = client.get(f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                     f"widgets.{group}").json()
    conds = {c["type"]: c["status"] for c in got["status"]["conditions"]}
    assert conds == {"NamesAccepted": "True", "Established": "True"}
    assert got["status"]["storedVersions"] == ["v1"]
    assert "customresourcecleanup.apiextensions.k8s.io" in got["metadata"]["finalizers"]
    groups = client.get("/apis").json()["groups"]
    mine = next(g for g in groups if g["name"] == group)
    assert mine["preferredVersion"]["version"] == "v1"
    res = client.get(f"/apis/{group}/v1").json()["resources"]
    names = {r["name"]: r for r in res}
    assert names["widgets"]["kind"] == "Widget" and names["widgets"]["namespaced"]
    assert names["widgets"]["shortNames"] == ["wdg"]
    assert "widgets/status" in names


def test_custom_object_crud_prune_default(client: httpx.Client, group: str, ns: str,
                                          crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    body = widget("a", size=3, port="http", unknown=1, extra={"free": {"x": 1}})
    r = client.post(base, json={**body, "apiVersion": f"{group}/v1"})
    assert r.status_code == 201, r.text
    obj = r.json()
    assert obj["spec"] == {"size": 3, "color": "red", "port": "http",
                           "extra": {"free": {"x": 1}}}
    assert r'unknown field \"spec.unknown\"' in r.headers.get("warning", "")
    assert obj["metadata"]["generation"] == 1
    listed = client.get(base).json()
    assert listed["kind"] == "WidgetList" and [i["metadata"]["name"]
                                               for i in listed["items"]] == ["a"]
    r = client.patch(f"{base}/a", json={"spec": {"size": 4}},
                     headers={"content-type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["size"] == 4 and r.json()["metadata"]["generation"] == 2
    assert client.delete(f"{base}/a").status_code == 200
    assert client.get(f"{base}/a").status_code == 404


def test_invalid_custom_object_names_the_field(client: httpx.Client, group: str, ns: str,
                                               crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    r = client.post(base, json={**widget("b", size="x"), "apiVersion": f"{group}/v1"})
    assert r.status_code == 422, r.text
    st = r.json()
    assert st["reason"] == "Invalid"
    assert st["details"]["causes"][0]["field"] == "spec.size"
    assert ('spec.size: Invalid value: "string": spec.size in body must be of type '
            'integer: "string"') in st["message"]
    r = client.post(base, json={**widget("c", size=11, color="green", name="Ab",
                                         tags=["a", "a"]), "apiVersion": f"{group}/v1"})
    assert r.status_code == 422
    fields = {c["field"]: c["message"] for c in r.json()["details"]["causes"]}
    assert fields["spec.size"] == ("Invalid value: 11: spec.size in body should be less "
                                   "than or equal to 10")
    assert fields["spec.color"] == 'Unsupported value: "green": supported values: "red", "blue"'
    assert "should match '^[a-z]+$'" in fields["spec.name"]
    assert fields["spec.tags[1]"] == 'Duplicate value: "a"'
    r = client.post(base, json={**widget("d"), "apiVersion": f"{group}/v1"})
    assert r.status_code == 422
    assert r.json()["details"]["causes"][0]["field"] == "spec.size"


def test_printer_columns_and_status(client: httpx.Client, group: str, ns: str,
                                    crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    client.post(base, json={**widget("e", size=2), "apiVersion": f"{group}/v1"})
    r = client.put(f"{base}/e/status", json={**client.get(f"{base}/e").json(),
                                              "status": {"phase": "Ready"}})
    assert r.status_code == 200, r.text
    # the main resource ignores status; /status ignores spec
    obj = client.get(f"{base}/e").json()
    assert obj["status"] == {"phase": "Ready"}
    table = client.get(base, headers={"Accept": TABLE}).json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Size", "Color",
                                                               "Phase"]
    assert table["rows"][0]["cells"] == ["e", 2, "red", "Ready"]


def test_second_version_rewrites_api_version(client: httpx.Client, group: str, ns: str,
                                             crd: dict[str, Any]) -> None:
    r = client.post(f"/apis/{group}/v1beta1/namespaces/{ns}/widgets",
                    json={**widget("f", size=1), "apiVersion": f"{group}/v1beta1"})
    assert r.status_code == 201, r.text
    assert r.json()["apiVersion"] == f"{group}/v1beta1"
    got = client.get(f"/apis/{group}/v1/namespaces/{ns}/widgets/f").json()
    assert got["apiVersion"] == f"{group}/v1"


def test_delete_crd_removes_its_objects(client: httpx.Client, group: str, ns: str,
                                        crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    for n in ("g", "h"):
        assert client.post(base, json={**widget(n, size=1), "apiVersion": f"{group}/v1"}
                           ).status_code == 201
    path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{group}"
    assert client.delete(path).status_code == 200
    wait_until(lambda: client.get(path).status_code == 404, 10, "the CRD to go")
    assert client.get(f"/apis/{group}/v1").status_code == 404
    assert client.get(base).status_code == 404


def test_invalid_crd_is_refused(client: httpx.Client, group: str) -> None:
    body = crd_body(group)
    body["metadata"]["name"] = f"other.{group}"
    body["spec"]["versions"][1]["storage"] = True
    r = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=body)
    assert r.status_code == 422
    fields = {c["field"] for c in r.json()["details"]["causes"]}
    assert {"metadata.name", "spec.versions"} <= fields


def test_openapi_v3_describes_the_kind(client: httpx.Client, group: str,
                                       crd: dict[str, Any]) -> None:
    index = client.get("/openapi/v3").json()["paths"]
    assert f"apis/{group}/v1" in index
    doc = client.get(index[f"apis/{group}/v1"]["serverRelativeURL"]).json()
    rev = ".".join(reversed(group.split(".")))
    kind = doc["components"]["schemas"][f"{rev}.v1.Widget"]
    assert kind["x-kubernetes-group-version-kind"] == [
        {"group": group, "version": "v1", "kind": "Widget"}]
    assert kind["properties"]["spec"]["properties"]["size"]["type"] == "integer"
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in doc["components"]["schemas"]
    patch = doc["paths"][f"/apis/{group}/v1/namespaces/{{namespace}}/widgets/{{name}}"]["patch"]
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}


def test_scale_subresource_uses_the_crd_paths(client: httpx.Client, group: str, ns: str,
                                              crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    client.post(base, json={**widget("s", size=2), "apiVersion": f"{group}/v1"})
    obj = client.get(f"{base}/s").json()
    client.put(f"{base}/s/status", json={**obj, "status": {"count": 1, "selector": "app=s"}})
    scale = client.get(f"{base}/s/scale").json()
    assert scale["kind"] == "Scale"
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 1, "selector": "app=s"}
    r = client.patch(f"{base}/s/scale", json={"spec": {"replicas": 5}},
                     headers={"content-type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    assert client.get(f"{base}/s").json()["spec"]["size"] == 5


def test_only_json_and_yaml_bodies(client: httpx.Client, group: str, ns: str,
                                   crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    r = client.post(base, content=b"k8s\x00", headers={
        "content-type": "application/vnd.kubernetes.protobuf"})
    assert r.status_code == 415 and r.json()["reason"] == "UnsupportedMediaType"
    client.post(base, json={**widget("p", size=2), "apiVersion": f"{group}/v1"})
    r = client.patch(f"{base}/p", json={"spec": {"size": 3}}, headers={
        "content-type": "application/strategic-merge-patch+json"})
    assert r.status_code == 415
    assert "application/merge-patch+json" in r.json()["message"]


def test_watch_custom_objects(client: httpx.Client, group: str, ns: str,
                              crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    rv = client.get(base).json()["metadata"]["resourceVersion"]
    client.post(base, json={**widget("w", size=2), "apiVersion": f"{group}/v1"})
    with client.stream("GET", f"{base}?watch=1&resourceVersion={rv}&timeoutSeconds=5") as r:
        line = next(r.iter_lines())
    event = httpx.Response(200, content=line).json()
    assert event["type"] == "ADDED" and event["object"]["metadata"]["name"] == "w"


def test_crd_deletion_waits_for_object_finalizers(client: httpx.Client, group: str, ns: str,
                                                  crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    held = {**widget("held", size=1), "apiVersion": f"{group}/v1"}
    held["metadata"]["finalizers"] = ["example.com/hold"]
    assert client.post(base, json=held).status_code == 201
    path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{group}"
    assert client.delete(path).status_code == 200

    def terminating() -> bool:
        conds = client.get(path).json()["status"]["conditions"]
        return any(c["type"] == "Terminating" and c["status"] == "True" for c in conds)

    wait_until(terminating, 10, "the CRD to be terminating")
    assert client.get(f"{base}/held").json()["metadata"]["deletionTimestamp"]
    r = client.post(base, json={**widget("late", size=1), "apiVersion": f"{group}/v1"})
    assert r.status_code == 405, r.text
    assert r.json()["message"] == ("create not allowed while custom resource definition "
                                   "is terminating")
    r = client.patch(f"{base}/held", json={"metadata": {"finalizers": None}},
                     headers={"content-type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    wait_until(lambda: client.get(path).status_code == 404, 10, "the CRD to go")


def test_crd_bodies_are_json_or_yaml(client: httpx.Client, group: str) -> None:
    r = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    content=b"k8s\x00", headers={
                        "content-type": "application/vnd.kubernetes.protobuf"})
    assert r.status_code == 415


def test_a_name_that_is_a_number_is_invalid(client: httpx.Client, group: str, ns: str,
                                            crd: dict[str, Any]) -> None:
    base = f"/apis/{group}/v1beta1/namespaces/{ns}/widgets"
    client.post(base, json={**widget("n", size=1), "apiVersion": f"{group}/v1beta1"})
    body = {**widget("n", size=1), "apiVersion": f"{group}/v1beta1"}
    body["metadata"]["name"] = 7
    r = client.put(f"{base}/n", json=body)
    assert r.status_code == 422, r.text
