"""Issue 15 review: server-side apply through the status subresource, as controllers use it
(`client.apply(..., subresource="status")`): the applier's entry is recorded with
subresource "status" and owns the status fields it set, so a second status applier
conflicts with it — and the spec it sends along changes nothing."""

from __future__ import annotations

import json

import httpx

from tests.integration.kube import assert_status

DEPLOYMENTS = "/apis/apps/v1/namespaces/{ns}/deployments"
APPLY = {"Content-Type": "application/apply-patch+yaml"}


def _deployment(name: str) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "x"}]}}}}


def _status(name: str, replicas: int, **extra: object) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "status": {"replicas": replicas}, **extra}


def _apply(client: httpx.Client, path: str, body: dict, manager: str,
           **params: str) -> httpx.Response:
    return client.patch(path, params={"fieldManager": manager, **params},
                        content=json.dumps(body), headers=APPLY)


def test_status_apply_records_its_manager(client: httpx.Client, ns: str) -> None:
    url = DEPLOYMENTS.format(ns=ns) + "/web"
    assert _apply(client, url, _deployment("web"), "owner").status_code == 201
    r = _apply(client, url + "/status", _status("web", 7, spec={"replicas": 50}), "ctl")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == {"replicas": 7}
    assert r.json()["spec"]["replicas"] == 2
    live = client.get(url).json()
    entries = {e["manager"]: e for e in live["metadata"]["managedFields"]}
    assert entries["ctl"]["operation"] == "Apply"
    assert entries["ctl"]["subresource"] == "status"
    assert entries["ctl"]["fieldsV1"] == {"f:status": {"f:replicas": {}}}
    assert "subresource" not in entries["owner"]

    r = _apply(client, url + "/status", _status("web", 8), "other")
    body = assert_status(r, 409, "Conflict")
    assert body["message"] == ('Apply failed with 1 conflict: conflict with "ctl" with '
                               'subresource "status": .status.replicas')
    r = _apply(client, url + "/status", _status("web", 8), "other", force="true")
    assert r.status_code == 200, r.text
    managers = {e["manager"] for e in r.json()["metadata"]["managedFields"]}
    assert managers == {"owner", "other"}
