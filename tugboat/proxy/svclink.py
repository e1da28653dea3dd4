"""The `tug-svc0` link: ClusterIPs must never leave the host. A route for the whole
service CIDR through a link that delivers nowhere (kube-proxy's ipvs mode keeps
kube-ipvs0 for the same reason) makes a ClusterIP routable, so a connect reaches the nat
table's DNAT, while a packet that no rule claims is dropped here instead of following the
default route out. A `dummy` link when the kernel has the module, else a bridge with no
ports, which drops just the same. Managed with iproute2's `ip`.
"""

from __future__ import annotations

import logging

from tugboat.proxy.iptables import Run, run_command

log = logging.getLogger(__name__)

LINK = "tug-svc0"


class ServiceLink:
    def __init__(self, service_cidr: str, run: Run = run_command, name: str = LINK):
        self.service_cidr, self.run, self.name = service_cidr, run, name

    async def ensure(self) -> None:
        if (await self.run(["ip", "link", "show", self.name], None))[0] != 0:
            for kind in ("dummy", "bridge"):
                code, _, err = await self.run(
                    ["ip", "link", "add", self.name, "type", kind], None)
                if code == 0:
                    break
                log.info("cannot add a %s link %s: %s", kind, self.name, err.decode().strip())
            else:
                raise RuntimeError(f"cannot create link {self.name}")
        await self._ip("link", "set", self.name, "up")
        await self._ip("route", "replace", self.service_cidr, "dev", self.name, "scope",
                       "link")

    async def delete(self) -> None:
        await self.run(["ip", "link", "del", self.name], None)

    async def _ip(self, *args: str) -> None:
        code, _, err = await self.run(["ip", *args], None)
        if code != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {err.decode().strip()}")
