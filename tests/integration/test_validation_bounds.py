"""Hostile and careless bodies as a user sends them over HTTP: every subresource body and
every field is typed, wrong JSON types are a 400/422 naming the field (each case here was
a 500, or was stored wrong), integers fit Kubernetes' int32/int64, and an object too big
for the store is a 413 — and in every refused case nothing changed in the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import kubernetes.client
import pytest

from tests.integration.kube import assert_status, bind, pod, replicationcontroller, rv
from tests.support.pki import service_account_key
from tests.support.processes import ApiServerProcess

Obj = dict[str, Any]
MERGE = {"Content-Type": "application/merge-patch+json"}
INT32_MAX = 2**31 - 1


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    """The module's server signs ServiceAccount tokens, so TokenRequests are served."""
    data = tmp_path_factory.mktemp("apiserver")
    key = service_account_key(data / "sa.key")
    proc = ApiServerProcess(data, extra=["--service-account-signing-key-file", str(key),
                                         "--service-account-key-file",
                                         str(key.with_suffix(".pub"))])
    proc.start()
    yield proc
    proc.stop()


def read_back(client: httpx.Client, path: str) -> Obj:
    """GET the object and check the official Python client can deserialize it."""
    r = client.get(path)
    assert r.status_code == 200, r.text
    obj = r.json()
    kubernetes.client.ApiClient().deserialize(json.dumps(obj), f"V1{obj['kind']}",
                                              "application/json")
    return obj


@pytest.fixture
def unbound(client: httpx.Client, ns: str) -> str:
    r = client.post(f"/api/v1/namespaces/{ns}/pods", json=pod("p", {"name": "c",
                                                                     "image": "busybox"}))
    assert r.status_code == 201, r.text
    return f"/api/v1/namespaces/{ns}/pods/p"


# -- pods/binding ----------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"target": {"name": 5}},  # stored as an integer nodeName before
    {"target": {"name": ["n1"]}},
    {"target": 5},
    {"target": {"name": "n1"}, "metadata": 5},
    {"target": {"name": "n1"}, "metadata": {"name": 5}},
    {"target": {"name": "n1"}, "metadata": {"annotations": {"a": 5}}},
])
def test_binding_of_the_wrong_type_is_422_and_leaves_the_pod_unbound(
        client: httpx.Client, unbound: str, body: Obj) -> None:
    before = client.get(unbound).json()
    for path, sent in ((f"{unbound}/binding", body),
                       (unbound.rsplit("/pods/", 1)[0] + "/bindings",
                        {**body, "metadata": body.get("metadata", {"name": "p"})})):
        assert_status(client.post(path, json=sent), 422, "Invalid")
    after = read_back(client, unbound)
    assert "nodeName" not in after["spec"]
    assert rv(after) == rv(before)


def test_binding_by_name_still_binds(client: httpx.Client, ns: str, unbound: str) -> None:
    assert bind(client, ns, "p", "node-a").status_code == 201
    assert read_back(client, unbound)["spec"]["nodeName"] == "node-a"


# -- pods/eviction ---------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"deleteOptions": 5},
    {"deleteOptions": {"gracePeriodSeconds": "x"}},
    {"deleteOptions": {"gracePeriodSeconds": 2**64}},
    {"deleteOptions": {"preconditions": 5}},
    {"deleteOptions": {"preconditions": {"uid": 5}}},
    {"deleteOptions": {"propagationPolicy": "Sideways"}},
    {"metadata": 5},
    {"metadata": {"name": 5}},
])
def test_eviction_of_the_wrong_type_is_422_and_the_pod_stays(
        client: httpx.Client, unbound: str, body: Obj) -> None:
    before = client.get(unbound).json()
    body = {"apiVersion": "policy/v1", "kind": "Eviction", **body}
    assert_status(client.post(f"{unbound}/eviction", json=body), 422, "Invalid")
    assert rv(client.get(unbound).json()) == rv(before)


def test_eviction_naming_another_pod_is_400(client: httpx.Client, unbound: str) -> None:
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "other"}}
    assert_status(client.post(f"{unbound}/eviction", json=body), 400, "BadRequest")
    assert client.get(unbound).status_code == 200


def test_a_well_formed_eviction_still_deletes(client: httpx.Client, unbound: str) -> None:
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"},
            "deleteOptions": {"gracePeriodSeconds": 0}}
    assert client.post(f"{unbound}/eviction", json=body).status_code == 201
    assert client.get(unbound).status_code == 404


# -- scale -----------------------------------------------------------------------------------

@pytest.fixture
def rc(client: httpx.Client, ns: str) -> str:
    r = client.post(f"/api/v1/namespaces/{ns}/replicationcontrollers",
                    json=replicationcontroller("web", 2))
    assert r.status_code == 201, r.text
    return f"/api/v1/namespaces/{ns}/replicationcontrollers/web"


@pytest.mark.parametrize(("body", "code", "message"), [
    ({"spec": {"replicas": 2**31}}, 422,
     "spec.replicas: Invalid value: 2147483648: spec.replicas in body must be of type int32"),
    ({"spec": {"replicas": -1}}, 422, "must be greater than or equal to 0"),
    ({"spec": {"replicas": "3"}}, 422, "must be of type integer"),
    ({"spec": {"replicas": 1.5}}, 422, "must be of type integer"),
    ({"spec": 5}, 422, "spec in body must be of type object"),
    ({"metadata": 5, "spec": {"replicas": 1}}, 422, "metadata"),
    ({"metadata": {"resourceVersion": 5}, "spec": {"replicas": 1}}, 422,
     "metadata.resourceVersion"),
    ({"metadata": {"resourceVersion": "abc"}, "spec": {"replicas": 1}}, 400,
     'invalid resourceVersion "abc"'),
    ({"kind": "Pod", "spec": {"replicas": 1}}, 400, "Scale"),
])
def test_scale_of_the_wrong_type_is_refused_and_replicas_stay(
        client: httpx.Client, rc: str, body: Obj, code: int, message: str) -> None:
    before = client.get(rc).json()
    status = assert_status(client.put(f"{rc}/scale", json=body), code)
    assert message in status["message"], status
    if code == 422:
        assert status["details"]["kind"] == "Scale", status
    assert_status(client.patch(f"{rc}/scale", json=body, headers=MERGE), code)
    after = read_back(client, rc)
    assert after["spec"]["replicas"] == 2 and rv(after) == rv(before)


def test_scale_to_the_int32_limit_is_accepted(client: httpx.Client, rc: str) -> None:
    r = client.patch(f"{rc}/scale", json={"spec": {"replicas": INT32_MAX}}, headers=MERGE)
    assert r.status_code == 200, r.text
    assert read_back(client, rc)["spec"]["replicas"] == INT32_MAX


# -- namespaces/finalize ---------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"spec": 5},  # read as "no finalizers" before: the namespace could go while not empty
    {"spec": {"finalizers": "kubernetes"}},
    {"spec": {"finalizers": [5]}},
    {"metadata": 5},
    {"metadata": {"name": 5}},
])
def test_finalize_of_the_wrong_type_is_422_and_keeps_the_finalizers(
        client: httpx.Client, name: str, body: Obj) -> None:
    r = client.post("/api/v1/namespaces", json={"metadata": {"name": name}})
    assert r.status_code == 201, r.text
    assert_status(client.put(f"/api/v1/namespaces/{name}/finalize", json=body), 422, "Invalid")
    assert read_back(client, f"/api/v1/namespaces/{name}")["spec"]["finalizers"] == \
        ["kubernetes"]


# -- metadata of every write ------------------------------------------------------------------

@pytest.mark.parametrize(("meta", "field"), [
    ({"name": 5}, "metadata.name"),  # was a 500
    ({"name": "p", "uid": 5}, "metadata.uid"),  # was silently reset
    ({"name": "p", "generation": "x"}, "metadata.generation"),
    ({"name": "p", "namespace": 5}, "metadata.namespace"),
    ({"generateName": 5}, "metadata.generateName"),
    ({"name": "p", "resourceVersion": 5}, "metadata.resourceVersion"),
    ({"name": "p", "creationTimestamp": "yesterday"}, "metadata.creationTimestamp"),
])
def test_create_with_metadata_of_the_wrong_type_is_422(
        client: httpx.Client, ns: str, meta: Obj, field: str) -> None:
    body = pod("p", {"name": "c", "image": "busybox"})
    body["metadata"] = meta
    status = assert_status(client.post(f"/api/v1/namespaces/{ns}/pods", json=body), 422,
                           "Invalid")
    assert [c["field"] for c in status["details"]["causes"]] == [field], status
    assert client.get(f"/api/v1/namespaces/{ns}/pods").json()["items"] == []


def test_update_with_a_numeric_name_is_422(client: httpx.Client, unbound: str) -> None:
    body = client.get(unbound).json()
    body["metadata"]["name"] = 5
    for path in (unbound, f"{unbound}/status"):
        status = assert_status(client.put(path, json=body), 422, "Invalid")
        assert status["details"]["causes"][0]["field"] == "metadata.name"


# -- int32 and int64 fields ------------------------------------------------------------------

def _rc_with(path: tuple[str | int, ...], value: Any) -> Obj:
    body = replicationcontroller("big")
    body["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(("path", "value", "field", "type_name"), [
    (("spec", "replicas"), 2**31, "spec.replicas", "int32"),  # stored, then broke kubectl
    (("spec", "replicas"), 2**63, "spec.replicas", "int32"),
    (("spec", "minReadySeconds"), -2**31 - 1, "spec.minReadySeconds", "int32"),
    (("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), 2**32,
     "spec.template.spec.containers[0].ports[0].containerPort", "int32"),
    (("spec", "template", "spec", "terminationGracePeriodSeconds"), 2**63,
     "spec.template.spec.terminationGracePeriodSeconds", "int64"),
])
def test_integers_beyond_their_go_type_are_422(client: httpx.Client, ns: str,
                                               path: tuple[str | int, ...], value: int,
                                               field: str, type_name: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/replicationcontrollers"
    status = assert_status(client.post(coll, json=_rc_with(path, value)), 422, "Invalid")
    cause = status["details"]["causes"][0]
    assert cause["field"] == field, status
    assert cause["message"] == f"Invalid value: {value}: {field} in body must be of type " \
                               f"{type_name}", status
    assert client.get(f"{coll}/big").status_code == 404


@pytest.mark.parametrize(("coll", "body", "field"), [
    ("/api/v1/namespaces/{ns}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
      "spec": {"ports": [{"port": 80, "targetPort": 2**31}]}}, "spec.ports[0].targetPort"),
    ("/api/v1/namespaces/{ns}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
      "spec": {"type": "NodePort", "ports": 5}}, "spec.ports"),  # a 500 in allocation
    ("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
     {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
      "metadata": {"name": "h"},
      "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 2**31}},
     "spec.maxReplicas"),
    ("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
     {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
      "metadata": {"name": "h"},
      "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 2,
               "behavior": {"scaleDown": 5}}}, "spec.behavior.scaleDown"),  # was a 500
    ("/apis/batch/v1/namespaces/{ns}/jobs",
     {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
      "spec": {"parallelism": 2**31, "template": {"spec": {
          "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}},
     "spec.parallelism"),
])
def test_wrong_types_in_other_kinds_are_422(client: httpx.Client, ns: str, coll: str,
                                            body: Obj, field: str) -> None:
    status = assert_status(client.post(coll.format(ns=ns), json=body), 422, "Invalid")
    assert field in [c["field"] for c in status["details"]["causes"]], status


def test_a_huge_grace_period_is_accepted_and_its_deletion_stays_readable(
        client: httpx.Client, ns: str) -> None:
    """Kubernetes accepts any non-negative int64 grace period; the deletionTimestamp it
    gives is capped at the last time RFC 3339 can write instead of overflowing (a 500)."""
    body = pod("p", {"name": "c", "image": "busybox"}, nodeName="node-a",
               terminationGracePeriodSeconds=2**62)
    path = f"/api/v1/namespaces/{ns}/pods/p"
    assert client.post(f"/api/v1/namespaces/{ns}/pods", json=body).status_code == 201
    r = client.delete(path)
    assert r.status_code == 200, r.text
    obj = read_back(client, path)
    assert obj["metadata"]["deletionGracePeriodSeconds"] == 2**62
    assert obj["metadata"]["deletionTimestamp"] == "9999-12-31T23:59:59Z"
    assert client.delete(f"{path}?gracePeriodSeconds=0").status_code == 200
    assert client.get(path).status_code == 404


# -- the object size limit -------------------------------------------------------------------

def _big_pod(value_bytes: int) -> Obj:
    return pod("big", {"name": "c", "image": "busybox",
                       "env": [{"name": "A", "value": "x" * value_bytes}]})


def test_an_object_over_the_store_limit_is_413(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    status = assert_status(client.post(coll, json=_big_pod(1_600_000)), 413,
                           "RequestEntityTooLarge")
    assert "1572864" in status["message"], status
    assert client.get(f"{coll}/big").status_code == 404


def test_writes_that_would_grow_an_object_over_the_limit_are_413(
        client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    r = client.post(coll, json=_big_pod(1_500_000))
    assert r.status_code == 201, r.text
    before = r.json()
    grow = {"metadata": {"annotations": {"a": "y" * 100_000}}}
    assert_status(client.patch(f"{coll}/big", json=grow, headers=MERGE), 413)
    assert_status(client.patch(f"{coll}/big/status", json={"status": {"message": "m" * 100_000}},
                               headers=MERGE), 413)
    updated = json.loads(json.dumps(before))
    updated["metadata"]["annotations"] = {"a": "z" * 100_000}
    assert_status(client.put(f"{coll}/big", json=updated), 413)
    after = read_back(client, f"{coll}/big")
    assert rv(after) == rv(before) and "annotations" not in after["metadata"]


# -- what the fuzz suite found stored or echoed wrong (notes/fuzz-findings.md F1-F3) ----------

@pytest.mark.parametrize(("path", "body"), [
    ("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
     {"apiVersion": "Ä", "kind": "SelfSubjectRulesReview", "spec": {"namespace": "default"}}),
    ("/apis/authorization.k8s.io/v1/subjectaccessreviews",
     {"kind": "x8", "spec": {"user": "u", "nonResourceAttributes": {"path": "/", "verb": "get"}}}),
])
def test_a_review_of_another_kind_is_400(client: httpx.Client, ns: str,
                                                          path: str, body: Obj) -> None:
    assert_status(client.post(path.format(ns=ns), json=body), 400, "BadRequest")


@pytest.mark.parametrize(("body", "code"), [
    ({"kind": "NaN", "spec": {"audiences": ["a"]}}, 400),  # was answered as kind NaN
    ({"spec": {"expirationSeconds": "x"}}, 400),
    ({"spec": {"expirationSeconds": 2**64}}, 400),
    ({"spec": {"boundObjectRef": 5}}, 400),
    ({"metadata": {"name": 5}}, 400),
])
def test_a_token_request_of_the_wrong_type_is_refused(client: httpx.Client, ns: str,
                                                      body: Obj, code: int) -> None:
    r = client.post(f"/api/v1/namespaces/{ns}/serviceaccounts", json={"metadata": {"name": "sa"}})
    assert r.status_code == 201, r.text
    status = assert_status(client.post(f"/api/v1/namespaces/{ns}/serviceaccounts/sa/token",
                                       json=body), code)
    assert "\n" not in status["message"] and "pydantic" not in status["message"], status
    r = client.post(f"/api/v1/namespaces/{ns}/serviceaccounts/sa/token", json={"spec": {}})
    assert r.status_code == 201, r.text
    assert (r.json()["apiVersion"], r.json()["kind"]) == ("authentication.k8s.io/v1",
                                                          "TokenRequest")


def test_a_review_answers_with_its_own_type_meta(client: httpx.Client) -> None:
    r = client.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", json={
        "spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}})
    assert r.status_code == 201, r.text
    assert (r.json()["apiVersion"], r.json()["kind"]) == \
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview")


def test_a_subject_access_review_requirement_needs_key_and_operator(
        client: httpx.Client) -> None:
    body = {"spec": {"user": "u", "resourceAttributes": {
        "verb": "list", "resource": "pods", "fieldSelector": {"requirements": [{}]}}}}
    status = assert_status(client.post("/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                       json=body), 422, "Invalid")
    fields = {c["field"] for c in status["details"]["causes"]}
    assert {"spec.resourceAttributes.fieldSelector.requirements[0].key",
            "spec.resourceAttributes.fieldSelector.requirements[0].operator"} <= fields


def test_service_status_conditions_are_metav1_conditions(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/services"
    r = client.post(coll, json={"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                                "spec": {"ports": [{"port": 80}]}})
    assert r.status_code == 201, r.text
    status_path = f"{coll}/s/status"
    for condition in ({}, {"type": "Ready", "status": "Maybe", "reason": "R", "message": "",
                           "lastTransitionTime": "2025-01-01T00:00:00Z"},
                      {"type": "Ready", "status": "True", "reason": "not a reason",
                       "message": "", "lastTransitionTime": "2025-01-01T00:00:00Z"}):
        assert_status(client.patch(status_path, json={"status": {"conditions": [condition]}},
                                   headers=MERGE), 422, "Invalid")
    good = {"type": "Ready", "status": "True", "reason": "Ok", "message": "",
            "lastTransitionTime": "2025-01-01T00:00:00Z"}
    r = client.patch(status_path, json={"status": {"conditions": [good]}}, headers=MERGE)
    assert r.status_code == 200, r.text
    obj = client.get(f"{coll}/s").json()
    kubernetes.client.ApiClient().deserialize(json.dumps(obj), "V1Service", "application/json")
    assert obj["status"]["conditions"] == [good]


def test_a_negative_grace_period_reads_as_one_second(client: httpx.Client, ns: str) -> None:
    """Kubernetes converts a pod's negative grace period to 1 s, and so a delete asking
    for a negative one: never "at once" for a pod a kubelet may be running."""
    coll = f"/api/v1/namespaces/{ns}/pods"
    body = pod("p", {"name": "c", "image": "busybox"}, nodeName="node-a",
               terminationGracePeriodSeconds=-5)
    r = client.post(coll, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["spec"]["terminationGracePeriodSeconds"] == 1
    r = client.delete(f"{coll}/p?gracePeriodSeconds=-3")
    assert r.status_code == 200, r.text
    assert read_back(client, f"{coll}/p")["metadata"]["deletionGracePeriodSeconds"] == 1
