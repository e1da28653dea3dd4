"""Optimistic concurrency under real contention: many clients writing one object at once.
Updates pinned to one resourceVersion: exactly one wins. Unpinned patches: all land."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from tests.integration.kube import configmap, rv
from tests.support.processes import ApiServerProcess

N = 16


def all_at_once(url: str, request: Callable[[httpx.Client, int], httpx.Response]
                ) -> list[httpx.Response]:
    """Run `request` on N threads, each with its own connection, released together."""
    barrier = threading.Barrier(N)
    out: list[Any] = [None] * N

    def run(i: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            barrier.wait()
            out[i] = request(c, i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, httpx.Response) for r in out), out
    return out


def test_updates_with_one_resource_version_have_one_winner(
        client: httpx.Client, apiserver: ApiServerProcess, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    assert client.post(coll, json=configmap("x", v="start")).status_code == 201
    cur = client.get(f"{coll}/x").json()

    def put(c: httpx.Client, i: int) -> httpx.Response:
        body = json.loads(json.dumps(cur))
        body["data"] = {"v": f"writer-{i}"}
        return c.put(f"{coll}/x", json=body)

    rs = all_at_once(apiserver.url, put)
    codes = sorted(r.status_code for r in rs)
    assert codes == [200] + [409] * (N - 1), codes
    winner = next(r for r in rs if r.status_code == 200).json()
    stored = client.get(f"{coll}/x").json()
    assert stored["data"] == winner["data"]
    assert rv(stored) == rv(winner) > rv(cur)
    for r in rs:
        if r.status_code == 409:
            assert r.json()["reason"] == "Conflict"


def test_creates_of_one_name_have_one_winner(client: httpx.Client,
                                             apiserver: ApiServerProcess, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    rs = all_at_once(apiserver.url,
                     lambda c, i: c.post(coll, json=configmap("same", v=str(i))))
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] + [409] * (N - 1), codes
    assert all(r.json()["reason"] == "AlreadyExists" for r in rs if r.status_code == 409)
    winner = next(r for r in rs if r.status_code == 201).json()
    assert client.get(f"{coll}/same").json()["data"] == winner["data"]


def test_concurrent_unpinned_patches_all_land(client: httpx.Client,
                                             apiserver: ApiServerProcess, ns: str) -> None:
    """A patch without a resourceVersion is retried on conflict by the server, as
    Kubernetes' GuaranteedUpdate does: no client sees a 409 and no change is lost."""
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    assert client.post(coll, json=configmap("p")).status_code == 201

    def patch(c: httpx.Client, i: int) -> httpx.Response:
        return c.patch(f"{coll}/p", content=json.dumps({"data": {f"k{i:02d}": "1"}}).encode(),
                       headers={"Content-Type": "application/merge-patch+json"})

    rs = all_at_once(apiserver.url, patch)
    codes = sorted(r.status_code for r in rs)
    data = client.get(f"{coll}/p").json().get("data") or {}
    assert codes == [200] * N, (codes, [r.text[:200] for r in rs if r.status_code != 200][:2])
    assert sorted(data) == [f"k{i:02d}" for i in range(N)]


def test_concurrent_scale_patches_all_land(client: httpx.Client, apiserver: ApiServerProcess,
                                           ns: str) -> None:
    from tests.integration.kube import deployment

    coll = f"/apis/apps/v1/namespaces/{ns}/deployments"
    assert client.post(coll, json=deployment("web")).status_code == 201
    rs = all_at_once(apiserver.url, lambda c, i: c.patch(
        f"{coll}/web/scale", content=json.dumps({"spec": {"replicas": i + 1}}).encode(),
        headers={"Content-Type": "application/merge-patch+json"}))
    assert sorted(r.status_code for r in rs) == [200] * N, [r.text[:200] for r in rs
                                                             if r.status_code != 200][:2]
    final = client.get(f"{coll}/web").json()
    assert final["spec"]["replicas"] in range(1, N + 1)
