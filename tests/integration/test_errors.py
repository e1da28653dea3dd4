"""Bad input gets the Kubernetes Status error (never a 500), and a rejected write leaves
the stored object — or its absence — exactly as it was."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.kube import (
    assert_status,
    configmap,
    container,
    job,
    pod,
    replicationcontroller,
)

Obj = dict[str, Any]
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def pods(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/pods"


@pytest.fixture
def existing(client: httpx.Client, pods: str) -> Iterator[Obj]:
    """A stored pod whose state is checked unchanged after the test's rejected writes."""
    r = client.post(pods, json=pod("keep", labels={"v": "1"}))
    assert r.status_code == 201
    before = client.get(f"{pods}/keep").json()
    yield before
    after = client.get(f"{pods}/keep").json()
    assert after == before, "a rejected write changed the stored object"


def causes(body: Obj) -> dict[str, str]:
    return {c["field"]: c["reason"] for c in body["details"]["causes"]}


def test_malformed_json_is_bad_request(client: httpx.Client, pods: str) -> None:
    for raw in (b'{"metadata": {"name": "x"', b"not json at all", b"{'single': 'quotes'}"):
        assert_status(client.post(pods, content=raw, headers=JSON), 400, "BadRequest")
    assert client.get(pods).json()["items"] == []


def test_non_object_json_is_bad_request(client: httpx.Client, pods: str) -> None:
    for raw in (b"[]", b'"pod"', b"42", b"null"):
        assert_status(client.post(pods, content=raw, headers=JSON), 400, "BadRequest")
    assert client.get(pods).json()["items"] == []


def test_empty_body_is_bad_request(client: httpx.Client, pods: str) -> None:
    assert_status(client.post(pods, content=b"", headers=JSON), 400, "BadRequest")


def test_yaml_body_is_accepted(client: httpx.Client, pods: str) -> None:
    doc = b"""\
apiVersion: v1
kind: Pod
metadata:
  name: from-yaml
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx:1.25
    ports:
    - containerPort: 80
"""
    r = client.post(pods, content=doc, headers={"Content-Type": "application/yaml"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    got = client.get(f"{pods}/from-yaml").json()
    assert got["metadata"]["labels"] == {"app": "web"}
    assert got["spec"]["containers"][0]["ports"][0]["containerPort"] == 80


def test_yaml_integer_beyond_64_bits_is_rejected(client: httpx.Client, pods: str,
                                                 existing: Obj) -> None:
    """JSON decoding turns such a number into a float (a 422); YAML kept it an int that
    the store could not encode, which was a 500."""
    doc = (b"metadata: {name: big}\nspec:\n  terminationGracePeriodSeconds: "
           b"1180591620717411303424\n  containers: [{name: c, image: 'nginx:1'}]\n")
    r = client.post(pods, content=doc, headers={"Content-Type": "application/yaml"})
    assert r.status_code in (400, 422), r.text
    assert_status(r, r.status_code)
    assert_status(client.get(f"{pods}/big"), 404)
    # the same through server-side apply of an existing object
    doc = (b"metadata: {name: keep}\nspec:\n  activeDeadlineSeconds: "
           b"1180591620717411303424\n")
    r = client.patch(f"{pods}/keep", content=doc,
                     headers={"Content-Type": "application/apply-patch+yaml"})
    assert r.status_code in (400, 422), r.text


def test_malformed_yaml_is_bad_request(client: httpx.Client, pods: str) -> None:
    bad = b"metadata:\n  name: [unclosed\nspec: {containers: ["
    assert_status(client.post(pods, content=bad, headers={"Content-Type": "application/yaml"}),
                  400, "BadRequest")
    two_docs = b"metadata: {name: a}\n---\nmetadata: {name: b}\n"
    assert_status(client.post(pods, content=two_docs,
                              headers={"Content-Type": "application/yaml"}), 400, "BadRequest")
    assert client.get(pods).json()["items"] == []


def test_wrong_types_name_each_field(client: httpx.Client, pods: str) -> None:
    body = pod("typed", container("c", ports=[{"containerPort": "eighty"}]),
               container("d", image=5))
    body["spec"]["terminationGracePeriodSeconds"] = "thirty"
    r = client.post(pods, json=body)
    st = assert_status(r, 422, "Invalid")
    assert st["details"]["kind"] == "Pod" and st["details"]["name"] == "typed"
    fields = causes(st)
    assert "spec.containers[0].ports[0].containerPort" in fields, st
    assert "spec.containers[1].image" in fields, st
    assert "spec.terminationGracePeriodSeconds" in fields, st
    assert "spec.containers[0].ports[0].containerPort" in st["message"]
    assert_status(client.get(f"{pods}/typed"), 404)


@pytest.mark.parametrize("path,body,field", [
    ("/api/v1/namespaces/{ns}/pods",
     pod("numstr", container("c", ports=[{"containerPort": "80"}])),
     "spec.containers[0].ports[0].containerPort"),
    ("/api/v1/namespaces/{ns}/pods",
     pod("boolint", container("c", ports=[{"containerPort": True}])),
     "spec.containers[0].ports[0].containerPort"),
    ("/api/v1/namespaces/{ns}/pods",
     pod("gracestr", terminationGracePeriodSeconds="30"), "spec.terminationGracePeriodSeconds"),
    ("/apis/apps/v1/namespaces/{ns}/deployments",
     {"metadata": {"name": "d"}, "spec": {"replicas": "3", "selector": {"matchLabels": {
         "a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
             "containers": [container()]}}}}, "spec.replicas"),
    ("/api/v1/namespaces/{ns}/configmaps",
     {"metadata": {"name": "cm"}, "data": {"a": 1}}, "data[a]"),
])
def test_numbers_strings_and_booleans_are_not_coerced(client: httpx.Client, ns: str,
                                                      path: str, body: Obj,
                                                      field: str) -> None:
    """Kubernetes' decoder does not turn "80" or true into an int (nor 1 into a string):
    a known field of the wrong JSON type is rejected, never stored converted."""
    coll = path.format(ns=ns)
    r = client.post(coll, json=body)
    st = assert_status(r, 422, "Invalid")
    assert field in causes(st), st
    assert_status(client.get(f"{coll}/{body['metadata']['name']}"), 404)


def test_timestamps_must_be_rfc3339(client: httpx.Client, ns: str, pods: str) -> None:
    """A time field that is not RFC 3339 would be stored and then break every client that
    parses it (the Python client's V1Lease / V1PodStatus): Kubernetes rejects it."""
    leases = f"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases"
    r = client.post(leases, json={"metadata": {"name": "l"},
                                  "spec": {"holderIdentity": "me", "renewTime": "yesterday"}})
    assert r.status_code in (400, 422), r.text
    assert_status(r, r.status_code)
    assert_status(client.get(f"{leases}/l"), 404)
    assert client.post(pods, json=pod("t")).status_code == 201
    cur = client.get(f"{pods}/t").json()
    cur["status"]["startTime"] = "not a time"
    r = client.put(f"{pods}/t/status", json=cur)
    assert r.status_code in (400, 422), r.text
    assert "startTime" not in client.get(f"{pods}/t").json()["status"]


def test_containers_must_be_a_list(client: httpx.Client, pods: str) -> None:
    body = {"metadata": {"name": "notlist"}, "spec": {"containers": {"name": "c"}}}
    st = assert_status(client.post(pods, json=body), 422, "Invalid")
    assert any(f.startswith("spec.containers") for f in causes(st)), st
    assert_status(client.get(f"{pods}/notlist"), 404)


def test_missing_image_is_field_value_required(client: httpx.Client, pods: str) -> None:
    body = {"metadata": {"name": "noimage"}, "spec": {"containers": [{"name": "c"}]}}
    st = assert_status(client.post(pods, json=body), 422, "Invalid")
    assert causes(st).get("spec.containers[0].image") == "FieldValueRequired", st
    assert_status(client.get(f"{pods}/noimage"), 404)


def test_invalid_name_is_rejected(client: httpx.Client, pods: str) -> None:
    st = assert_status(client.post(pods, json=pod("Not_A_DNS_Name")), 422, "Invalid")
    assert "metadata.name" in causes(st), st
    st = assert_status(client.post(pods, json={"spec": {"containers": [container()]}}),
                       422, "Invalid")
    assert "metadata.name" in causes(st), st
    assert client.get(pods).json()["items"] == []


def test_job_with_restart_always_is_invalid(client: httpx.Client, ns: str) -> None:
    jobs = f"/apis/batch/v1/namespaces/{ns}/jobs"
    st = assert_status(client.post(jobs, json=job("always", restart="Always")), 422, "Invalid")
    assert "spec.template.spec.restartPolicy" in causes(st), st
    assert_status(client.get(f"{jobs}/always"), 404)
    assert client.post(jobs, json=job("onfailure", restart="OnFailure")).status_code == 201


def test_rc_template_restart_on_failure_is_invalid(client: httpx.Client, ns: str) -> None:
    rcs = f"/api/v1/namespaces/{ns}/replicationcontrollers"
    st = assert_status(client.post(rcs, json=replicationcontroller("rc", restart="OnFailure")),
                       422, "Invalid")
    assert "spec.template.spec.restartPolicy" in causes(st), st
    assert_status(client.get(f"{rcs}/rc"), 404)
    assert client.post(rcs, json=replicationcontroller("rc", restart="Always")).status_code == 201


def test_body_over_3mib_is_too_large(client: httpx.Client, ns: str) -> None:
    cms = f"/api/v1/namespaces/{ns}/configmaps"
    big = configmap("big", blob="x" * (3 * 1024 * 1024 + 10))
    assert_status(client.post(cms, json=big), 413, "RequestEntityTooLarge")
    assert_status(client.get(f"{cms}/big"), 404)
    # and on update
    assert client.post(cms, json=configmap("small", blob="x")).status_code == 201
    assert_status(client.put(f"{cms}/small", json=configmap("small", blob="y" * (3 << 20) + "y")),
                  413, "RequestEntityTooLarge")
    assert client.get(f"{cms}/small").json()["data"] == {"blob": "x"}


def test_patch_with_unsupported_media_type(client: httpx.Client, pods: str,
                                           existing: Obj) -> None:
    for ct in ("text/plain", "application/xml"):
        assert_status(client.patch(f"{pods}/keep", content=b'{"metadata":{"labels":{"v":"2"}}}',
                                   headers={"Content-Type": ct}), 415, "UnsupportedMediaType")
    assert_status(client.patch(f"{pods}/keep", content=b'{"metadata":{}}'), 415)


@pytest.mark.parametrize("path", [
    "/api/v1/widgets",
    "/api/v1/namespaces/default/widgets",
    "/api/v1/namespaces/default/pods/x/nosuchsub",
    "/api/v1/namespaces/default/configmaps/x/status",
    "/api/v1/namespaces/default/nodes/x",
    "/apis/nosuch.group/v1/things",
    "/apis/apps/v9/deployments",
    "/api/v2/pods",
    "/nothing/here",
])
def test_unknown_path_is_not_found_status(client: httpx.Client, path: str) -> None:
    assert_status(client.get(path), 404, "NotFound")
    r = client.post(path, json={"metadata": {"name": "x"}})
    assert r.status_code in (404, 405), r.text
    assert_status(r, r.status_code)


def test_unknown_field_is_dropped_with_a_warning(client: httpx.Client, pods: str) -> None:
    body = pod("warned")
    body["spec"]["notAField"] = 1
    body["spec"]["containers"][0]["alsoUnknown"] = "x"
    r = client.post(pods, json=body)
    assert r.status_code == 201, r.text
    warning = r.headers.get("Warning", "")
    assert warning.startswith("299 "), r.headers
    assert "spec.notAField" in warning and "alsoUnknown" in warning, warning
    stored = client.get(f"{pods}/warned").json()
    assert "notAField" not in stored["spec"]
    assert "alsoUnknown" not in stored["spec"]["containers"][0]
    # no warning when every field is known
    r = client.post(pods, json=pod("clean"))
    assert r.status_code == 201 and "Warning" not in r.headers


def test_strict_field_validation_rejects_unknown_fields(client: httpx.Client,
                                                       pods: str, existing: Obj) -> None:
    body = pod("strict")
    body["spec"]["notAField"] = 1
    st = assert_status(client.post(pods, params={"fieldValidation": "Strict"}, json=body),
                       400, "BadRequest")
    assert "notAField" in st["message"]
    assert_status(client.get(f"{pods}/strict"), 404)
    upd = copy.deepcopy(existing)
    upd["metadata"]["labels"] = {"v": "2"}
    upd["spec"]["bogus"] = True
    assert_status(client.put(f"{pods}/keep", params={"fieldValidation": "Strict"}, json=upd),
                  400, "BadRequest")
    r = client.post(pods, params={"fieldValidation": "Ignore"}, json=body)
    assert r.status_code == 201 and "Warning" not in r.headers


def test_bad_field_validation_value(client: httpx.Client, pods: str) -> None:
    assert_status(client.post(pods, params={"fieldValidation": "Loose"}, json=pod("fv")), 400)
    assert_status(client.get(f"{pods}/fv"), 404)


def test_bad_dry_run_value(client: httpx.Client, pods: str) -> None:
    assert_status(client.post(pods, params={"dryRun": "Some"}, json=pod("dr")), 400)
    assert_status(client.get(f"{pods}/dr"), 404)


def test_rejected_updates_leave_object_unchanged(client: httpx.Client, pods: str,
                                                existing: Obj) -> None:
    url = f"{pods}/keep"
    bad = copy.deepcopy(existing)
    bad["metadata"]["labels"] = {"v": "2"}
    bad["spec"]["containers"][0]["ports"] = [{"containerPort": "x"}]
    assert_status(client.put(url, json=bad), 422, "Invalid")

    bad = copy.deepcopy(existing)
    bad["metadata"]["labels"] = {"v": "2"}
    del bad["spec"]["containers"][0]["image"]
    assert_status(client.put(url, json=bad), 422, "Invalid")

    assert_status(client.put(url, content=b"{broken", headers=JSON), 400)
    assert_status(client.patch(url, content=b'{"spec":{"containers":[{"name":"c","image":7}]}}',
                               headers={"Content-Type": "application/merge-patch+json"}),
                  422, "Invalid")
    assert_status(client.patch(url, content=b"{broken",
                               headers={"Content-Type": "application/merge-patch+json"}), 400)
    assert_status(client.patch(url, content=b'[{"op":"replace","path":"/spec/containers/0/name",'
                                            b'"value":7}]',
                               headers={"Content-Type": "application/json-patch+json"}), 422)


def test_pod_spec_is_mostly_immutable(client: httpx.Client, pods: str, existing: Obj) -> None:
    upd = copy.deepcopy(existing)
    upd["spec"]["containers"][0]["name"] = "renamed"
    upd["spec"]["restartPolicy"] = "Never"
    st = assert_status(client.put(f"{pods}/keep", json=upd), 422, "Invalid")
    assert st["details"]["causes"], st


def test_method_not_allowed(client: httpx.Client, ns: str) -> None:
    cms = f"/api/v1/namespaces/{ns}/configmaps"
    assert_status(client.put(cms, json={}), 405)
    assert_status(client.post(f"{cms}/x", json=configmap("x")), 405)
    assert_status(client.post("/apis/metrics.k8s.io/v1beta1/nodes", json={}), 405)
