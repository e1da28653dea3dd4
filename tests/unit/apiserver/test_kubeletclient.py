"""How the API server dials kubelets: HTTPS with its client certificate when one is
configured (checking the kubelet's certificate only when a CA is given), plain HTTP when
not; and the kubelet's 401/403 passed on in Kubernetes' words."""

from __future__ import annotations

import ssl
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support.pki import TestPKI
from tugboat.apiserver.kubeletclient import (
    KubeletClient,
    KubeletClientConfig,
    install_kubelet_client,
    kubelet_client,
)
from tugboat.apiserver.metricsapi import kubelet_url
from tugboat.apiserver.proxy import kubelet_refusal


def test_without_a_client_certificate_kubelets_are_dialled_over_plain_http() -> None:
    client = KubeletClient()
    assert client.ssl is None
    assert client.url("10.0.0.5:10250", "/containerLogs/a/b/c") == \
        "http://10.0.0.5:10250/containerLogs/a/b/c"
    assert client.websocket_url("10.0.0.5:10250", "/exec/a/b/c") == \
        "ws://10.0.0.5:10250/exec/a/b/c"


def test_with_a_client_certificate_kubelets_are_dialled_over_https(tmp_path: Path) -> None:
    ca = TestPKI(tmp_path)
    pair = ca.client("kube-apiserver-kubelet-client", ("system:masters",))
    checked = KubeletClient(KubeletClientConfig(str(pair.cert), str(pair.key),
                                                str(ca.ca.cert)))
    assert checked.url("10.0.0.5:10250", "/pods") == "https://10.0.0.5:10250/pods"
    assert checked.websocket_url("10.0.0.5:10250", "/exec") == "wss://10.0.0.5:10250/exec"
    assert checked.ssl is not None
    assert (checked.ssl.verify_mode, checked.ssl.check_hostname) == (ssl.CERT_REQUIRED, True)
    unchecked = KubeletClient(KubeletClientConfig(str(pair.cert), str(pair.key)))
    assert unchecked.ssl is not None
    assert (unchecked.ssl.verify_mode, unchecked.ssl.check_hostname) == (ssl.CERT_NONE, False)


def test_unreadable_certificate_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        KubeletClient(KubeletClientConfig(str(tmp_path / "nope.crt"), str(tmp_path / "k")))


def test_installed_client_is_the_apps() -> None:
    app = SimpleNamespace(state=SimpleNamespace())
    assert kubelet_client(app.state).config.scheme == "http"  # none installed: plain
    installed = install_kubelet_client(app, KubeletClientConfig())
    assert kubelet_client(app.state) is installed


def test_metrics_api_dials_the_configured_scheme() -> None:
    node = {"status": {"conditions": [{"type": "Ready", "status": "True"}],
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}],
                       "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}}
    assert kubelet_url(node) == "http://10.0.0.5:10250"
    assert kubelet_url(node, "https") == "https://10.0.0.5:10250"


def test_kubelet_refusals_keep_their_code() -> None:
    forbidden = kubelet_refusal(
        403, "Forbidden (user=x, verb=get, resource=nodes, subresource=proxy)", "pods/log web")
    assert (forbidden.code, forbidden.reason, forbidden.message) == (
        403, "Forbidden",
        "Forbidden (user=x, verb=get, resource=nodes, subresource=proxy) ( pods/log web)")
    assert (kubelet_refusal(401, "Unauthorized", "pods/exec web").code,
            kubelet_refusal(404, "container not found", "pods/log web").reason,
            kubelet_refusal(503, "runtime down", "pods/log web").code) == \
        (401, "BadRequest", 500)
