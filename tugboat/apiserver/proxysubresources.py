"""pods/{name}/proxy[/{path}] and services/{name}/proxy[/{path}]: the API server as an
HTTP reverse proxy to a pod, as `kubectl get --raw .../services/web:80/proxy/` and the
dashboards of old use it. The name may be `name`, `name:port` or `scheme:name:port`
(Kubernetes' SplitSchemeNamePort).

A pod is reached at its podIP and the port given, else its first declared container port;
a Service at a ready endpoint of its EndpointSlices (picked at random) whose port has the
name of the Service port asked for — a port number is first turned into its Service port's
name, as Kubernetes' ResourceLocation does — with 503 ServiceUnavailable when there is
none. Every verb passes; bodies stream both ways; only hop-by-hop headers (and the
caller's own credentials) are dropped. The address is checked as kubelets' are
(kubeletclient.refused_kind): loopback and link-local targets are refused."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tugboat.api.discovery import LABEL_SERVICE_NAME
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.kubeletclient import refused_kind
from tugboat.apiserver.proxy import relay_body
from tugboat.apiserver.registry import Registry

Obj = dict[str, Any]
PODS = lookup("", "v1", "pods")
SERVICES = lookup("", "v1", "services")
SLICES = lookup("discovery.k8s.io", "v1", "endpointslices")
CONNECT_TIMEOUT = 10.0
# RFC 9110 §7.6.1's hop-by-hop headers, which end at the proxy; and the caller's
# credentials, which were for the API server (Kubernetes' authentication filter drops them).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate",
                        "proxy-authorization", "te", "trailer", "transfer-encoding",
                        "upgrade", "proxy-connection"})
CREDENTIALS = frozenset({"authorization"})


def split_scheme_name_port(text: str) -> tuple[str, str, str] | None:
    """`name`, `name:port` or `scheme:name:port` (scheme http or https) → (scheme, name,
    port), None when malformed."""
    parts = text.split(":")
    if len(parts) == 1:
        scheme, name, port = "", parts[0], ""
    elif len(parts) == 2:
        scheme, name, port = "", parts[0], parts[1]
    elif len(parts) == 3:
        scheme, name, port = parts
        if scheme not in ("", "http", "https"):
            return None
    else:
        return None
    if not name:
        return None
    return scheme or "http", name, port


def _split(kind: str, text: str) -> tuple[str, str, str]:
    split = split_scheme_name_port(text)
    if split is None:
        raise errors.bad_request(f"invalid {kind} request {text!r}".replace("'", '"'))
    return split


def _checked_host(ip: str, allow_loopback: bool) -> str:
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        raise errors.bad_request("address not allowed") from None
    kind = refused_kind(parsed)
    if kind is not None and not (kind == "loopback" and allow_loopback):
        raise errors.bad_request("address not allowed")
    return f"[{ip}]" if parsed.version == 6 else ip


def pod_location(pod: Obj, scheme: str, port: str, allow_loopback: bool) -> str:
    """scheme://ip[:port] of a pod; a named port is one of its containers' ports."""
    containers = (pod.get("spec") or {}).get("containers") or []
    declared = [p for c in containers for p in c.get("ports") or []]
    if not port and declared:
        port = str(declared[0].get("containerPort"))
    elif port and not port.isdigit():
        named = [p for p in declared if p.get("name") == port]
        if not named:
            raise errors.bad_request(f'no port named "{port}" in pod '
                                     f'{pod["metadata"]["name"]}')
        port = str(named[0].get("containerPort"))
    ip = (pod.get("status") or {}).get("podIP")
    if not ip:
        raise errors.bad_request("address not allowed")
    host = _checked_host(ip, allow_loopback)
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


async def service_location(reg: Registry, namespace: str, id_: str,
                           allow_loopback: bool) -> str:
    scheme, name, port = _split("service", id_)
    if port.isdigit():
        svc = reg.get(SERVICES, namespace, name)
        numbered = [p for p in (svc.get("spec") or {}).get("ports") or []
                    if p.get("port") == int(port)]
        if not numbered:
            raise errors.ApiError(503, "ServiceUnavailable",
                                  f'no service port {port} found for service "{name}"')
        port = numbered[0].get("name") or ""
    else:
        reg.get(SERVICES, namespace, name)  # a missing service is a 404
    slices, _rv, _cont = await reg.list(
        SLICES, namespace,
        lambda o: ((o.get("metadata") or {}).get("labels") or {}).get(LABEL_SERVICE_NAME)
        == name)
    candidates: list[tuple[str, int]] = []
    for s in slices:
        numbers = [p.get("port") for p in s.get("ports") or []
                   if (p.get("name") or "") == port and p.get("port")]
        for endpoint in s.get("endpoints") or []:
            ready = (endpoint.get("conditions") or {}).get("ready")
            if ready is False or not endpoint.get("addresses"):
                continue
            candidates += [(endpoint["addresses"][0], n) for n in numbers]
    if not candidates:
        raise errors.ApiError(503, "ServiceUnavailable",
                              f'no endpoints available for service "{id_}"')
    ip, number = random.choice(candidates)
    return f"{scheme}://{_checked_host(ip, allow_loopback)}:{number}"


def _client(state: Any) -> httpx.AsyncClient:
    """One connection pool for proxied requests; pods' certificates are not checked, as
    Kubernetes' proxy transport does not check them."""
    client = getattr(state, "proxy_http", None)
    if client is None:
        # No cap on connections: proxied streams (watches, downloads) may last for hours,
        # and with httpx's default of 100 the next caller would wait for one to end.
        client = state.proxy_http = httpx.AsyncClient(
            trust_env=False, verify=False,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
            timeout=httpx.Timeout(CONNECT_TIMEOUT, read=None, write=None, pool=None))
    return client


class RelayedResponse(StreamingResponse):
    """A streamed upstream reply that closes the upstream however the reply ends. The body
    iterator closes it once started, but a client gone before the first chunk leaves the
    iterator unstarted, and the pool's connection would stay taken for good."""

    def __init__(self, upstream: Any):
        super().__init__(relay_body(upstream), status_code=upstream.status_code)
        self.upstream = upstream

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.upstream.aclose()


def _forwarded_headers(headers: Any) -> list[tuple[str, str]]:
    named = {h.strip().lower() for h in headers.get("connection", "").split(",")}
    drop = HOP_BY_HOP | CREDENTIALS | named | {"host", "content-length"}
    return [(k, v) for k, v in headers.items() if k.lower() not in drop]


async def relay(request: Request, location: str, path: str) -> Response:
    """Send `request` on to `location` + `path` (and its query) and stream the answer."""
    query = request.url.query
    url = f"{location}/{path.lstrip('/')}" + (f"?{query}" if query else "")
    http = _client(request.app.state)
    headers = _forwarded_headers(request.headers)
    if "content-length" in request.headers:
        headers.append(("content-length", request.headers["content-length"]))
    has_body = request.method not in ("GET", "HEAD", "OPTIONS") or \
        "content-length" in request.headers or "transfer-encoding" in request.headers
    upstream_request = http.build_request(
        request.method, url, headers=headers,
        content=request.stream() if has_body else None)
    try:
        upstream = await http.send(upstream_request, stream=True)
    except httpx.HTTPError as e:
        raise errors.ApiError(503, "ServiceUnavailable",
                              f"error trying to reach service: {e or type(e).__name__}"
                              ) from None
    reply = RelayedResponse(upstream)
    named = {h.strip().lower() for h in upstream.headers.get("connection", "").split(",")}
    # the body is relayed as it came (aiter_raw), so its length and encoding still hold;
    # repeated headers (Set-Cookie) stay repeated
    reply.raw_headers = [(k.encode("latin-1"), v.encode("latin-1"))
                         for k, v in upstream.headers.multi_items()
                         if k.lower() not in HOP_BY_HOP | named]
    return reply


async def pod_proxy(request: Request) -> Response:
    """/api/v1/namespaces/{namespace}/pods/{name}/proxy[/{path}]."""
    p = request.path_params
    state = request.app.state
    scheme, name, port = _split("pod", p["name"])
    pod = state.registry.get(PODS, p["namespace"], name)
    location = pod_location(pod, scheme, port, getattr(state, "loopback_kubelets", False))
    return await relay(request, location, p.get("path", ""))


async def service_proxy(request: Request) -> Response:
    """/api/v1/namespaces/{namespace}/services/{name}/proxy[/{path}]."""
    p = request.path_params
    state = request.app.state
    location = await service_location(state.registry, p["namespace"], p["name"],
                                      getattr(state, "loopback_kubelets", False))
    return await relay(request, location, p.get("path", ""))
