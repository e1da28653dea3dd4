"""The wire rules of COMPAT.md that real clients rely on without showing them: protobuf
replies when the Accept header prefers them, JSON otherwise, `kind`/`apiVersion` on single
objects, `items` always an array, Status errors, Table shape, the OpenAPI stubs kubectl
probes, and the watch stream's framing."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.compat.conftest import Rest, pod_manifest
from tests.support.processes import ApiServerProcess
from tugboat.api.proto import codec

TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
PROTOBUF_FIRST = "application/vnd.kubernetes.protobuf,application/json"


@pytest.fixture
def http(apiserver: ApiServerProcess) -> httpx.Client:
    with httpx.Client(base_url=apiserver.url, timeout=10) as c:
        yield c


def test_version_is_1_32(http: httpx.Client) -> None:
    v = http.get("/version", params={"timeout": "5s"}).json()
    assert (v["major"], v["minor"]) == ("1", "32")
    assert v["gitVersion"].startswith("v1.32.")


def test_replies_are_protobuf_when_protobuf_is_preferred(http: httpx.Client, rest: Rest,
                                                         ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    r = http.get(f"/api/v1/namespaces/{ns}/pods/web", headers={"Accept": PROTOBUF_FIRST})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.kubernetes.protobuf"
    obj = codec.decode(r.content)
    assert (obj["kind"], obj["apiVersion"]) == ("Pod", "v1")
    r = http.get(f"/api/v1/namespaces/{ns}/pods/web", headers={"Accept": "application/json"})
    assert r.headers["content-type"] == "application/json"


def test_empty_list_has_items_array_and_string_rv(http: httpx.Client, ns: str) -> None:
    body = http.get(f"/api/v1/namespaces/{ns}/pods", params={"limit": "500"}).json()
    assert (body["kind"], body["apiVersion"]) == ("PodList", "v1")
    assert body["items"] == []
    assert isinstance(body["metadata"]["resourceVersion"], str)


def test_unknown_query_parameters_are_ignored(http: httpx.Client, ns: str) -> None:
    r = http.get(f"/api/v1/namespaces/{ns}/pods", params={"timeout": "32s", "bogus": "1"})
    assert r.status_code == 200


def test_not_found_is_a_status(http: httpx.Client, ns: str) -> None:
    r = http.get(f"/api/v1/namespaces/{ns}/pods/ghost")
    assert r.status_code == 404
    assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": 'pods "ghost" not found',
                        "reason": "NotFound", "code": 404,
                        "details": {"name": "ghost", "kind": "pods"}}


def test_post_without_kind_defaults_from_the_url(http: httpx.Client, ns: str) -> None:
    body = pod_manifest("bare")
    del body["kind"], body["apiVersion"]
    r = http.post(f"/api/v1/namespaces/{ns}/pods", content=json.dumps(body))  # no Content-Type
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["apiVersion"]) == ("Pod", "v1")


def test_unknown_patch_type_is_415(http: httpx.Client, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    r = http.patch(f"/api/v1/namespaces/{ns}/pods/web", content=b"x",
                   headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["reason"] == "UnsupportedMediaType"


def test_openapi_stubs(http: httpx.Client) -> None:
    """kubectl's strict validation finds PATCH with a fieldValidation parameter in v3; v2
    is served in the protobuf form kubectl asks for (`explain --output
    plaintext-openapiv2`) and in JSON to other clients."""
    v2 = http.get("/openapi/v2", headers={
        "Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert v2.status_code == 200
    assert v2.headers["content-type"] == \
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    assert http.get("/openapi/v2").json()["swagger"] == "2.0"
    index = http.get("/openapi/v3").json()
    doc = http.get(index["paths"]["api/v1"]["serverRelativeURL"]).json()
    patch = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "version": "v1",
                                                        "kind": "Pod"}
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]


def test_table_shape(http: httpx.Client, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web", {"app": "web"}))
    t = http.get(f"/api/v1/namespaces/{ns}/pods", params={"limit": "500"},
                 headers={"Accept": TABLE_ACCEPT}).json()
    assert (t["kind"], t["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert t["metadata"]["resourceVersion"]
    names = [c["name"] for c in t["columnDefinitions"]]
    assert names[:5] == ["Name", "Ready", "Status", "Restarts", "Age"]
    assert all(c["priority"] >= 1 for c in t["columnDefinitions"][5:])
    (row,) = t["rows"]
    assert len(row["cells"]) == len(names)
    assert row["cells"][0] == "web"
    obj = row["object"]
    assert (obj["kind"], obj["apiVersion"]) == ("PartialObjectMetadata", "meta.k8s.io/v1")
    assert obj["metadata"]["namespace"] == ns and obj["metadata"]["labels"] == {"app": "web"}


def test_watch_stream_framing(http: httpx.Client, rest: Rest, ns: str) -> None:
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("a"))
    with http.stream("GET", f"/api/v1/namespaces/{ns}/pods",
                     params={"watch": "1", "timeoutSeconds": "10"},
                     headers={"Accept": TABLE_ACCEPT}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        lines = r.iter_lines()
        first = json.loads(next(lines))
        rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("b"))
        second = json.loads(next(lines))
    for event, name in ((first, "a"), (second, "b")):
        assert event["type"] == "ADDED"
        table = event["object"]
        assert table["kind"] == "Table"
        assert [row["cells"][0] for row in table["rows"]] == [name]


def test_watch_with_invalid_resource_version_is_bad_request(http: httpx.Client,
                                                            ns: str) -> None:
    r = http.get(f"/api/v1/namespaces/{ns}/pods", params={"watch": "true",
                                                          "resourceVersion": "abc"})
    assert r.status_code == 400
    assert r.json()["reason"] == "BadRequest"


def test_server_side_apply_creates_with_201_then_patches_with_200(http: httpx.Client,
                                                                  ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps/cfg"
    headers = {"Content-Type": "application/apply-patch+yaml"}
    params = {"fieldManager": "kubectl", "fieldValidation": "Strict", "force": "false"}
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
            "data": {"k": "v1"}}
    r = http.patch(path, params=params, headers=headers, content=json.dumps(body))
    assert r.status_code == 201, r.text
    body["data"]["k"] = "v2"
    r = http.patch(path, params=params, headers=headers, content=json.dumps(body))
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"k": "v2"}


def test_get_on_the_bindings_collection_is_not_allowed(http: httpx.Client, ns: str) -> None:
    r = http.get(f"/api/v1/namespaces/{ns}/bindings")
    assert r.status_code == 405
    assert r.json()["reason"] == "MethodNotAllowed"
