"""The resourcequota controller on real processes: a quota's status gets `hard` from its
spec and `used` from the namespace's objects, and follows them as pods come and go and as
the spec changes; kubectl's Table columns read that status."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import unique_name
from tests.integration.controller.cluster import FAST_FLAGS, ControllerManagerProcess
from tests.support.processes import ApiServerProcess, wait_until

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    d = tmp_path_factory.mktemp("quota-controller")
    api = ApiServerProcess(d, extra=["--enable-admission-plugins", "ResourceQuota"])
    api.start()
    cm = ControllerManagerProcess(api.url, d / "cm", [
        *FAST_FLAGS, "--controllers", "resourcequota"]).start()
    with httpx.Client(base_url=api.url, timeout=30.0) as c:
        yield c
    cm.stop()
    api.stop()


@pytest.fixture
def ns(http: httpx.Client, request: pytest.FixtureRequest) -> str:
    name = unique_name(request)
    assert http.post("/api/v1/namespaces", json={"metadata": {"name": name}}).status_code == 201
    return name


def status(http: httpx.Client, ns: str, name: str) -> dict:
    return http.get(f"/api/v1/namespaces/{ns}/resourcequotas/{name}").json().get("status") or {}


def pod(name: str, cpu: str, memory: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"containers": [{
        "name": "c", "image": "busybox",
        "resources": {"requests": {"cpu": cpu, "memory": memory},
                      "limits": {"cpu": cpu, "memory": memory}}}]}}


def test_status_follows_the_namespace(http: httpx.Client, ns: str) -> None:
    hard = {"pods": "4", "requests.cpu": "2", "limits.memory": "1Gi", "configmaps": "5"}
    r = http.post(f"/api/v1/namespaces/{ns}/resourcequotas",
                  json={"metadata": {"name": "q"}, "spec": {"hard": hard}})
    assert r.status_code == 201, r.text
    wait_until(lambda: status(http, ns, "q") == {"hard": hard, "used": {
        "configmaps": "0", "limits.memory": "0", "pods": "0", "requests.cpu": "0"}},
        20, "the quota's first status")
    for i, (cpu, mem) in enumerate((("500m", "128Mi"), ("250m", "256Mi"))):
        assert http.post(f"/api/v1/namespaces/{ns}/pods",
                         json=pod(f"p{i}", cpu, mem)).status_code == 201
    want = {"configmaps": "0", "limits.memory": "384Mi", "pods": "2", "requests.cpu": "750m"}
    wait_until(lambda: status(http, ns, "q").get("used") == want, 20, "usage of two pods")

    table = http.get(f"/api/v1/namespaces/{ns}/resourcequotas", headers={"Accept": TABLE})
    cols = [c["name"] for c in table.json()["columnDefinitions"]]
    assert cols == ["Name", "Age", "Request", "Limit"]
    cells = table.json()["rows"][0]["cells"]
    assert cells[2] == "configmaps: 0/5, pods: 2/4, requests.cpu: 750m/2"
    assert cells[3] == "limits.memory: 384Mi/1Gi"

    assert http.delete(f"/api/v1/namespaces/{ns}/pods/p0",
                       params={"gracePeriodSeconds": 0}).status_code == 200
    want = {"configmaps": "0", "limits.memory": "256Mi", "pods": "1", "requests.cpu": "250m"}
    wait_until(lambda: status(http, ns, "q").get("used") == want, 20, "a deleted pod freed")

    q = http.get(f"/api/v1/namespaces/{ns}/resourcequotas/q").json()
    q["spec"]["hard"] = {"pods": "1"}
    assert http.put(f"/api/v1/namespaces/{ns}/resourcequotas/q", json=q).status_code == 200
    wait_until(lambda: status(http, ns, "q") == {"hard": {"pods": "1"}, "used": {"pods": "1"}},
               20, "the new spec in status")
