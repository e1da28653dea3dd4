"""The kubelet port's serving flags: TLS turns on kubeadm's defaults (no anonymous,
token webhook, Webhook authorization, loopback healthz port); explicit flags win."""

from __future__ import annotations

import pytest

from tugboat.kubelet.config import parse_args

TLS = ["--tls-cert-file", "k.crt", "--tls-private-key-file", "k.key"]


def test_plain_http_stays_open() -> None:
    c = parse_args([])
    assert (c.serves_tls, c.anonymous_auth, c.authentication_token_webhook,
            c.authorization_mode, c.healthz_port) == (False, True, False, "AlwaysAllow", 0)


def test_tls_defaults_are_kubeadms() -> None:
    c = parse_args([*TLS, "--client-ca-file", "ca.crt"])
    assert (c.serves_tls, c.anonymous_auth, c.authentication_token_webhook,
            c.authorization_mode, c.healthz_port, c.healthz_bind_address) == \
        (True, False, True, "Webhook", 10248, "127.0.0.1")
    assert (c.authentication_token_webhook_cache_ttl,
            c.authorization_webhook_cache_authorized_ttl,
            c.authorization_webhook_cache_unauthorized_ttl) == (120, 300, 30)


def test_explicit_flags_win_in_go_boolean_syntax() -> None:
    c = parse_args([*TLS, "--anonymous-auth=true", "--authentication-token-webhook=false",
                    "--authorization-mode", "AlwaysAllow", "--healthz-port", "0",
                    "--authentication-token-webhook-cache-ttl", "10s"])
    assert (c.anonymous_auth, c.authentication_token_webhook, c.authorization_mode,
            c.healthz_port, c.authentication_token_webhook_cache_ttl) == \
        (True, False, "AlwaysAllow", 0, 10)
    assert parse_args(["--anonymous-auth"]).anonymous_auth is True


def test_bad_serving_flags_exit() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--tls-cert-file", "k.crt"])  # the key is missing
    with pytest.raises(SystemExit):
        parse_args(["--anonymous-auth=maybe"])
    with pytest.raises(SystemExit):
        parse_args(["--authorization-mode", "RBAC"])
