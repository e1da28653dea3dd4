"""How the API server reaches kubelets (pods/log, pods/exec, the metrics API's stats):
kube-apiserver's --kubelet-client-certificate / --kubelet-client-key (its identity to
the kubelet, which authorizes it with a SubjectAccessReview on nodes/proxy, nodes/stats)
and --kubelet-certificate-authority (checks the kubelet's serving certificate against the
address dialled; without it the certificate is not checked, as in Kubernetes).

Kubernetes always dials kubelets over HTTPS. Here the scheme follows the configuration:
HTTPS when a kubelet client certificate is configured, plain HTTP when not — the
first-stage clusters, tests and fake-runtime benchmarks run kubelets without TLS.

The lead installs one KubeletClient per app with `install_kubelet_client(app, config)`;
an app without one dials plain HTTP.

Where to dial comes from the node's own registration (status.addresses and
daemonEndpoints), which its kubelet writes: so a node could name any address, and the
API server would connect there with its own identity. As kube-apiserver does for
nodes/proxy, loopback and link-local targets are refused (link-local holds cloud
metadata services; loopback, the API server's own insecure port). One exception keeps a
single-host cluster working: when every listener of the API server is on loopback, no
other host can register a node, so a node on a loopback address is this host's own
(`allow_loopback`, which the app keeps in its state as `loopback_kubelets`)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

CONNECT_TIMEOUT = 10.0
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressNotAllowed(ValueError):
    """A node's registered address that the API server will not dial."""


@dataclass(frozen=True)
class KubeletClientConfig:
    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.cert_file else "http"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The client side of TLS to kubelets, None for plain HTTP."""
        if not self.cert_file:
            return None
        if self.ca_file:
            ctx = ssl.create_default_context(cafile=self.ca_file)  # checks the address too
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


class KubeletClient:
    """URLs and connections to kubelets. The HTTP client is made on first use, so its
    connections belong to the app's event loop."""

    def __init__(self, config: KubeletClientConfig | None = None):
        self.config = config or KubeletClientConfig()
        self.ssl = self.config.ssl_context()  # read the files now: bad paths fail the start
        self._http: httpx.AsyncClient | None = None

    def url(self, address: str, path: str) -> str:
        """`address` is host:port (see proxy.kubelet_address)."""
        return f"{self.config.scheme}://{address}{path}"

    def websocket_url(self, address: str, path: str) -> str:
        return f"{'wss' if self.ssl else 'ws'}://{address}{path}"

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                trust_env=False, verify=self.ssl if self.ssl is not None else True,
                timeout=httpx.Timeout(CONNECT_TIMEOUT, read=None))
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


async def check_kubelet_host(host: str, allow_loopback: bool) -> None:
    """AddressNotAllowed unless every address `host` stands for may be dialled (a name is
    resolved, as kube-apiserver's isProxyableHostname does)."""
    try:
        ips: list[IP] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None,
                                                                 type=socket.SOCK_STREAM)
        except OSError as e:
            raise AddressNotAllowed(f"address not allowed: cannot resolve {host}: {e}") from None
        ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for ip in ips:
        kind = refused_kind(ip)
        if kind is not None and not (kind == "loopback" and allow_loopback):
            raise AddressNotAllowed(f"address not allowed: {host} is a {kind} address")


def refused_kind(ip: IP) -> str | None:
    """What makes `ip` a target the API server must not dial, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:  # 0.0.0.0 and :: reach this host too
        return "loopback"
    if ip.is_link_local or (ip.is_multicast and ip in _LINK_LOCAL_MULTICAST):
        return "link-local"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_multicast and (ip.packed[1] & 0x0F) == 1:
        return "interface-local multicast"
    return None


_LINK_LOCAL_MULTICAST = ipaddress.ip_network("224.0.0.0/24")


def install_kubelet_client(app: Any, config: KubeletClientConfig) -> KubeletClient:
    client = app.state.kubelet_client = KubeletClient(config)
    return client


def kubelet_client(state: Any) -> KubeletClient:
    """The app's KubeletClient; a plain-HTTP one if none was installed."""
    client = getattr(state, "kubelet_client", None)
    if client is None:
        client = state.kubelet_client = KubeletClient()
    return client
