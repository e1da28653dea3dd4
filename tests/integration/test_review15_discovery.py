"""Issue 15 review: /apis/{group} answers the group's APIGroup, as kube-apiserver does —
the Python client's `<Group>Api().get_api_group()` reads it to learn the preferred version
(autoscaling: v2 before v1)."""

from __future__ import annotations

import httpx
from kubernetes import client as k8s

from tests.integration.kube import assert_status
from tests.support.processes import ApiServerProcess


def test_a_group_answers_its_api_group(client: httpx.Client, apiserver: ApiServerProcess) -> None:
    r = client.get("/apis/autoscaling")
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "APIGroup", "apiVersion": "v1", "name": "autoscaling",
                        "versions": [{"groupVersion": "autoscaling/v2", "version": "v2"},
                                     {"groupVersion": "autoscaling/v1", "version": "v1"}],
                        "preferredVersion": {"groupVersion": "autoscaling/v2", "version": "v2"}}
    with k8s.ApiClient(k8s.Configuration(host=apiserver.url)) as api:
        group = k8s.AppsApi(api).get_api_group()
    assert group.name == "apps"
    assert group.preferred_version.group_version == "apps/v1"


def test_an_unknown_group_is_not_found(client: httpx.Client) -> None:
    assert_status(client.get("/apis/nosuch.example.com"), 404, "NotFound")
