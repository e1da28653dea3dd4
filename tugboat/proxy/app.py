"""The proxy daemon: builds the parts (informers on Services and EndpointSlices, the
proxier, the healthz/metrics servers) and runs them until SIGTERM. The rules stay in
place when it stops, as kube-proxy leaves them: traffic keeps flowing across a restart.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tugboat.client import SharedInformerFactory
from tugboat.client.healthserver import HealthServer
from tugboat.proxy.iptables import Iptables
from tugboat.proxy.metrics import ProxyMetrics
from tugboat.proxy.options import Options
from tugboat.proxy.proxier import Proxier, ProxierConfig
from tugboat.proxy.serving import health_routes
from tugboat.proxy.svclink import ServiceLink

log = logging.getLogger(__name__)


class ProxyApp:
    def __init__(self, options: Options, client: Any):
        self.options = options
        self.factory = SharedInformerFactory(client)
        self.metrics = ProxyMetrics()
        self.proxier = Proxier(
            ProxierConfig(node_name=options.node_name, cluster_cidr=options.cluster_cidr,
                          node_ips=options.nodeport_addresses,
                          min_sync_period=options.min_sync_period,
                          sync_period=options.sync_period),
            self.factory.informer("services"), self.factory.informer("endpointslices"),
            Iptables(iptables=options.iptables), ServiceLink(options.service_cidr),
            self.metrics)

    async def run(self, stop: asyncio.Event) -> int:
        servers = []
        ports = {self.options.healthz_port, self.options.metrics_port} - {0}
        for port in sorted(ports):
            server = HealthServer(self.options.bind_address, port,
                                  health_routes(self.proxier.health, self.metrics.render))
            await server.start()
            servers.append(server)
        self.factory.start()
        try:
            synced = asyncio.ensure_future(self.factory.wait_for_sync())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait([synced, stopped], return_when=asyncio.FIRST_COMPLETED)
            synced.cancel()
            stopped.cancel()
            if stop.is_set():
                return 0
            log.info("caches synced; proxying for node %s", self.options.node_name)
            await self.proxier.run(stop)
            return 0
        finally:
            await self.factory.stop()
            for server in servers:
                await server.stop()


async def cleanup(options: Options) -> int:
    """kube-proxy --cleanup: our chains, the jumps to them and the tug-svc0 link go."""
    await Iptables(iptables=options.iptables).cleanup()
    await ServiceLink(options.service_cidr).delete()
    return 0
