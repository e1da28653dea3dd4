"""A pod's resolv.conf, as the kubelet's DNS configurer (pkg/kubelet/network/dns) forms it
from the pod's dnsPolicy and dnsConfig:

- ClusterFirst (the default), and ClusterFirstWithHostNet: the cluster DNS servers
  (--cluster-dns) as the only nameservers, the search path `<ns>.svc.<domain>
  svc.<domain> <domain>` followed by the host's own search domains, and `ndots:5`, so
  `web` and `web.other` are tried as Service names first. Without --cluster-dns the pod
  falls back to Default, with a MissingClusterDNS warning. A hostNetwork pod asking for
  ClusterFirst gets Default too (it shares the host's resolver).
- Default: the host's resolver configuration (--resolv-conf; empty means none at all).
- None: nothing but spec.dnsConfig.

spec.dnsConfig is then appended (nameservers and searches deduplicated, options merged by
name, the pod's winning) and the result cut to what the C library's resolver reads: 3
nameservers, 32 search domains, 2048 characters of search line, each domain at most 253.
Cuts are reported as DNSConfigForming warnings, as the kubelet does.

The text is written into the kubelet's pod directory and bind-mounted over every
container's /etc/resolv.conf — what containerd does with the sandbox's DNSConfig — so the
file is exactly this, not Docker's blend of it with the host's file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from tugboat.api.core import Pod
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure
from tugboat.kubelet.runtime import Mount

log = logging.getLogger(__name__)

MAX_NAMESERVERS = 3
MAX_SEARCH_PATHS = 32
MAX_SEARCH_LINE_CHARS = 2048
MAX_DOMAIN_LENGTH = 253  # longer search domains make glibc's resolver abort
MAX_RESOLV_CONF_BYTES = 10 * 1 << 20  # the kubelet's maxResolvConfLength
DEFAULT_OPTIONS = ("ndots:5",)
RESOLV_CONF = "/etc/resolv.conf"


@dataclass(frozen=True)
class DNSConfig:
    """resolv.conf's three lines (CRI's DNSConfig)."""

    servers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    def render(self) -> str:
        """The file, in the order containerd writes it: search, nameservers, options."""
        lines = []
        if self.searches and self.searches != (".",):
            lines.append("search " + " ".join(self.searches))
        lines += [f"nameserver {s}" for s in self.servers]
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "".join(line + "\n" for line in lines)


@dataclass
class PodDNS:
    """The configuration a pod gets, and the warnings (reason, message) forming it raised."""

    config: DNSConfig
    warnings: list[tuple[str, str]] = field(default_factory=list)


def parse_resolv_conf(text: str) -> DNSConfig:
    """nameserver lines accumulate, the last search line wins (as the C library reads
    them), options accumulate merged by name; a search domain's trailing dot is dropped."""
    servers: list[str] = []
    searches: list[str] = []
    options: list[str] = []
    for raw in text.splitlines():
        fields = raw.split()
        if not fields or fields[0].startswith(("#", ";")):
            continue
        if fields[0] == "nameserver" and len(fields) >= 2:
            servers.append(fields[1])
        elif fields[0] == "search":
            searches = [s.removesuffix(".") for s in fields[1:] if s != "."]
        elif fields[0] == "options":
            options = merge_options(options, [_option_pair(o) for o in fields[1:]])
    return DNSConfig(tuple(servers), tuple(searches), tuple(options))


def _option_pair(option: str) -> tuple[str, str | None]:
    name, sep, value = option.partition(":")
    return name, value if sep else None


def merge_options(existing: list[str] | tuple[str, ...],
                  extra: list[tuple[str, str | None]]) -> list[str]:
    """Options by name, later ones replacing earlier ones in place (`ndots:5` + `ndots:2`
    → `ndots:2`); a value-less option is written bare."""
    merged: dict[str, str | None] = dict(_option_pair(o) for o in existing)
    for name, value in extra:
        merged[name] = value
    return [name if not value else f"{name}:{value}" for name, value in merged.items()]


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def fit_limits(config: DNSConfig) -> PodDNS:
    """Cut the configuration to what the resolver reads, saying what was cut."""
    warnings = []
    servers = config.servers
    if len(servers) > MAX_NAMESERVERS:
        servers = servers[:MAX_NAMESERVERS]
        warnings.append(("DNSConfigForming", "Nameserver limits were exceeded, some "
                         "nameservers have been omitted, the applied nameserver line is: "
                         + " ".join(servers)))
    searches = list(config.searches)
    exceeded = len(searches) > MAX_SEARCH_PATHS
    searches = searches[:MAX_SEARCH_PATHS]
    kept = [s for s in searches if len(s) <= MAX_DOMAIN_LENGTH]
    exceeded = exceeded or len(kept) < len(searches)
    while kept and len(" ".join(kept)) > MAX_SEARCH_LINE_CHARS:
        kept.pop()  # the last domains go first: the pod's own come before the host's
        exceeded = True
    if exceeded:
        warnings.append(("DNSConfigForming", "Search Line limits were exceeded, some search "
                         "paths have been omitted, the applied search line is: "
                         + " ".join(kept)))
    return PodDNS(DNSConfig(servers, tuple(kept), config.options), warnings)


def _pod_name(pod: Pod) -> str:
    """The kubelet's format.Pod: name_namespace(uid)."""
    m = pod.metadata
    return f"{m.name}_{m.namespace}({m.uid})"


class DNSConfigurer:
    """The node's DNS settings (--cluster-dns, --cluster-domain, --resolv-conf) applied to
    pods; `root_dir` is the kubelet's, whose pods/<uid>/ folder holds each resolv.conf."""

    def __init__(self, root_dir: str | os.PathLike[str], cluster_dns: tuple[str, ...] = (),
                 cluster_domain: str = "cluster.local", resolv_conf: str = RESOLV_CONF):
        self.root = Path(root_dir)
        self.cluster_dns = tuple(cluster_dns)
        self.cluster_domain = cluster_domain
        self.resolv_conf = resolv_conf

    def host_config(self) -> DNSConfig:
        """The host's resolver, read afresh for each pod (it may change under the kubelet,
        as with DHCP). An unreadable file is logged and counts as empty."""
        if not self.resolv_conf:
            return DNSConfig()
        try:
            with open(self.resolv_conf, encoding="utf-8", errors="replace") as f:
                return parse_resolv_conf(f.read(MAX_RESOLV_CONF_BYTES))
        except OSError as e:
            log.warning("cannot read --resolv-conf %s: %s", self.resolv_conf, e)
            return DNSConfig()

    def _cluster_searches(self, pod: Pod, host: tuple[str, ...]) -> tuple[str, ...]:
        domain = self.cluster_domain
        if not domain:
            return host
        ns = pod.metadata.namespace or "default"
        return _dedupe([f"{ns}.svc.{domain}", f"svc.{domain}", domain, *host])

    def _base(self, pod: Pod, warnings: list[tuple[str, str]]) -> DNSConfig:
        policy = pod.spec.dnsPolicy or "ClusterFirst"
        if policy == "None":
            return DNSConfig()
        host = self.host_config()
        cluster = policy == "ClusterFirstWithHostNet" or (
            policy == "ClusterFirst" and not pod.spec.hostNetwork)
        if cluster and self.cluster_dns:
            return DNSConfig(self.cluster_dns, self._cluster_searches(pod, host.searches),
                             DEFAULT_OPTIONS)
        if cluster:
            warnings.append(("MissingClusterDNS", f'pod: "{_pod_name(pod)}". kubelet does '
                             "not have ClusterDNS IP configured and cannot create Pod using "
                             '"ClusterFirst" policy. Falling back to "Default" policy.'))
        if not self.resolv_conf:
            # --resolv-conf="": no resolver at all (a local one that is not there), rather
            # than the runtime's silent default of the host's file
            return DNSConfig(("127.0.0.1",), (".",))
        return host

    def pod_dns(self, pod: Pod) -> PodDNS:
        """The pod's resolv.conf: its policy's base, then spec.dnsConfig, then the limits."""
        warnings: list[tuple[str, str]] = []
        config = self._base(pod, warnings)
        extra = pod.spec.dnsConfig
        if extra is not None:
            config = DNSConfig(
                _dedupe([*config.servers, *(extra.nameservers or ())]),
                _dedupe([*config.searches, *(extra.searches or ())]),
                tuple(merge_options(config.options, [(o.name or "", o.value)
                                                     for o in extra.options or ()])))
        fitted = fit_limits(config)
        fitted.warnings[:0] = warnings
        return fitted

    def path(self, uid: str) -> Path:
        return self.root / "pods" / uid / "resolv.conf"

    def write(self, pod: Pod) -> PodDNS:
        """Form and write the pod's resolv.conf (at sandbox creation, as the kubelet forms
        it once per sandbox)."""
        formed = self.pod_dns(pod)
        target = self.path(pod.metadata.uid or "")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(".resolv.conf.tmp")
        staging.write_text(formed.config.render())
        staging.chmod(0o644)
        os.replace(staging, target)  # a container starting now sees the old or the new file
        return formed

    def mount(self, pod: Pod) -> tuple[Mount, PodDNS | None]:
        """The bind mount of the pod's resolv.conf; the file is formed first when it is
        missing (a sandbox made before this kubelet started, whose folder was removed)."""
        target = self.path(pod.metadata.uid or "")
        try:
            formed = None if target.is_file() else self.write(pod)
        except OSError as e:
            raise StartFailure(CREATE_CONFIG_ERROR, f"cannot write resolv.conf: {e}") from e
        return Mount(str(target), RESOLV_CONF), formed
