"""The kubelet port over HTTPS, end to end: a real tug-kubelet (fake runtime) serving
TLS with a client CA, the token webhook and Webhook authorization, asking a stand-in API
server (tests/support/reviewstub.py, which passes everything else to a real
tug-apiserver) for its TokenReviews and SubjectAccessReviews — and the API server's side:
pods/log proxied to that kubelet over HTTPS with a kubelet client certificate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from tests.support.processes import ApiServerProcess, free_port, wait_until
from tests.support.tlskubelet import TlsKubelet, alive, run_pod, spawn, stop
from tugboat.apiserver.app import build_app
from tugboat.apiserver.kubeletclient import KubeletClientConfig, install_kubelet_client

NODE = "tls-node"
NS = "kubelet-tls"
LOGS = f"/containerLogs/{NS}/web/app"


@dataclass
class StubbedKubelet:
    kubelet: TlsKubelet
    record: Path

    def reviews(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]


@pytest.fixture(scope="module")
def stubbed(apiserver: ApiServerProcess, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[StubbedKubelet]:
    work = tmp_path_factory.mktemp("kubelet-tls")
    stub_port, record, stub_log = free_port(), work / "reviews.jsonl", work / "stub.log"
    stub = spawn(["-m", "tests.support.reviewstub", "--port", str(stub_port),
                  "--upstream", apiserver.url, "--record", str(record),
                  "--token", "metrics-token=metrics-reader",
                  "--grant", "metrics-reader:stats"], stub_log)
    kubelet = TlsKubelet(work, NODE)
    try:
        wait_until(lambda: alive(stub, stub_log) or
                   httpx.get(f"http://127.0.0.1:{stub_port}/readyz").status_code == 200,
                   20, "the review stub")
        kubelet.start(f"http://127.0.0.1:{stub_port}")
        yield StubbedKubelet(kubelet, record)
    finally:
        kubelet.stop()
        stop(stub)


@pytest.fixture(scope="module")
def kubelet(stubbed: StubbedKubelet) -> TlsKubelet:
    return stubbed.kubelet


@pytest.fixture(scope="module")
def running_pod(apiserver: ApiServerProcess, kubelet: TlsKubelet) -> dict[str, Any]:
    return run_pod(apiserver.url, NS, "web", NODE)


def test_anonymous_is_401(kubelet: TlsKubelet, running_pod: dict[str, Any]) -> None:
    with kubelet.client() as c:
        for path in (LOGS, "/pods", "/stats/summary", "/healthz"):
            r = c.get(path)
            assert (r.status_code, r.text) == (401, "Unauthorized"), path


def test_plain_http_on_the_tls_port_gets_nothing(kubelet: TlsKubelet) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{kubelet.port}/pods", timeout=5)


def test_client_certificate_without_rights_is_403(stubbed: StubbedKubelet,
                                                   running_pod: dict[str, Any]) -> None:
    with stubbed.kubelet.client("bob") as c:
        r = c.get(LOGS)
    assert (r.status_code, r.text) == (
        403, "Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)")
    review = [r for r in stubbed.reviews() if r["spec"].get("user") == "bob"][-1]
    assert review["kind"] == "SubjectAccessReview"
    assert review["spec"]["groups"] == ["dev", "system:authenticated"]
    assert review["spec"]["resourceAttributes"] == {
        "verb": "get", "version": "v1", "resource": "nodes", "subresource": "proxy",
        "name": NODE}


def test_apiserver_identity_reads_logs(kubelet: TlsKubelet,
                                       running_pod: dict[str, Any]) -> None:
    with kubelet.client("apiserver") as c:
        assert c.get(LOGS).status_code == 200
        pods = c.get("/pods").json()
    assert [p["metadata"]["name"] for p in pods["items"]] == ["web"]


def test_bearer_token_is_reviewed_and_limited_to_stats(stubbed: StubbedKubelet,
                                                        running_pod: dict[str, Any]) -> None:
    kubelet = stubbed.kubelet
    with kubelet.client(headers={"Authorization": "Bearer metrics-token"}) as c:
        assert c.get("/stats/summary").status_code == 200
        r = c.get(LOGS)
        assert (r.status_code, r.text) == (
            403, "Forbidden (user=metrics-reader, verb=get, resource=nodes, "
                 "subresource=proxy)")
    with kubelet.client(headers={"Authorization": "Bearer stolen"}) as c:
        assert c.get("/stats/summary").status_code == 401
    kinds = [r["kind"] for r in stubbed.reviews()
             if r["kind"] == "TokenReview" and r["spec"]["token"] == "metrics-token"]
    assert kinds == ["TokenReview"]  # the answer was cached for the second request


@pytest.mark.anyio
async def test_exec_websocket_carries_the_client_certificate(
        kubelet: TlsKubelet, running_pod: dict[str, Any]) -> None:
    url = f"wss://127.0.0.1:{kubelet.port}/exec/{NS}/web/app?command=true&stdout=1"
    codes = {}
    for who in (None, "bob"):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, ssl=kubelet.tls(who),
                                     subprotocols=["v5.channel.k8s.io"])
        codes[who] = refused.value.response.status_code
    assert codes == {None: 401, "bob": 403}
    async with websockets.connect(url, ssl=kubelet.tls("apiserver"),
                                  subprotocols=["v5.channel.k8s.io"]) as ws:
        status = [m async for m in ws][-1]
    assert status[:1] == b"\x03" and json.loads(status[1:])["status"] == "Success"


def test_healthz_port_is_open_on_loopback(kubelet: TlsKubelet) -> None:
    r = httpx.get(f"http://127.0.0.1:{kubelet.healthz_port}/healthz", timeout=5)
    assert (r.status_code, r.text) == (200, "ok")


@dataclass
class ProxyingApiServer:
    """An in-process API server whose store holds the node and pod the kubelet runs, so
    its pods/log and pods/exec proxy dial that kubelet."""

    app: Any
    http: httpx.AsyncClient
    kubelet: TlsKubelet

    def connect(self, who: str | None, *, verify: bool = True) -> httpx.AsyncClient:
        """Install a kubelet client with `who`'s certificate (the kubelet's CA unless
        `verify` is off); the HTTP client to the API server."""
        pair = self.kubelet.certs.get(who or "")
        install_kubelet_client(self.app, KubeletClientConfig(
            str(pair.cert) if pair else None, str(pair.key) if pair else None,
            str(self.kubelet.pki.ca.cert) if verify else None))
        return self.http


@pytest.fixture
async def proxying_apiserver(tmp_path: Path, kubelet: TlsKubelet,
                             running_pod: dict[str, Any]):
    app = build_app(f"sqlite:///{tmp_path}/state.db")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://tugboat") as c:
            node = {"metadata": {"name": NODE}, "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": kubelet.port}}}}
            assert (await c.post("/api/v1/nodes", json=node)).status_code == 201
            await c.post("/api/v1/namespaces", json={"metadata": {"name": NS}})
            pod = {"metadata": {"name": "web"}, "spec": running_pod["spec"]}
            assert (await c.post(f"/api/v1/namespaces/{NS}/pods", json=pod)).status_code == 201
            yield ProxyingApiServer(app, c, kubelet)


@pytest.mark.anyio
async def test_apiserver_proxies_logs_over_https(proxying_apiserver: ProxyingApiServer
                                                 ) -> None:
    c = proxying_apiserver.connect("apiserver")
    r = await c.get(f"/api/v1/namespaces/{NS}/pods/web/log")
    assert r.status_code == 200, r.text
    c = proxying_apiserver.connect("apiserver", verify=False)  # no CA: unchecked, as k8s
    assert (await c.get(f"/api/v1/namespaces/{NS}/pods/web/log")).status_code == 200


@pytest.mark.anyio
async def test_metrics_api_reads_stats_over_https(proxying_apiserver: ProxyingApiServer
                                                  ) -> None:
    c = proxying_apiserver.connect("apiserver")
    r = await c.get(f"/apis/metrics.k8s.io/v1beta1/nodes/{NODE}")
    assert r.status_code == 200, r.text
    assert set(r.json()["usage"]) == {"cpu", "memory"}
    c = proxying_apiserver.connect("bob")  # nodes/stats denied: the node is left out
    r = await c.get("/apis/metrics.k8s.io/v1beta1/nodes")
    assert (r.status_code, r.json()["items"]) == (200, [])


@pytest.mark.anyio
async def test_kubelet_refusal_reaches_the_caller_as_kubernetes_words_it(
        proxying_apiserver: ProxyingApiServer) -> None:
    c = proxying_apiserver.connect("bob")
    r = await c.get(f"/api/v1/namespaces/{NS}/pods/web/log")
    status = r.json()
    assert (r.status_code, status["reason"], status["message"]) == (
        403, "Forbidden",
        "Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy) ( pods/log web)")


@pytest.mark.anyio
async def test_apiserver_proxies_exec_over_wss(proxying_apiserver: ProxyingApiServer) -> None:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(proxying_apiserver.app, host="127.0.0.1",
                                           port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        url = (f"ws://127.0.0.1:{port}/api/v1/namespaces/{NS}/pods/web/exec"
               "?command=true&stdout=1")
        proxying_apiserver.connect("apiserver")
        async with websockets.connect(url, subprotocols=["v5.channel.k8s.io"]) as ws:
            status = [m async for m in ws][-1]
        assert status[:1] == b"\x03" and json.loads(status[1:])["status"] == "Success"
        proxying_apiserver.connect("bob")
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, subprotocols=["v5.channel.k8s.io"])
        assert refused.value.response.status_code == 403
        assert b"( pods/exec web)" in refused.value.response.body
    finally:
        server.should_exit = True
        await serving
