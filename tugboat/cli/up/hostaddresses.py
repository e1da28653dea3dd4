"""The names and addresses this host answers to, for the serving certificates' SANs: a
client that reaches the API server or the kubelet by any of them — localhost, the host
name, the LAN address, the docker0 bridge gateway that pods see — must find it in the
certificate, or TLS verification fails.

IPv4 addresses come from the kernel (SIOCGIFADDR per interface, no extra dependency);
looking names up in DNS is avoided, since `tug up` must start offline.
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass

SIOCGIFADDR = 0x8915
SIOCGIFNETMASK = 0x891B
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class HostAddresses:
    names: tuple[str, ...]  # DNS names, loopback's included
    ips: tuple[str, ...]  # IP addresses, loopback's included


def ipv4_of(interface: str) -> str | None:
    """The primary IPv4 address of one interface (e.g. docker0), None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), SIOCGIFADDR,
                                 struct.pack("256s", interface.encode()[:15]))
        except OSError:  # no such interface, or no IPv4 address on it
            return None
    return socket.inet_ntoa(packed[20:24])


def ipv4_network_of(interface: str) -> str | None:
    """The IPv4 network of one interface as a CIDR (docker0's is the pods' address range
    on this host), None when it has no address."""
    ip = ipv4_of(interface)
    if ip is None:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), SIOCGIFNETMASK,
                                 struct.pack("256s", interface.encode()[:15]))
        except OSError:
            return None
    mask = socket.inet_ntoa(packed[20:24])
    return str(ipaddress.ip_network(f"{ip}/{mask}", strict=False))


def interface_ipv4s() -> list[str]:
    """The primary IPv4 address of every interface that has one, loopback excluded."""
    found: list[str] = []
    for _, name in socket.if_nameindex():
        ip = ipv4_of(name)
        if ip and not ipaddress.ip_address(ip).is_loopback and ip not in found:
            found.append(ip)
    return found


def host_addresses(*extra_names: str) -> HostAddresses:
    """This host: localhost, its host name (and `extra_names`, e.g. the node name), the
    loopback addresses and every interface's IPv4."""
    names: list[str] = []
    for name in (*LOOPBACK_NAMES, socket.gethostname().lower(), *extra_names):
        if name and name not in names:
            names.append(name)
    return HostAddresses(tuple(names), (*LOOPBACK_IPS, *interface_ipv4s()))
