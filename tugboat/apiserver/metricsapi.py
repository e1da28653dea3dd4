"""The metrics API (metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, metrics-server's
role): computed on request from the kubelets, never stored, so `kubectl top` and the
HorizontalPodAutoscaler see current CPU and memory. Each Ready node's kubelet is asked
for `GET /stats/summary` (Kubernetes' Summary API shape) at its InternalIP and
status.daemonEndpoints.kubeletEndpoint.Port; nodes that do not answer are left out, as
metrics-server leaves them out. Usage is reported as metrics-server writes it: CPU in
nanocores ("12345n"), memory as working-set bytes in Ki."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.requests import Request

from tugboat.api.resources import ResourceInfo, lookup
from tugboat.apiserver import errors, filters
from tugboat.apiserver.kubeletclient import (
    AddressNotAllowed,
    KubeletClient,
    check_kubelet_host,
    kubelet_client,
)
from tugboat.apiserver.registry import Registry

log = logging.getLogger(__name__)

Obj = dict[str, Any]
NODES = lookup("", "v1", "nodes")
PODS = lookup("", "v1", "pods")
SUMMARY_PATH = "/stats/summary"
KUBELET_TIMEOUT = 5.0
WINDOW = "10s"


def kubelet_url(node: Obj, scheme: str = "http") -> str | None:
    """scheme://InternalIP:port of a Ready node's kubelet, or None."""
    status = node.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in status.get("conditions") or [])
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port")
    addrs = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    host = addrs.get("InternalIP") or addrs.get("Hostname")
    if not ready or not port or not host:
        return None
    return f"{scheme}://{host}:{port}"


def _usage(stats: Obj | None) -> Obj:
    cpu = ((stats or {}).get("cpu") or {}).get("usageNanoCores") or 0
    mem = ((stats or {}).get("memory") or {}).get("workingSetBytes") or 0
    return {"cpu": f"{int(cpu)}n", "memory": f"{int(mem) // 1024}Ki"}


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def node_metrics(node: Obj, summary: Obj) -> Obj:
    meta = node.get("metadata") or {}
    now = _stamp()
    return {"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {"name": meta.get("name"), "labels": meta.get("labels") or {},
                         "creationTimestamp": now},
            "timestamp": now, "window": WINDOW, "usage": _usage(summary.get("node"))}


def pod_metrics(pod: Obj, stats: Obj) -> Obj:
    meta = pod.get("metadata") or {}
    now = _stamp()
    return {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {"name": meta.get("name"), "namespace": meta.get("namespace"),
                         "labels": meta.get("labels") or {}, "creationTimestamp": now},
            "timestamp": now, "window": WINDOW,
            "containers": [{"name": c.get("name"), "usage": _usage(c)}
                           for c in stats.get("containers") or []]}


class MetricsApi:
    """GET and list of the computed resources (those with `stored=False`)."""

    def __init__(self, registry: Registry, timeout: float = KUBELET_TIMEOUT):
        self.reg = registry
        self.timeout = timeout
        # resource → its items, as metrics-server has one REST storage per resource
        self._sources: dict[str, Callable[[str | None, str | None],
                                          Awaitable[list[Obj]]]] = {
            "nodes": self._node_items, "pods": self._pod_items}
        self.kubelets = KubeletClient()  # the app's, once a request shows it (see serve)
        self.allow_loopback = False  # the app's rule for loopback kubelets (see proxy.py)

    async def serve(self, request: Request, info: ResourceInfo, namespace: str | None,
                    name: str | None) -> Obj:
        """The object (get) or the list the request asks for."""
        # one MetricsApi per app, so this is always the same installed client
        self.kubelets = kubelet_client(request.app.state)
        self.allow_loopback = getattr(request.app.state, "loopback_kubelets", False)
        q = request.query_params
        match = filters.build(info, q.get("labelSelector"), q.get("fieldSelector"))
        source = self._sources.get(info.resource)
        if source is None:
            raise errors.not_found(info, name or "")
        items = await source(namespace, name)
        if name is not None:
            if not items:
                raise errors.not_found(info, name)
            return items[0]
        items = [i for i in items if match is None or match(i)]
        items.sort(key=lambda i: (i["metadata"].get("namespace") or "", i["metadata"]["name"]))
        return {"kind": info.list_kind, "apiVersion": info.api_version,
                "metadata": {}, "items": items}

    def _nodes(self, name: str | None) -> list[Obj]:
        if name is not None:
            node = self.reg.cache.get(NODES.key(None, name))
            return [node] if node is not None else []
        return self.reg.cache.list(NODES.key_prefix())

    async def _summaries(self, nodes: list[Obj]) -> list[tuple[Obj, Obj]]:
        kubelets = self.kubelets
        targets = [(n, url) for n in nodes if (url := kubelet_url(n, kubelets.config.scheme))]
        if not targets:
            return []
        answers = await asyncio.gather(*(self._fetch(kubelets.http, url) for _, url in targets))
        return [(n, s) for (n, _), s in zip(targets, answers, strict=True) if s is not None]

    async def _fetch(self, http: httpx.AsyncClient, url: str) -> Obj | None:
        try:  # a node's self-reported address must not point the server at itself
            await check_kubelet_host(httpx.URL(url).host, self.allow_loopback)
        except AddressNotAllowed as e:
            log.warning("metrics: not asking %s: %s", url, e)
            return None
        try:
            resp = await http.get(url + SUMMARY_PATH, timeout=self.timeout)
            resp.raise_for_status()
            body = resp.json()
        except (httpx.HTTPError, ValueError) as e:
            log.info("metrics: no summary from %s: %s", url, e)
            return None
        return body if isinstance(body, dict) else None

    async def _node_items(self, _namespace: str | None, name: str | None) -> list[Obj]:
        return [node_metrics(n, s) for n, s in await self._summaries(self._nodes(name))]

    async def _pod_items(self, namespace: str | None, name: str | None) -> list[Obj]:
        if name is not None:
            pod = self.reg.cache.get(PODS.key(namespace, name))
            node_name = ((pod or {}).get("spec") or {}).get("nodeName")
            if node_name is None:
                return []
            nodes = self._nodes(node_name)
        else:
            nodes = self._nodes(None)
        items = []
        for _node, summary in await self._summaries(nodes):
            for stats in summary.get("pods") or []:
                ref = stats.get("podRef") or {}
                if (namespace and ref.get("namespace") != namespace) or \
                        (name and ref.get("name") != name):
                    continue
                pod = self.reg.cache.get(PODS.key(ref.get("namespace"), ref.get("name", "")))
                if pod is None or (ref.get("uid") and ref["uid"] != pod["metadata"].get("uid")):
                    continue
                items.append(pod_metrics(pod, stats))
        return items
