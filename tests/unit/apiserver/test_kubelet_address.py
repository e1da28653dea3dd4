"""Logs and exec dial the address a node registered, unless it is one kube-apiserver
refuses: link-local always, loopback unless every listener is on loopback (a
single-host cluster, whose nodes are all this host's)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tugboat.apiserver.app import build_app
from tugboat.apiserver.kubeletclient import AddressNotAllowed, check_kubelet_host
from tugboat.apiserver.metricsapi import MetricsApi

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0",
                                  "localhost"])
async def test_loopback_only_on_a_single_host_cluster(host: str) -> None:
    with pytest.raises(AddressNotAllowed, match="loopback"):
        await check_kubelet_host(host, allow_loopback=False)
    await check_kubelet_host(host, allow_loopback=True)


@pytest.mark.parametrize("host", ["169.254.169.254", "fe80::1", "224.0.0.1"])
async def test_link_local_never(host: str) -> None:
    with pytest.raises(AddressNotAllowed, match="link-local"):
        await check_kubelet_host(host, allow_loopback=True)


async def test_other_addresses_are_dialled() -> None:
    await check_kubelet_host("10.1.2.3", allow_loopback=False)
    await check_kubelet_host("192.0.2.7", allow_loopback=False)


async def test_pod_logs_from_a_node_on_a_refused_address_are_a_400(tmp_path: Path) -> None:
    app = build_app(f"sqlite:///{tmp_path}/state.db", loopback_kubelets=False)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://tugboat") as c:
            node = {"metadata": {"name": "n1"}, "status": {
                "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 8080}}}}
            assert (await c.post("/api/v1/nodes", json=node)).status_code == 201
            pod = {"metadata": {"name": "p"}, "spec": {
                "nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}]}}
            r = await c.post("/api/v1/namespaces/default/pods", json=pod)
            assert r.status_code == 201, r.text
            r = await c.get("/api/v1/namespaces/default/pods/p/log")
            assert r.status_code == 400
            assert r.json()["message"] == \
                "address not allowed: 127.0.0.1 is a loopback address (node n1)"


def test_the_metrics_api_does_not_ask_a_kubelet_at_a_refused_address() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"node": {}})

    async def fetch(allow_loopback: bool) -> object:
        api = MetricsApi(registry=None)  # type: ignore[arg-type]  # _fetch reads no objects
        api.allow_loopback = allow_loopback
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            return await api._fetch(http, "http://127.0.0.1:10250")

    assert asyncio.run(fetch(allow_loopback=False)) is None and asked == []
    assert asyncio.run(fetch(allow_loopback=True)) == {"node": {}}
    assert asked == ["http://127.0.0.1:10250/stats/summary"]
