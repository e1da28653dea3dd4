"""ResourceQuota and LimitRange admission on a real API server: a quota refuses the pod
over it with Kubernetes' 403 and message, refuses pods that do not state what it tracks,
cannot be overrun by concurrent creates; a LimitRange fills container defaults and
refuses containers outside its bounds."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import unique_name
from tests.support.processes import ApiServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    proc = ApiServerProcess(tmp_path_factory.mktemp("quota-apiserver"), extra=[
        "--enable-admission-plugins", "ResourceQuota,LimitRanger"])
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def http(server: ApiServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as c:
        yield c


@pytest.fixture
def ns(http: httpx.Client, request: pytest.FixtureRequest) -> str:
    name = unique_name(request)
    assert http.post("/api/v1/namespaces", json={"metadata": {"name": name}}).status_code == 201
    return name


def pod(name: str, resources: dict | None = None, **spec: object) -> dict:
    c: dict = {"name": "c", "image": "busybox"}
    if resources is not None:
        c["resources"] = resources
    return {"metadata": {"name": name}, "spec": {"containers": [c], **spec}}


def quota(http: httpx.Client, ns: str, name: str, hard: dict, **spec: object) -> None:
    r = http.post(f"/api/v1/namespaces/{ns}/resourcequotas", json={
        "metadata": {"name": name}, "spec": {"hard": hard, **spec}})
    assert r.status_code == 201, r.text


def test_a_quota_rejects_the_pod_over_it(http: httpx.Client, ns: str) -> None:
    quota(http, ns, "q", {"pods": "2"})
    for i in range(2):
        assert http.post(f"/api/v1/namespaces/{ns}/pods", json=pod(f"p{i}")).status_code == 201
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("p2"))
    assert r.status_code == 403, r.text
    assert r.json()["reason"] == "Forbidden"
    assert r.json()["message"] == ('pods "p2" is forbidden: exceeded quota: q, requested: '
                                   'pods=1, used: pods=2, limited: pods=2')
    # a deleted pod frees its slot
    assert http.delete(f"/api/v1/namespaces/{ns}/pods/p0",
                       params={"gracePeriodSeconds": 0}).status_code == 200
    assert http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("p2")).status_code == 201


def test_compute_quota_needs_containers_to_state_it(http: httpx.Client, ns: str) -> None:
    quota(http, ns, "compute", {"limits.cpu": "1", "requests.memory": "1Gi"})
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("bare"))
    assert r.status_code == 403, r.text
    assert r.json()["message"] == ('pods "bare" is forbidden: failed quota: compute: must '
                                   'specify limits.cpu for: c; requests.memory for: c')
    ok = {"limits": {"cpu": "600m", "memory": "512Mi"}}
    assert http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("a", ok)).status_code == 201
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("b", ok))
    assert r.status_code == 403
    assert r.json()["message"] == ('pods "b" is forbidden: exceeded quota: compute, requested: '
                                   'limits.cpu=600m, used: limits.cpu=600m, limited: '
                                   'limits.cpu=1')


def test_counts_of_other_kinds(http: httpx.Client, ns: str) -> None:
    quota(http, ns, "objects", {"configmaps": "1", "count/secrets": "0"})
    cm = {"metadata": {"name": "one"}, "data": {"a": "b"}}
    assert http.post(f"/api/v1/namespaces/{ns}/configmaps", json=cm).status_code == 201
    r = http.post(f"/api/v1/namespaces/{ns}/configmaps",
                  json={**cm, "metadata": {"name": "two"}})
    assert r.status_code == 403
    assert "exceeded quota: objects, requested: configmaps=1, used: configmaps=1" \
        in r.json()["message"]
    r = http.post(f"/api/v1/namespaces/{ns}/secrets", json={"metadata": {"name": "s"}})
    assert r.status_code == 403
    assert "requested: count/secrets=1, used: count/secrets=0, limited: count/secrets=0" \
        in r.json()["message"]


def test_scoped_quota_counts_only_the_pods_it_selects(http: httpx.Client, ns: str) -> None:
    quota(http, ns, "besteffort", {"pods": "1"}, scopes=["BestEffort"])
    assert http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("b1")).status_code == 201
    assert http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("b2")).status_code == 403
    sized = {"requests": {"cpu": "100m"}}
    assert http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("s1", sized)).status_code == 201


def test_concurrent_creates_cannot_overrun_a_quota(server: ApiServerProcess, http: httpx.Client,
                                                   ns: str) -> None:
    quota(http, ns, "q", {"pods": "3"})

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60.0) as c:
            rs = await asyncio.gather(*(c.post(f"/api/v1/namespaces/{ns}/pods",
                                               json=pod(f"p{i}")) for i in range(12)))
        return [r.status_code for r in rs]

    codes = asyncio.run(burst())
    assert sorted(codes) == [201] * 3 + [403] * 9
    assert len(http.get(f"/api/v1/namespaces/{ns}/pods").json()["items"]) == 3


def test_limit_range_defaults_and_bounds(http: httpx.Client, ns: str) -> None:
    r = http.post(f"/api/v1/namespaces/{ns}/limitranges", json={
        "metadata": {"name": "lr"}, "spec": {"limits": [{
            "type": "Container", "max": {"cpu": "500m"}, "min": {"cpu": "50m"},
            "default": {"cpu": "200m", "memory": "128Mi"},
            "defaultRequest": {"cpu": "100m"}}]}})
    assert r.status_code == 201, r.text
    item = r.json()["spec"]["limits"][0]
    assert item["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}  # Kubernetes' defaulting
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("plain"))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "200m", "memory": "128Mi"},
        "requests": {"cpu": "100m", "memory": "128Mi"}}
    assert created["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for "
        "container c")
    r = http.post(f"/api/v1/namespaces/{ns}/pods", json=pod("big", {"limits": {"cpu": "1"}}))
    assert r.status_code == 403, r.text
    assert r.json()["message"] == ('pods "big" is forbidden: maximum cpu usage per Container '
                                   'is 500m, but limit is 1')
    r = http.post(f"/api/v1/namespaces/{ns}/pods",
                  json=pod("tiny", {"requests": {"cpu": "10m"}}))
    assert r.status_code == 403
    assert r.json()["message"] == ('pods "tiny" is forbidden: minimum cpu usage per Container '
                                   'is 50m, but request is 10m')


def test_invalid_limit_range_and_quota(http: httpx.Client, ns: str) -> None:
    r = http.post(f"/api/v1/namespaces/{ns}/limitranges", json={
        "metadata": {"name": "bad"}, "spec": {"limits": [{
            "type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]}})
    assert r.status_code == 422
    assert r.json()["details"]["causes"][0]["field"] == "spec.limits[0].min[cpu]"
    r = http.post(f"/api/v1/namespaces/{ns}/resourcequotas", json={
        "metadata": {"name": "bad"}, "spec": {"hard": {"pods": "-1"}}})
    assert r.status_code == 422
    assert r.json()["details"]["causes"][0]["field"] == "spec.hard[pods]"
