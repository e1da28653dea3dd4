"""spec.dnsConfig validation, one row per rule with Kubernetes' field, reason and message:
dnsPolicy None needs a nameserver, and the resolver's limits (3 nameservers, 32 search
domains, 2048 characters) are refused at the API."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.api.validation import validate


def pod(policy: str | None = None, config: dict[str, Any] | None = None) -> Pod:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "busybox:1.35"}]}
    if policy:
        spec["dnsPolicy"] = policy
    if config is not None:
        spec["dnsConfig"] = config
    obj = Pod.model_validate({"metadata": {"name": "p", "namespace": "default"}, "spec": spec})
    apply_defaults(obj)
    return obj


def causes(obj: Pod) -> list[tuple[str, str, str]]:
    return [(c.field, c.reason, c.message) for c in validate(obj, None)]


@pytest.mark.parametrize(("policy", "config"), [
    ("None", {"nameservers": ["1.2.3.4"], "searches": ["a.example.", "b"],
              "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}),
    ("ClusterFirst", {"searches": ["x" * 60] * 32}),
    ("Default", {}), (None, None)])
def test_valid_dns_configs(policy: str | None, config: dict[str, Any] | None) -> None:
    assert causes(pod(policy, config)) == []


@pytest.mark.parametrize(("policy", "config", "field", "reason", "message"), [
    ("None", None, "spec.dnsConfig", "FieldValueRequired",
     "Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
    ("None", {"searches": ["a"]}, "spec.dnsConfig.nameservers", "FieldValueRequired",
     "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"),
    (None, {"nameservers": ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"]},
     "spec.dnsConfig.nameservers", "FieldValueInvalid", "must not have more than 3 nameservers"),
    (None, {"nameservers": ["dns.example"]}, "spec.dnsConfig.nameservers[0]",
     "FieldValueInvalid", "must be a valid IP address"),
    (None, {"searches": [f"d{i}" for i in range(33)]}, "spec.dnsConfig.searches",
     "FieldValueInvalid", "must not have more than 32 search paths"),
    (None, {"searches": ["x" * 100] * 21}, "spec.dnsConfig.searches", "FieldValueInvalid",
     "must not have more than 2048 characters (including spaces) in the search list"),
    (None, {"searches": ["Not_A_Domain"]}, "spec.dnsConfig.searches[0]", "FieldValueInvalid",
     "a lowercase RFC 1123 subdomain"),
    (None, {"options": [{"value": "2"}]}, "spec.dnsConfig.options[0]", "FieldValueRequired",
     "Required value: Option.Name must not be empty"),
])
def test_invalid_dns_configs(policy: str | None, config: dict[str, Any] | None, field: str,
                             reason: str, message: str) -> None:
    found = causes(pod(policy, config))
    assert any(f == field and r == reason and message in m for f, r, m in found), found
