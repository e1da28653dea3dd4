"""Bootstrap tokens: the Secret must match, be meant for authentication and be unexpired;
every refusal looks the same from outside (not authenticated)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from tugboat.apiserver.auth.bootstraptoken import BootstrapTokenAuthenticator
from tugboat.apiserver.auth.user import UserInfo

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
TOKEN = "abcdef.0123456789abcdef"


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def secret(**data: str) -> dict[str, Any]:
    base = {"token-id": "abcdef", "token-secret": "0123456789abcdef",
            "usage-bootstrap-authentication": "true"}
    base.update(data)
    return {"metadata": {"name": "bootstrap-token-abcdef", "namespace": "kube-system"},
            "type": "bootstrap.kubernetes.io/token",
            "data": {k: _b64(v) for k, v in base.items() if v is not None}}


def authn(obj: dict[str, Any] | None) -> BootstrapTokenAuthenticator:
    def get(ns: str, name: str) -> dict[str, Any] | None:
        assert (ns, name) == ("kube-system", "bootstrap-token-abcdef")
        return obj
    return BootstrapTokenAuthenticator(get, now=lambda: NOW)


def test_a_valid_token_is_its_bootstrap_user() -> None:
    user = authn(secret(**{"auth-extra-groups": "system:bootstrappers:worker, "
                                                "system:bootstrappers:a"})).authenticate_token(TOKEN)
    assert user == UserInfo("system:bootstrap:abcdef", groups=(
        "system:bootstrappers", "system:bootstrappers:a", "system:bootstrappers:worker"))


def test_an_unexpired_token_works() -> None:
    assert authn(secret(expiration="2026-06-02T00:00:00Z")).authenticate_token(TOKEN)


@pytest.mark.parametrize("obj", [
    None,  # no such Secret
    secret(**{"token-secret": "ffffffffffffffff"}),
    secret(expiration="2026-06-01T11:59:59Z"),
    secret(expiration="tomorrow"),
    secret(**{"usage-bootstrap-authentication": "false"}),
    secret(**{"auth-extra-groups": "system:masters"}),
    {**secret(), "type": "Opaque"},
    {**secret(), "metadata": {"name": "bootstrap-token-abcdef",
                              "deletionTimestamp": "2026-06-01T00:00:00Z"}},
], ids=["missing", "wrong-secret", "expired", "bad-expiration", "not-for-authentication",
        "group-outside-bootstrappers", "wrong-type", "being-deleted"])
def test_refused_tokens_are_not_authenticated(obj: dict[str, Any] | None) -> None:
    assert authn(obj).authenticate_token(TOKEN) is None


@pytest.mark.parametrize("token", ["abcdef.short", "ABCDEF.0123456789abcdef", "a.b", "jwt.x.y"])
def test_other_token_shapes_are_not_bootstrap_tokens(token: str) -> None:
    assert authn(secret()).authenticate_token(token) is None
