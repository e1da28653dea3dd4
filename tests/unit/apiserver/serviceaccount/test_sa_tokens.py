"""Signing and verifying bound ServiceAccount tokens: the claims Kubernetes puts in them,
expiry, a wrong key, a wrong audience or issuer, and the key files kube-apiserver accepts."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from tests.support.clock import ManualClock
from tests.unit.apiserver.serviceaccount.fakes import write_ec_public_key, write_rsa_key
from tugboat.apiserver.serviceaccount.tokens import (
    DEFAULT_ISSUER,
    InvalidToken,
    ObjectRef,
    TokenClaims,
    TokenIssuer,
    TokenVerifier,
    key_id,
    load_public_keys,
    load_token_issuer,
)

SA = ObjectRef("default", "sa-uid")
POD = ObjectRef("web", "pod-uid")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000.0)


@pytest.fixture
def issuer(tmp_path: Path, clock: ManualClock) -> TokenIssuer:
    write_rsa_key(tmp_path / "sa.key")
    issuer = load_token_issuer(tmp_path / "sa.key")
    issuer.clock = clock
    return issuer


def verifier(issuer: TokenIssuer, clock: ManualClock, **kw) -> TokenVerifier:
    args = {"keys": [issuer.public_key], "issuers": [DEFAULT_ISSUER],
            "audiences": [DEFAULT_ISSUER], "clock": clock} | kw
    return TokenVerifier(**args)


def test_a_token_carries_kubernetes_claims(issuer: TokenIssuer, clock: ManualClock) -> None:
    token, expires = issuer.issue(TokenClaims("ns1", SA, pod=POD), [DEFAULT_ISSUER], 3600)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256" and header["kid"] == key_id(issuer.public_key)
    assert claims["iss"] == DEFAULT_ISSUER
    assert claims["sub"] == "system:serviceaccount:ns1:default"
    assert claims["aud"] == [DEFAULT_ISSUER]
    assert claims["iat"] == claims["nbf"] == 1_800_000_000
    assert claims["exp"] == 1_800_003_600 == int(expires.timestamp())
    assert claims["jti"]
    assert claims["kubernetes.io"] == {
        "namespace": "ns1", "serviceaccount": {"name": "default", "uid": "sa-uid"},
        "pod": {"name": "web", "uid": "pod-uid"}}


def test_round_trip(issuer: TokenIssuer, clock: ManualClock) -> None:
    token, _ = issuer.issue(TokenClaims("ns1", SA, pod=POD), [DEFAULT_ISSUER], 3600)
    claims = verifier(issuer, clock).verify(token)
    assert (claims.namespace, claims.service_account, claims.pod) == ("ns1", SA, POD)
    assert claims.secret is None


def test_an_expired_token_is_refused(issuer: TokenIssuer, clock: ManualClock) -> None:
    token, _ = issuer.issue(TokenClaims("ns1", SA), [DEFAULT_ISSUER], 600)
    v = verifier(issuer, clock)
    clock.advance(599)
    v.verify(token)
    clock.advance(2)
    with pytest.raises(InvalidToken, match="expired"):
        v.verify(token)


def test_a_token_signed_by_another_key_is_refused(issuer: TokenIssuer, clock: ManualClock,
                                                  tmp_path: Path) -> None:
    other = TokenIssuer(write_rsa_key(tmp_path / "other.key"), clock=clock)
    token, _ = other.issue(TokenClaims("ns1", SA), [DEFAULT_ISSUER], 3600)
    with pytest.raises(InvalidToken):
        verifier(issuer, clock).verify(token)


def test_audience_and_issuer_must_be_ours(issuer: TokenIssuer, clock: ManualClock) -> None:
    token, _ = issuer.issue(TokenClaims("ns1", SA), ["vault"], 3600)
    with pytest.raises(InvalidToken, match="[Aa]udience"):
        verifier(issuer, clock).verify(token)
    assert verifier(issuer, clock, audiences=["vault"]).verify(token).namespace == "ns1"
    assert verifier(issuer, clock).is_ours(token)
    assert not verifier(issuer, clock, issuers=["https://elsewhere"]).is_ours(token)
    assert not verifier(issuer, clock).is_ours("31ada4.fd0d2b2bd0f7d1f5")  # a bootstrap token


def test_key_files_as_kube_apiserver_reads_them(tmp_path: Path, clock: ManualClock) -> None:
    rsa_key = write_rsa_key(tmp_path / "sa.key")
    ec_key = write_ec_public_key(tmp_path / "ec.pub")
    keys = load_public_keys([tmp_path / "sa.key", tmp_path / "ec.pub"])  # a private key too
    assert [key_id(k) for k in keys] == [key_id(rsa_key.public_key()),
                                         key_id(ec_key.public_key())]
    ec_issuer = TokenIssuer(ec_key, clock=clock)
    assert ec_issuer.algorithm == "ES256"
    token, _ = ec_issuer.issue(TokenClaims("ns1", SA), [DEFAULT_ISSUER], 3600)
    assert TokenVerifier(keys, [DEFAULT_ISSUER], [DEFAULT_ISSUER], clock).verify(token)
    (tmp_path / "empty.pem").write_text("nothing here\n")
    with pytest.raises(ValueError, match="no RSA or ECDSA key"):
        load_public_keys([tmp_path / "empty.pem"])
