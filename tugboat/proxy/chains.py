"""The names of the proxy's iptables chains: kube-proxy's, with TUG- for KUBE-. Per-port
and per-endpoint chains are named by a hash (kube-proxy's portProtoHash and
servicePortEndpointChainName: base32 of sha256, 16 characters), so a name is stable
across restarts and anyone can compute it from outside — `chain_for_endpoint` is how a
benchmark finds an endpoint's rule in `iptables-save -t nat`.
"""

from __future__ import annotations

import base64
import hashlib

PREFIX = "TUG-"
SERVICES = "TUG-SERVICES"
EXTERNAL_SERVICES = "TUG-EXTERNAL-SERVICES"  # filter: NodePorts without endpoints
NODEPORTS = "TUG-NODEPORTS"
POSTROUTING = "TUG-POSTROUTING"
MARK_MASQ = "TUG-MARK-MASQ"
FORWARD = "TUG-FORWARD"
MASQ_MARK = "0x4000"  # kube-proxy's --iptables-masquerade-bit 14

# Built-in chains jump to ours: (table, chain, rule arguments). kube-proxy's iptablesJumpChains.
JUMPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("filter", "INPUT", ("-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                         "tugboat externally-visible service portals", "-j",
                         EXTERNAL_SERVICES)),
    ("filter", "FORWARD", ("-m", "conntrack", "--ctstate", "NEW", "-m", "comment",
                           "--comment", "tugboat externally-visible service portals", "-j",
                           EXTERNAL_SERVICES)),
    ("filter", "FORWARD", ("-m", "conntrack", "--ctstate", "NEW", "-m", "comment",
                           "--comment", "tugboat service portals", "-j", SERVICES)),
    ("filter", "OUTPUT", ("-m", "conntrack", "--ctstate", "NEW", "-m", "comment",
                          "--comment", "tugboat service portals", "-j", SERVICES)),
    ("filter", "FORWARD", ("-m", "comment", "--comment", "tugboat forwarding rules", "-j",
                           FORWARD)),
    ("nat", "PREROUTING", ("-m", "comment", "--comment", "tugboat service portals", "-j",
                           SERVICES)),
    ("nat", "OUTPUT", ("-m", "comment", "--comment", "tugboat service portals", "-j",
                       SERVICES)),
    ("nat", "POSTROUTING", ("-m", "comment", "--comment", "tugboat postrouting rules", "-j",
                            POSTROUTING)),
)


def _hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:16]


def service_chain(port_name: str, protocol: str) -> str:
    """All usable endpoints of one Service port (kube-proxy's KUBE-SVC-)."""
    return "TUG-SVC-" + _hash(port_name + protocol)


def local_chain(port_name: str, protocol: str) -> str:
    """This node's endpoints only, for the Local traffic policies (KUBE-SVL-)."""
    return "TUG-SVL-" + _hash(port_name + protocol)


def external_chain(port_name: str, protocol: str) -> str:
    """NodePort traffic, before it picks the cluster or local chain (KUBE-EXT-)."""
    return "TUG-EXT-" + _hash(port_name + protocol)


def endpoint_chain(port_name: str, protocol: str, address: str) -> str:
    """One endpoint "ip:port" of one Service port (KUBE-SEP-)."""
    return "TUG-SEP-" + _hash(port_name + protocol + address)


def chain_for_endpoint(namespace: str, name: str, port_name: str, protocol: str,
                       address: str) -> str:
    """The endpoint chain from the parts a benchmark knows."""
    suffix = f":{port_name}" if port_name else ""
    return endpoint_chain(f"{namespace}/{name}{suffix}", protocol.lower(), address)
