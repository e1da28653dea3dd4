"""The whole of the proxy's iptables content, as `iptables-restore --noflush` input, from
the Service ports this node proxies. A pure function (kube-proxy's syncProxyRules without
the I/O), so every case is a unit test on text.

Per Service port, as kube-proxy's iptables mode writes it:
- nat TUG-SERVICES matches the ClusterIP and jumps to the internal chain: TUG-SVC-
  (every usable endpoint) or, with internalTrafficPolicy Local, TUG-SVL- (this node's).
- The chain picks an endpoint: ClientIP affinity first (`recent`, per endpoint), then
  `statistic --mode random` with probability 1/n, 1/(n-1) ... so each is equally likely.
  Usable endpoints are the ready ones; if none is ready, the serving ones that are
  terminating (kube-proxy's terminating fallback), so draining pods finish the job.
- TUG-SEP- marks hairpin traffic for masquerade and DNATs to the endpoint.
- A NodePort (dst-type LOCAL, or the given node IPs) jumps to TUG-EXT-, which marks for
  masquerade (externalTrafficPolicy Cluster) or keeps the client's address (Local).
- No endpoints: the filter table REJECTs (icmp-port-unreachable: "connection refused");
  a Local policy (internal or external) with endpoints only elsewhere DROPs instead, as
  kube-proxy does.
Chains of ours that are no longer wanted are flushed and deleted in the same restore.

The rules are a value (`proxy_chains`: table -> chain -> rules), and `restore_text` turns
it into restore input: everything (a full sync), or only the chains that differ from what
the last restore wrote (a partial sync, kube-proxy's since 1.26, KEP-3453).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tugboat.proxy import chains as c
from tugboat.proxy.serviceports import EndpointInfo, ServicePortInfo

NAT_BASE = (c.SERVICES, c.NODEPORTS, c.POSTROUTING, c.MARK_MASQ)
FILTER_BASE = (c.SERVICES, c.EXTERNAL_SERVICES, c.FORWARD)
TABLES = ("filter", "nat")  # restore order: the REJECTs before the DNATs

Chains = dict[str, tuple[str, ...]]  # chain name -> its rules ("-A ..." lines), in order
Ruleset = dict[str, Chains]  # table -> the TUG- chains it holds


@dataclass
class _Table:
    name: str
    rules: dict[str, list[str]] = field(default_factory=dict)  # chain -> rules, ordered

    def chain(self, name: str) -> None:
        self.rules.setdefault(name, [])

    def add(self, chain: str, *args: str) -> None:
        self.rules.setdefault(chain, []).append(" ".join(("-A", chain, *args)))


def comment(text: str) -> tuple[str, str, str, str]:
    return ("-m", "comment", "--comment", f'"{text}"' if " " in text else text)


def usable(endpoints: Iterable[EndpointInfo]) -> list[EndpointInfo]:
    """Ready endpoints; else serving-and-terminating ones (kube-proxy's fallback)."""
    eps = list(endpoints)
    ready = [e for e in eps if e.ready]
    return ready or [e for e in eps if e.serving and e.terminating]


def proxy_chains(ports: Sequence[ServicePortInfo], *, node_name: str,
                 cluster_cidr: str | None = None, node_ips: Sequence[str] = ()) -> Ruleset:
    """Every TUG- chain the filter and nat tables should hold, with its rules. Each
    Service port's share is computed once per distinct ServicePortInfo (a cache keyed by
    the frozen value), so a sync after one Service changed rebuilds only that one's rules
    — kube-proxy's partial sync skips the unchanged Services' rule generation too."""
    nat, filt = _Table("nat"), _Table("filter")
    for name in NAT_BASE:
        nat.chain(name)
    for name in FILTER_BASE:
        filt.chain(name)
    _base_rules(nat, filt)
    for sp in ports:
        for table, share in zip((nat, filt), _port_share(sp, node_name, cluster_cidr),
                                strict=True):
            for chain, rules in share:
                table.rules.setdefault(chain, []).extend(rules)
    # NodePorts last, so a ClusterIP match always wins (kube-proxy's order).
    if node_ips:
        for ip in node_ips:
            nat.add(c.SERVICES, *comment("tugboat service nodeports"), "-d",
                    ip if "/" in ip else f"{ip}/32", "-j", c.NODEPORTS)
    else:
        nat.add(c.SERVICES, *comment("tugboat service nodeports"), "!", "-d",
                "127.0.0.0/8", "-m", "addrtype", "--dst-type", "LOCAL", "-j", c.NODEPORTS)
    return {t.name: {chain: tuple(rules) for chain, rules in t.rules.items()}
            for t in (filt, nat)}


_Share = tuple[tuple[str, tuple[str, ...]], ...]


@functools.lru_cache(maxsize=16384)
def _port_share(sp: ServicePortInfo, node_name: str, cluster_cidr: str | None
                ) -> tuple[_Share, _Share]:
    """One Service port's chains and its rules in the shared ones, for (nat, filter)."""
    nat, filt = _Table("nat"), _Table("filter")
    _service_port(nat, filt, sp, node_name, cluster_cidr)
    return tuple((ch, tuple(r)) for ch, r in nat.rules.items()), \
        tuple((ch, tuple(r)) for ch, r in filt.rules.items())


def restore_text(desired: Ruleset, *, written: Ruleset | None = None,
                 existing: dict[str, Iterable[str]] | None = None) -> str:
    """The `iptables-restore --noflush` input that makes the tables hold `desired`.

    Full (`written` None): every chain is declared (so flushed) and refilled, and the
    chains in `existing` (read back with iptables-save) that are no longer wanted are
    flushed and deleted. Partial (`written`: what the last successful restore put in
    place): only the chains whose rules differ from `written` are rewritten, and the ones
    `written` had that `desired` lacks are deleted; chains left out of the input keep
    their rules (--noflush). "" when nothing differs. kube-proxy's MinimizeIPTablesRestore.
    """
    out = []
    for table in TABLES:
        want = desired.get(table, {})
        if written is None:
            chains = list(want)
            gone = sorted(set((existing or {}).get(table, ())) - set(want))
        else:
            had = written.get(table, {})
            chains = [ch for ch, rules in want.items() if had.get(ch) != rules]
            gone = sorted(set(had) - set(want))
            if not chains and not gone:
                continue
        lines = [f"*{table}"]
        lines += [f":{name} - [0:0]" for name in (*chains, *gone)]
        for name in chains:
            lines += want[name]
        lines += [f"-X {name}" for name in gone]
        lines.append("COMMIT")
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def proxy_rules(ports: Sequence[ServicePortInfo], *, node_name: str,
                cluster_cidr: str | None = None, node_ips: Sequence[str] = (),
                existing_nat: Iterable[str] = (), existing_filter: Iterable[str] = ()) -> str:
    """The full restore input for the filter and nat tables. `existing_*` name the TUG-
    chains the tables hold now, so the ones no longer wanted are deleted."""
    return restore_text(proxy_chains(ports, node_name=node_name, cluster_cidr=cluster_cidr,
                                     node_ips=node_ips),
                        existing={"nat": existing_nat, "filter": existing_filter})


def _base_rules(nat: _Table, filt: _Table) -> None:
    nat.add(c.POSTROUTING, "-m", "mark", "!", "--mark", f"{c.MASQ_MARK}/{c.MASQ_MARK}",
            "-j", "RETURN")
    nat.add(c.POSTROUTING, "-j", "MARK", "--xor-mark", c.MASQ_MARK)
    nat.add(c.POSTROUTING, *comment("tugboat service traffic requiring SNAT"), "-j",
            "MASQUERADE", "--random-fully")
    nat.add(c.MARK_MASQ, "-j", "MARK", "--or-mark", c.MASQ_MARK)
    filt.add(c.FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
    filt.add(c.FORWARD, *comment("tugboat forwarding rules"), "-m", "mark", "--mark",
             f"{c.MASQ_MARK}/{c.MASQ_MARK}", "-j", "ACCEPT")
    filt.add(c.FORWARD, *comment("tugboat forwarding conntrack rule"), "-m", "conntrack",
             "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")


def _service_port(nat: _Table, filt: _Table, sp: ServicePortInfo, node_name: str,
                  cluster_cidr: str | None) -> None:
    name, proto = sp.port_name_string, sp.protocol
    cluster_eps = usable(sp.endpoints)
    local_eps = usable(e for e in sp.endpoints if e.node_name == node_name)
    internal_eps = local_eps if sp.internal_local else cluster_eps
    has_nodeport = sp.node_port is not None
    external_eps = local_eps if sp.external_local else cluster_eps
    svc, svl = c.service_chain(name, proto), c.local_chain(name, proto)
    ext = c.external_chain(name, proto)
    use_cluster = bool(cluster_eps) and (not sp.internal_local or has_nodeport)
    use_local = bool(local_eps) and (sp.internal_local or (has_nodeport and sp.external_local))
    vip = ("-d", f"{sp.cluster_ip}/32", "-p", proto, "-m", proto, "--dport", str(sp.port))

    if internal_eps:
        internal = svl if sp.internal_local else svc
        nat.add(c.SERVICES, *comment(f"{name} cluster IP"), *vip, "-j", internal)
    elif cluster_eps:
        # internalTrafficPolicy Local with endpoints on other nodes only: dropped, not
        # refused, so a client retries instead of failing fast (kube-proxy's DROP here).
        filt.add(c.SERVICES, *comment(f"{name} has no local endpoints"), *vip, "-j", "DROP")
    else:
        filt.add(c.SERVICES, *comment(f"{name} has no endpoints"), *vip, "-j", "REJECT")

    if has_nodeport:
        nodeport = ("-p", proto, "-m", proto, "--dport", str(sp.node_port))
        if external_eps or (sp.external_local and cluster_eps):
            nat.chain(ext)
            nat.add(c.NODEPORTS, *comment(name), *nodeport, "-j", ext)
            _external_chain(nat, ext, sp, svc if use_cluster else None,
                            svl if external_eps else None, cluster_cidr)
        local_dst = ("-m", "addrtype", "--dst-type", "LOCAL", *nodeport)
        if not cluster_eps:
            filt.add(c.EXTERNAL_SERVICES, *comment(f"{name} has no endpoints"), *local_dst,
                     "-j", "REJECT")
        elif not external_eps:
            filt.add(c.EXTERNAL_SERVICES, *comment(f"{name} has no local endpoints"),
                     *local_dst, "-j", "DROP")

    masq_vip = cluster_cidr is not None
    if use_cluster:
        _policy_chain(nat, svc, sp, cluster_eps, cluster_cidr if masq_vip and not
                      sp.internal_local else None)
    if use_local:
        _policy_chain(nat, svl, sp, local_eps, cluster_cidr if masq_vip and
                      sp.internal_local else None)


def _external_chain(nat: _Table, ext: str, sp: ServicePortInfo, cluster: str | None,
                    local: str | None, cluster_cidr: str | None) -> None:
    name = sp.port_name_string
    if not sp.external_local:
        nat.add(ext, *comment(f"masquerade traffic for {name} external destinations"),
                "-j", c.MARK_MASQ)
        nat.add(ext, "-j", cluster or "RETURN")
        return
    # Local: pods and the node itself may use any endpoint; only outside clients keep
    # their address and are limited to this node's endpoints.
    if cluster is not None:
        if cluster_cidr:
            nat.add(ext, *comment(f"pod traffic for {name} external destinations"), "-s",
                    cluster_cidr, "-j", cluster)
        nat.add(ext, *comment(f"masquerade LOCAL traffic for {name} external destinations"),
                "-m", "addrtype", "--src-type", "LOCAL", "-j", c.MARK_MASQ)
        nat.add(ext, *comment(f"route LOCAL traffic for {name} external destinations"),
                "-m", "addrtype", "--src-type", "LOCAL", "-j", cluster)
    if local is not None:
        nat.add(ext, "-j", local)


def _policy_chain(nat: _Table, chain: str, sp: ServicePortInfo,
                  endpoints: list[EndpointInfo], masq_cidr: str | None) -> None:
    """A TUG-SVC-/TUG-SVL- chain: affinity, then an even random choice, each endpoint's
    rule commented "ns/svc:port -> ip:port" (what tells from outside that it is in place)."""
    name, proto = sp.port_name_string, sp.protocol
    nat.chain(chain)
    if masq_cidr:
        nat.add(chain, *comment(f"{name} cluster IP"), "!", "-s", masq_cidr, "-d",
                f"{sp.cluster_ip}/32", "-p", proto, "-m", proto, "--dport", str(sp.port),
                "-j", c.MARK_MASQ)
    seps = [(ep, c.endpoint_chain(name, proto, ep.address)) for ep in endpoints]
    if sp.affinity_timeout is not None:
        for ep, sep in seps:
            nat.add(chain, *comment(f"{name} -> {ep.address}"), "-m", "recent", "--name",
                    sep, "--rcheck", "--seconds", str(sp.affinity_timeout), "--reap",
                    "-j", sep)
    n = len(seps)
    for i, (ep, sep) in enumerate(seps):
        chance = () if i == n - 1 else ("-m", "statistic", "--mode", "random",
                                        "--probability", f"{1.0 / (n - i):0.10f}")
        nat.add(chain, *comment(f"{name} -> {ep.address}"), *chance, "-j", sep)
    for ep, sep in seps:
        if sep in nat.rules:  # shared by the cluster and local chains
            continue
        nat.chain(sep)
        nat.add(sep, *comment(name), "-s", f"{ep.ip}/32", "-j", c.MARK_MASQ)
        affinity = ("-m", "recent", "--name", sep, "--set") \
            if sp.affinity_timeout is not None else ()
        nat.add(sep, *comment(name), *affinity, "-p", proto, "-m", proto, "-j", "DNAT",
                "--to-destination", ep.address)
