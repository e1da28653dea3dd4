"""spec.dnsConfig validation (Kubernetes' validatePodDNSConfig): the limits come from the
C library's resolver — at most 3 nameservers, 32 search domains and 2048 characters of
search line — so a pod the kubelet would have to truncate is refused at the API instead.
dnsPolicy None builds resolv.conf from dnsConfig alone, so it must name a nameserver."""

from __future__ import annotations

from tugboat.api.pod import PodDNSConfig
from tugboat.api.validation.fielderrors import Errors, invalid, required
from tugboat.api.validation.names import is_dns1123_subdomain, is_ip

MAX_DNS_NAMESERVERS = 3
MAX_DNS_SEARCH_PATHS = 32
MAX_DNS_SEARCH_LIST_CHARS = 2048


def validate_pod_dns_config(config: PodDNSConfig | None, policy: str | None, path: str,
                            errs: Errors) -> None:
    """`path` is the dnsConfig field's own path (spec.dnsConfig)."""
    if policy == "None":
        if config is None:
            errs.append(required(path, "must provide `dnsConfig` when `dnsPolicy` is None"))
            return
        if not config.nameservers:
            errs.append(required(f"{path}.nameservers", "must provide at least one DNS "
                                 "nameserver when `dnsPolicy` is None"))
            return
    if config is None:
        return
    servers = config.nameservers or []
    if len(servers) > MAX_DNS_NAMESERVERS:
        errs.append(invalid(f"{path}.nameservers", servers,
                            f"must not have more than {MAX_DNS_NAMESERVERS} nameservers"))
    for i, server in enumerate(servers):
        for msg in is_ip(server):
            errs.append(invalid(f"{path}.nameservers[{i}]", server, msg))
    searches = config.searches or []
    if len(searches) > MAX_DNS_SEARCH_PATHS:
        errs.append(invalid(f"{path}.searches", searches,
                            f"must not have more than {MAX_DNS_SEARCH_PATHS} search paths"))
    if len(" ".join(searches)) > MAX_DNS_SEARCH_LIST_CHARS:
        errs.append(invalid(f"{path}.searches", searches,
                            f"must not have more than {MAX_DNS_SEARCH_LIST_CHARS} characters "
                            "(including spaces) in the search list"))
    for i, search in enumerate(searches):
        trimmed = search.removesuffix(".")  # a fully qualified domain's trailing dot is fine
        for msg in is_dns1123_subdomain(trimmed):
            errs.append(invalid(f"{path}.searches[{i}]", trimmed, msg))
    for i, option in enumerate(config.options or ()):
        if not option.name:
            errs.append(required(f"{path}.options[{i}]", "Option.Name must not be empty"))
