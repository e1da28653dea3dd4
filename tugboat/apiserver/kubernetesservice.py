"""The `kubernetes` Service in `default`, kept by the API server as kube-apiserver's
bootstrap controller keeps it: ClusterIP the first address of the service range, port 443
(`https`) to the secure port, and an Endpoints and an EndpointSlice of the same name that
name the advertise address. Pods find the API server through it (KUBERNETES_SERVICE_HOST,
kubernetes.default.svc). It is re-checked on a timer, so a deleted or edited object comes
back. A loopback advertise address is not an endpoint Kubernetes accepts (EndpointSlice
validation rejects it), so then the Service is kept without endpoints."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

from tugboat.api.discovery import LABEL_SERVICE_NAME
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.allocators import SERVICE_CIDR
from tugboat.apiserver.registry import Registry, WriteOptions

log = logging.getLogger(__name__)

NAME, NAMESPACE = "kubernetes", "default"
PORT_NAME = "https"
SERVICE_PORT = 443
SYNC_INTERVAL = 10.0  # kube-apiserver's --endpoint-reconciler interval
Obj = dict[str, Any]


@dataclass(frozen=True)
class KubernetesService:
    """What the Service points at: the advertise address (None: no endpoints) and the
    secure port."""
    advertise_address: str | None
    secure_port: int

    @property
    def cluster_ip(self) -> str:
        return str(SERVICE_CIDR.network_address + 1)

    @property
    def publishes_endpoints(self) -> bool:
        if not self.advertise_address or not self.secure_port:
            return False
        ip = ipaddress.ip_address(self.advertise_address)
        return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def service_body(ks: KubernetesService) -> Obj:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": NAME, "namespace": NAMESPACE,
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": ks.cluster_ip,
                     "sessionAffinity": "None",
                     "ports": [{"name": PORT_NAME, "port": SERVICE_PORT, "protocol": "TCP",
                                "targetPort": ks.secure_port}]}}


def endpoints_body(ks: KubernetesService) -> Obj:
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": NAME, "namespace": NAMESPACE,
                         "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": ks.advertise_address}],
                         "ports": [{"name": PORT_NAME, "port": ks.secure_port,
                                    "protocol": "TCP"}]}]}


def endpoint_slice_body(ks: KubernetesService) -> Obj:
    ip = ipaddress.ip_address(ks.advertise_address or "")
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": NAME, "namespace": NAMESPACE,
                         "labels": {LABEL_SERVICE_NAME: NAME}},
            "addressType": f"IPv{ip.version}",
            "endpoints": [{"addresses": [str(ip)], "conditions": {"ready": True}}],
            "ports": [{"name": PORT_NAME, "port": ks.secure_port, "protocol": "TCP"}]}


def _differs(have: Obj, want: Obj, fields: tuple[str, ...]) -> bool:
    return any(have.get(f) != want.get(f) for f in fields) or any(
        (have["metadata"].get("labels") or {}).get(k) != v
        for k, v in (want["metadata"].get("labels") or {}).items())


async def _ensure(reg: Registry, resource: tuple[str, str, str], want: Obj,
                  differs: Any) -> None:
    info = lookup(*resource)
    try:
        have = reg.get(info, NAMESPACE, NAME)
    except errors.ApiError:
        await reg.create(info, NAMESPACE, want, WriteOptions())
        return
    if differs(have, want):
        body = {**have, **{k: v for k, v in want.items() if k != "metadata"}}
        body["metadata"] = {**have["metadata"], "labels": {
            **(have["metadata"].get("labels") or {}), **want["metadata"]["labels"]}}
        await reg.update(info, NAMESPACE, NAME, body, WriteOptions())


def _service_differs(have: Obj, want: Obj) -> bool:
    spec = have.get("spec") or {}
    ports = [{k: p.get(k) for k in ("name", "port", "protocol", "targetPort")}
             for p in spec.get("ports") or []]
    return ports != want["spec"]["ports"] or spec.get("type") != "ClusterIP"


async def reconcile(reg: Registry, ks: KubernetesService) -> None:
    """Create or repair the Service, then its Endpoints and EndpointSlice."""
    svc = service_body(ks)
    info = lookup("", "v1", "services")
    try:
        have = reg.get(info, NAMESPACE, NAME)
    except errors.ApiError:
        have = None
    if have is None:
        await reg.create(info, NAMESPACE, svc, WriteOptions())
    elif _service_differs(have, svc):  # the ClusterIP is immutable: ports and type only
        body = {**have, "spec": {**have["spec"], "type": "ClusterIP",
                                 "ports": svc["spec"]["ports"]}}
        await reg.update(info, NAMESPACE, NAME, body, WriteOptions())
    if not ks.publishes_endpoints:
        return
    await _ensure(reg, ("", "v1", "endpoints"), endpoints_body(ks),
                  lambda h, w: _differs(h, w, ("subsets",)))
    await _ensure(reg, ("discovery.k8s.io", "v1", "endpointslices"), endpoint_slice_body(ks),
                  lambda h, w: _differs(h, w, ("addressType", "endpoints", "ports")))


async def keep(reg: Registry, ks: KubernetesService, interval: float = SYNC_INTERVAL) -> None:
    """Reconcile now and every `interval` until cancelled; failures are logged and retried."""
    if not ks.publishes_endpoints:
        log.warning("kubernetes service: advertise address %s is not an endpoint address "
                    "(loopback or unset); the Service is kept without endpoints",
                    ks.advertise_address)
    while True:
        try:
            await reconcile(reg, ks)
        except errors.ApiError as e:
            log.warning("kubernetes service: %s", e)
        except Exception:
            log.exception("kubernetes service: reconcile failed")
        await asyncio.sleep(interval)
