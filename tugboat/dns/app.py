"""tug-dns put together: informers on Services, EndpointSlices and Namespaces feed the DNS
index; the listeners answer from it and forward the rest; the health port tells when the
caches have synced. `run` serves until `stop` is set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from tugboat.client import ApiClient, SharedInformerFactory
from tugboat.client.healthserver import HealthServer
from tugboat.dns.forward import Forwarder
from tugboat.dns.handler import QueryHandler
from tugboat.dns.health import health_routes
from tugboat.dns.index import DNSIndex
from tugboat.dns.kubernetes import KubernetesZone
from tugboat.dns.metrics import DNSMetrics
from tugboat.dns.options import Options
from tugboat.dns.server import DNSServer
from tugboat.dns.upstreams import Upstream, resolv_conf_upstreams, without_loops

log = logging.getLogger(__name__)


class ListenError(Exception):
    """A listener could not bind: which port it was, and the flag that sets it."""

    def __init__(self, host: str, port: int, flag: str, error: OSError):
        super().__init__(f"{host}:{port} ({flag}): {error.strerror or error}")
        self.host, self.port, self.flag, self.error = host, port, flag, error


class DNSApp:
    def __init__(self, options: Options, client: ApiClient):
        self.options = options
        self.index = DNSIndex()
        self.metrics = DNSMetrics(f"dns://{options.bind_address}:{options.port}")
        self.factory = SharedInformerFactory(client)
        self._watch()
        forwarder = Forwarder(self._upstreams(), options.upstream_timeout,
                              observe=self.metrics.observe_upstream)
        zone = KubernetesZone(self.index, options.cluster_domain, options.ttl)
        self.dns = DNSServer(QueryHandler(zone, forwarder, self.metrics, self.synced),
                             options.bind_address, options.port)
        self.health = HealthServer(options.health_bind_address, options.health_port,
                                   health_routes(self.synced, self.metrics.render))
        # Readiness waits for the records' sources only: Namespaces merely tell an empty
        # namespace's `<ns>.svc` (NODATA) from a missing one, so a role without them
        # (older system:kube-dns bindings) costs that and no more.
        self._informers = [self.factory.informer(r) for r in ("services", "endpointslices")]

    def _watch(self) -> None:
        index = self.index
        for resource, put, remove in (
                ("services", index.set_service, index.delete_service),
                ("endpointslices", index.set_slice, index.delete_slice),
                ("namespaces", index.set_namespace, index.delete_namespace)):
            self.factory.informer(resource).add_event_handler(
                on_add=put, on_update=lambda old, new, put=put: put(new), on_delete=remove)

    def _upstreams(self) -> list[Upstream]:
        opts = self.options
        chosen = opts.upstreams or resolv_conf_upstreams(opts.resolv_conf)
        upstreams = without_loops(chosen, opts.bind_address, opts.port)
        for dropped in set(chosen) - set(upstreams):
            log.warning("not forwarding to %s: that is this server (a loop)", dropped)
        if not upstreams:
            log.warning("no upstream resolvers: names outside %s will get SERVFAIL",
                        opts.cluster_domain)
        return upstreams

    def synced(self) -> bool:
        return all(inf.has_synced for inf in self._informers)

    async def run(self, stop: asyncio.Event) -> int:
        opts = self.options
        # Listen first: a taken port must fail at once, not after the caches sync.
        await _listen(self.dns.start(), opts.bind_address, opts.port, "--port")
        synced: asyncio.Task[None] | None = None
        try:
            if opts.health_port:
                await _listen(self.health.start(), opts.health_bind_address,
                              opts.health_port, "--health-port")
            self.factory.start()
            synced = asyncio.create_task(self._report_sync())
            await stop.wait()
        finally:
            if synced is not None:
                synced.cancel()
            await self.dns.stop()
            await self.health.stop()
            await self.factory.stop()
        return 0

    async def _report_sync(self) -> None:
        await asyncio.gather(*(inf.wait_for_sync() for inf in self._informers))
        self.metrics.synced.set(1)
        log.info("caches synced: serving %s", self.options.cluster_domain)


async def _listen(start: Coroutine[Any, Any, int], host: str, port: int, flag: str) -> int:
    try:
        return await start
    except OSError as e:
        raise ListenError(host, port, flag, e) from e
