"""Where names outside the cluster go: the `--upstream` resolvers, else the nameservers of
the host's /etc/resolv.conf (CoreDNS's `forward . /etc/resolv.conf`), less any that would
send a query straight back to this server (what CoreDNS's loop plugin guards against).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

DNS_PORT = 53


@dataclass(frozen=True)
class Upstream:
    host: str
    port: int = DNS_PORT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_upstream(text: str) -> Upstream:
    """`1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`; raises ValueError otherwise."""
    text = text.strip()
    host, port = text, DNS_PORT
    if text.startswith("["):
        host, sep, tail = text[1:].partition("]")
        if not sep or (tail and not tail.startswith(":")):
            raise ValueError(f"bad upstream {text!r}")
        port = int(tail[1:]) if tail else DNS_PORT
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = int(port_text)
    ipaddress.ip_address(host.split("%", 1)[0])  # an address, not a name: no bootstrapping
    if not 0 < port < 65536:
        raise ValueError(f"bad port in upstream {text!r}")
    return Upstream(host, port)


def resolv_conf_upstreams(path: str | Path = "/etc/resolv.conf") -> list[Upstream]:
    """The `nameserver` lines of a resolv.conf (a missing file has none)."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                found.append(parse_upstream(fields[1]))
            except ValueError:
                continue
    return found


def without_loops(upstreams: list[Upstream], bind_address: str, port: int) -> list[Upstream]:
    """Drop the upstreams that are this server: our port on our address, or on any local
    address when we listen on all of them."""
    return [u for u in upstreams if not _is_self(u, bind_address, port)]


def _is_self(upstream: Upstream, bind_address: str, port: int) -> bool:
    if upstream.port != port:
        return False
    host = upstream.host.split("%", 1)[0]
    if host == bind_address:
        return True
    if bind_address not in ("0.0.0.0", "::", ""):
        return False
    return ipaddress.ip_address(host).is_loopback or _is_local(host)


def _is_local(host: str) -> bool:
    """An address can be bound only if it is one of this host's."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False
