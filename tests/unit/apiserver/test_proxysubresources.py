"""pods/proxy and services/proxy, before any byte moves: the `scheme:name:port` forms, where
a pod is reached (its first declared port when none is given, a named container port, no
loopback or link-local addresses), which headers go on, and a Service resolved through
its EndpointSlices — the port number turned into the Service port's name, unready
endpoints skipped, and Kubernetes' 503s when nothing is left."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.datastructures import Headers

from tugboat.apiserver import errors
from tugboat.apiserver.proxysubresources import (
    RelayedResponse,
    _client,
    _forwarded_headers,
    pod_location,
    service_location,
    split_scheme_name_port,
)


@pytest.mark.parametrize("text, split", [
    ("web", ("http", "web", "")),
    ("web:8080", ("http", "web", "8080")),
    ("web:http", ("http", "web", "http")),
    ("https:web:443", ("https", "web", "443")),
    ("https:web:", ("https", "web", "")),
    (":web:80", ("http", "web", "80")),
    ("", None),
    (":80", None),
    ("ftp:web:21", None),
    ("a:b:c:d", None),
])
def test_split_scheme_name_port(text: str, split: tuple[str, str, str] | None) -> None:
    assert split_scheme_name_port(text) == split


def _pod(ip: str | None = "172.17.0.5", ports: list[dict[str, Any]] | None = None
         ) -> dict[str, Any]:
    return {"metadata": {"name": "web"},
            "spec": {"containers": [{"name": "a"}, {"name": "b", "ports": ports or []}]},
            "status": {"podIP": ip} if ip else {}}


def test_pod_location() -> None:
    ports = [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}]
    assert pod_location(_pod(ports=ports), "http", "", False) == "http://172.17.0.5:8080"
    assert pod_location(_pod(ports=ports), "https", "metrics", False) == \
        "https://172.17.0.5:9090"
    assert pod_location(_pod(), "http", "", False) == "http://172.17.0.5"
    assert pod_location(_pod("fd00::5"), "http", "80", False) == "http://[fd00::5]:80"
    with pytest.raises(errors.ApiError, match='no port named "nope"'):
        pod_location(_pod(ports=ports), "http", "nope", False)


@pytest.mark.parametrize("ip", [None, "127.0.0.1", "169.254.169.254", "::1", "0.0.0.0"])
def test_pod_addresses_not_allowed(ip: str | None) -> None:
    with pytest.raises(errors.ApiError) as e:
        pod_location(_pod(ip), "http", "80", False)
    assert e.value.code == 400 and e.value.message == "address not allowed"


def test_loopback_pods_on_a_single_host_cluster() -> None:
    assert pod_location(_pod("127.0.0.1"), "http", "80", True) == "http://127.0.0.1:80"
    with pytest.raises(errors.ApiError):
        pod_location(_pod("169.254.1.1"), "http", "80", True)


def test_hop_by_hop_headers_and_credentials_stay_behind() -> None:
    headers = Headers(raw=[(k.lower().encode(), v.encode()) for k, v in [
        ("Accept", "text/html"), ("Connection", "keep-alive, X-Secret"), ("X-Secret", "1"),
        ("Keep-Alive", "5"), ("Authorization", "Bearer t"), ("Host", "api"),
        ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"), ("X-Trace", "a"),
        ("X-Trace", "b"), ("Content-Length", "3")]])
    assert _forwarded_headers(headers) == [("accept", "text/html"), ("x-trace", "a"),
                                           ("x-trace", "b")]


class Registry:
    """The two reads service_location makes, from fixed objects."""

    def __init__(self, service: dict[str, Any] | None, slices: list[dict[str, Any]]):
        self.service, self.slices = service, slices

    def get(self, info: Any, namespace: str, name: str) -> dict[str, Any]:
        if self.service is None or self.service["metadata"]["name"] != name:
            raise errors.ApiError(404, "NotFound", f'services "{name}" not found')
        return self.service

    async def list(self, info: Any, namespace: str, match: Any) -> tuple[list[Any], str, None]:
        return [s for s in self.slices if match(s)], "1", None


SERVICE = {"metadata": {"name": "web"}, "spec": {"ports": [
    {"name": "http", "port": 80}, {"name": "admin", "port": 81}]}}


def _slice(endpoints: list[tuple[str, bool | None]], ports: list[tuple[str, int]],
           service: str = "web") -> dict[str, Any]:
    return {"metadata": {"labels": {"kubernetes.io/service-name": service}},
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready}}
                          for ip, ready in endpoints],
            "ports": [{"name": n, "port": p} for n, p in ports]}


@pytest.mark.anyio
async def test_a_service_resolves_to_a_ready_endpoint() -> None:
    reg: Any = Registry(SERVICE, [
        _slice([("172.17.0.2", False), ("172.17.0.3", True)], [("http", 8080), ("admin", 9)]),
        _slice([("172.17.0.9", True)], [("http", 1)], service="other")])
    for name in ("web:80", "web:http", "https:web:80"):
        location = await service_location(reg, "ns", name, False)
        assert location.endswith("://172.17.0.3:8080")
    assert await service_location(reg, "ns", "web:81", False) == "http://172.17.0.3:9"


@pytest.mark.anyio
async def test_service_errors() -> None:
    reg: Any = Registry(SERVICE, [_slice([("172.17.0.2", False)], [("http", 8080)])])
    with pytest.raises(errors.ApiError) as e:
        await service_location(reg, "ns", "web:80", False)
    assert (e.value.code, e.value.reason, e.value.message) == (
        503, "ServiceUnavailable", 'no endpoints available for service "web:80"')
    with pytest.raises(errors.ApiError) as e:
        await service_location(reg, "ns", "web:82", False)
    assert e.value.message == 'no service port 82 found for service "web"'
    with pytest.raises(errors.ApiError) as e:
        await service_location(reg, "ns", "ghost", False)
    assert e.value.code == 404
    with pytest.raises(errors.ApiError) as e:
        await service_location(reg, "ns", "a:b:c:d", False)
    assert e.value.code == 400 and e.value.message == 'invalid service request "a:b:c:d"'


class _Upstream:
    status_code = 200

    def __init__(self) -> None:
        self.closed = False

    async def aiter_raw(self):  # type: ignore[no-untyped-def]
        yield b"body"

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.anyio
@pytest.mark.parametrize("spec_version", ["2.3", "2.4"])
async def test_the_upstream_is_closed_when_the_client_left_before_the_body(
        spec_version: str) -> None:
    # Else each such request would keep one of the proxy pool's connections for good.
    upstream = _Upstream()

    async def gone(_message: Any) -> None:
        raise OSError("client gone")

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    with pytest.raises(Exception):  # noqa: B017 - starlette's ClientDisconnect or OSError
        await RelayedResponse(upstream)({"type": "http", "asgi": {"spec_version":
                                                                  spec_version}},
                                        receive, gone)
    assert upstream.closed


@pytest.mark.anyio
async def test_long_proxied_streams_do_not_hold_up_the_next_caller() -> None:
    # 120 replies that never end (watches through services/x/proxy), then one more.
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n")
        await writer.drain()
        await asyncio.sleep(60)
        writer.close()

    server = await asyncio.start_server(endless, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    http = _client(SimpleNamespace())
    streams = []
    try:
        for _ in range(121):
            request = http.build_request("GET", f"http://127.0.0.1:{port}/watch")
            streams.append(await asyncio.wait_for(http.send(request, stream=True), 10))
    finally:
        for response in streams:
            await response.aclose()
        await http.aclose()
        server.close()
    assert len(streams) == 121
