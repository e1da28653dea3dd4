"""Server-side apply and managedFields on a real API server: every write records its
manager's fields, applies conflict with other managers (409 with the fields), force takes
them, fields an applier drops go, updates take ownership, dry runs store nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.kube import assert_status, configmap, deployment, rv
from tests.support.processes import ApiServerProcess

Obj = dict[str, Any]
APPLY = {"Content-Type": "application/apply-patch+yaml"}
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture(scope="module")
def api(apiserver: ApiServerProcess) -> Iterator[httpx.Client]:
    headers = {"Accept": "application/json", "User-Agent": "ssa-tests/1.0 (linux)"}
    with httpx.Client(base_url=apiserver.url, timeout=15.0, headers=headers) as c:
        yield c


def managers(obj: Obj) -> dict[tuple[str, str], Obj]:
    return {(e["manager"], e["operation"]): e for e in obj["metadata"].get("managedFields", [])}


def apply(api: httpx.Client, url: str, body: Obj, manager: str | None = "ssa",
          **params: str) -> httpx.Response:
    if manager is not None:
        params["fieldManager"] = manager
    return api.patch(url, content=json.dumps(body).encode(), headers=APPLY, params=params)


def config(name: str, replicas: int, **extra: Any) -> Obj:
    d = deployment(name, replicas)
    d["spec"].update(extra)
    return d


def test_a_create_records_its_manager_from_the_parameter_or_the_user_agent(
        api: httpx.Client, ns: str) -> None:
    r = api.post(f"/api/v1/namespaces/{ns}/configmaps", json=configmap("a", k="v"),
                 params={"fieldManager": "kubectl-create"})
    assert r.status_code == 201, r.text
    (e,) = r.json()["metadata"]["managedFields"]
    assert (e["manager"], e["operation"], e["apiVersion"], e["fieldsType"]) == \
        ("kubectl-create", "Update", "v1", "FieldsV1")
    assert e["fieldsV1"] == {"f:data": {".": {}, "f:k": {}}}
    r = api.post(f"/api/v1/namespaces/{ns}/configmaps", json=configmap("b", k="v"))
    assert [e["manager"] for e in r.json()["metadata"]["managedFields"]] == ["ssa-tests"]
    assert api.get(f"/api/v1/namespaces/{ns}/configmaps/b").json() == r.json()


def test_apply_creates_then_an_unchanged_apply_writes_nothing(api: httpx.Client,
                                                             ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    r = apply(api, url, config("web", 2))
    assert r.status_code == 201, r.text
    first = r.json()
    entry = managers(first)["ssa", "Apply"]
    assert entry["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert "subresource" not in entry
    r = apply(api, url, config("web", 2))
    assert r.status_code == 200, r.text
    assert rv(r.json()) == rv(first)
    assert r.json()["metadata"]["managedFields"] == first["metadata"]["managedFields"]


def test_apply_needs_a_field_manager(api: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    body = assert_status(apply(api, url, config("web", 1), manager=None), 422, "Invalid")
    assert body["message"] == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                               'Required value: is required for apply patch')
    assert body["details"]["causes"] == [{"reason": "FieldValueRequired", "field": "fieldManager",
                                          "message": "Required value: is required for apply patch"}]
    r = api.patch(url, json={}, headers=MERGE, params={"force": "true"})
    body = assert_status(r, 422, "Invalid")
    assert "force: Forbidden: may not be specified for non-apply patch" in body["message"]


def test_conflicts_and_force(api: httpx.Client, ns: str) -> None:
    r = api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", json=config("web", 1),
                 params={"fieldManager": "kubectl-client-side-apply"})
    assert r.status_code == 201, r.text
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    body = assert_status(apply(api, url, config("web", 3)), 409, "Conflict")
    assert body["message"] == ('Apply failed with 1 conflict: conflict with '
                               '"kubectl-client-side-apply" using apps/v1: .spec.replicas')
    assert body["details"]["causes"] == [{
        "reason": "FieldManagerConflict", "field": ".spec.replicas",
        "message": 'conflict with "kubectl-client-side-apply" using apps/v1'}]
    assert api.get(url).json()["spec"]["replicas"] == 1
    # the same value is no conflict: both own it
    r = apply(api, url, config("web", 1))
    assert r.status_code == 200, r.text
    got = managers(r.json())
    assert "f:replicas" in got["ssa", "Apply"]["fieldsV1"]["f:spec"]
    assert "f:replicas" in got["kubectl-client-side-apply", "Update"]["fieldsV1"]["f:spec"]
    r = apply(api, url, config("web", 3), force="true")
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["replicas"] == 3
    got = managers(r.json())
    assert "f:replicas" not in got["kubectl-client-side-apply", "Update"]["fieldsV1"]["f:spec"]


def test_fields_an_applier_stops_applying_are_removed(api: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    cfg = config("web", 2, minReadySeconds=7)
    cfg["metadata"]["labels"] = {"team": "a", "tier": "b"}
    assert apply(api, url, cfg).status_code == 201
    cfg = config("web", 2)
    cfg["metadata"]["labels"] = {"team": "a"}
    r = apply(api, url, cfg)
    assert r.status_code == 200, r.text
    got = r.json()
    assert "minReadySeconds" not in got["spec"] or got["spec"]["minReadySeconds"] == 0
    assert got["metadata"]["labels"] == {"team": "a"}


def test_an_update_takes_ownership_from_the_applier(api: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    assert apply(api, url, config("web", 2)).status_code == 201
    r = api.patch(url, json={"spec": {"replicas": 5}}, headers=MERGE,
                  params={"fieldManager": "scaler"})
    assert r.status_code == 200, r.text
    got = managers(r.json())
    assert got["scaler", "Update"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in got["ssa", "Apply"]["fieldsV1"]["f:spec"]
    body = assert_status(apply(api, url, config("web", 2)), 409, "Conflict")
    assert 'conflict with "scaler" using apps/v1: .spec.replicas' in body["message"]


def test_status_writes_own_status_through_the_subresource(api: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    obj = apply(api, url, config("web", 1)).json()
    obj["status"] = {"observedGeneration": 1, "replicas": 1}
    r = api.put(url + "/status", json=obj, params={"fieldManager": "ctrl"})
    assert r.status_code == 200, r.text
    e = managers(r.json())["ctrl", "Update"]
    assert e["subresource"] == "status"
    assert e["fieldsV1"] == {"f:status": {"f:observedGeneration": {}, "f:replicas": {}}}


def test_dry_run_apply_computes_but_stores_nothing(api: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    before = apply(api, url, config("web", 1)).json()
    r = apply(api, url, config("web", 4), dryRun="All")
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["replicas"] == 4
    assert api.get(url).json() == before


def test_managed_fields_reset_and_validation(api: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/a"
    assert api.post(f"/api/v1/namespaces/{ns}/configmaps",
                    json=configmap("a", k="v")).status_code == 201
    obj = api.get(url).json()
    obj["metadata"]["managedFields"] = [{"manager": "m", "operation": "Bogus",
                                         "fieldsType": "FieldsV1", "fieldsV1": {}}]
    body = assert_status(api.put(url, json=obj), 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "metadata.managedFields[0].operation"
    obj["metadata"]["managedFields"] = []
    r = api.put(url, json=obj)
    assert r.status_code == 200, r.text
    assert "managedFields" not in r.json()["metadata"]
    assert "managedFields" not in api.get(url).json()["metadata"]
