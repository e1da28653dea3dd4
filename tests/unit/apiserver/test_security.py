"""What the kube-apiserver security flags build: the authenticator chain and the
admission chain, in flag order, with clear errors for names that do not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tugboat.apiserver.auth.authorizers import AlwaysAllow
from tugboat.apiserver.auth.x509 import X509Authenticator
from tugboat.apiserver.security import (
    SecurityOptions,
    build_admission,
    build_authenticator,
    build_security,
)
from tugboat.apiserver.watchcache import WatchCache
from tugboat.store import open_store


@pytest.fixture
def cache(tmp_path: Path) -> WatchCache:
    return WatchCache(open_store(f"sqlite:///{tmp_path}/state.db"))


def test_admission_plugins_in_flag_order_with_rbac_escalation_last(cache: WatchCache) -> None:
    chain = build_admission(["NamespaceLifecycle", "ServiceAccount", "PodSecurity",
                             "NodeRestriction"], cache, AlwaysAllow())
    assert [p.name for p in chain.mutating] == ["ServiceAccount"]
    assert [p.name for p in chain.validating] == ["PodSecurity", "NodeRestriction",
                                                  "RBACEscalation"]


def test_no_plugins_and_no_rbac_is_an_empty_chain(cache: WatchCache) -> None:
    chain = build_admission([], cache, None)
    assert chain.mutating == [] and chain.validating == []


def test_an_unknown_admission_plugin_is_an_error(cache: WatchCache) -> None:
    with pytest.raises(ValueError, match='plugin "AlwaysPullImages" is unknown'):
        build_admission(["AlwaysPullImages"], cache, None)


def test_client_certificates_only_with_a_client_ca(cache: WatchCache, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text("t,u,1\n")
    with_ca = build_authenticator(SecurityOptions(client_ca_file="ca.crt"), cache)
    without = build_authenticator(SecurityOptions(token_auth_file=str(tokens),
                                                  anonymous_auth=False), cache)
    assert any(isinstance(a, X509Authenticator) for a in with_ca.requests)
    assert not any(isinstance(a, X509Authenticator) for a in without.requests)
    assert without.anonymous is False
    assert without.authenticate_token("t").name == "u"


def test_the_default_flags_build_node_and_rbac_with_the_bootstrap_policy(cache: WatchCache
                                                                        ) -> None:
    sec = build_security(SecurityOptions(), cache)
    assert sec.authorizer is not None and sec.authorization_filter is not None
    assert [h.__name__ for h in sec.start_hooks] == ["reconcile_bootstrap_policy"]
    assert sec.audit is None and sec.kubelet_client is None
    assert sec.api_audiences == ("https://kubernetes.default.svc.cluster.local",)


def test_an_unknown_authorization_mode_is_an_error(cache: WatchCache) -> None:
    with pytest.raises(ValueError, match="unknown authorization mode"):
        build_security(SecurityOptions(authorization_modes=["ABAC"]), cache)
