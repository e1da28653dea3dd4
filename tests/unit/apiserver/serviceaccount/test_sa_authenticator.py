"""The ServiceAccount token authenticator: the user a bound token names, and 401s
(Unauthenticated) once the pod, secret or service account it names is gone or replaced;
tokens that are not ours go to the next authenticator (None)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.clock import ManualClock
from tests.unit.apiserver.serviceaccount.fakes import Objects, write_rsa_key
from tugboat.apiserver.auth.authenticator import Unauthenticated
from tugboat.apiserver.serviceaccount.authenticator import ServiceAccountTokenAuthenticator
from tugboat.apiserver.serviceaccount.tokens import (
    DEFAULT_ISSUER,
    ObjectRef,
    TokenClaims,
    TokenIssuer,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000.0)


@pytest.fixture
def objects() -> Objects:
    objs = Objects()
    objs.put("serviceaccounts", "ns1", "builder", "sa-uid")
    objs.put("pods", "ns1", "web", "pod-uid", spec={"serviceAccountName": "builder"})
    objs.put("secrets", "ns1", "s", "secret-uid")
    return objs


@pytest.fixture
def issuer(tmp_path: Path, clock: ManualClock) -> TokenIssuer:
    return TokenIssuer(write_rsa_key(tmp_path / "sa.key"), clock=clock)


@pytest.fixture
def authn(objects: Objects, issuer: TokenIssuer, clock: ManualClock):
    return ServiceAccountTokenAuthenticator(objects, [issuer.public_key], DEFAULT_ISSUER,
                                            None, clock)


def pod_token(issuer: TokenIssuer, pod_uid: str = "pod-uid", seconds: int = 3600) -> str:
    claims = TokenClaims("ns1", ObjectRef("builder", "sa-uid"), pod=ObjectRef("web", pod_uid),
                         node=ObjectRef("n1", "node-uid"), jti="j-1")
    return issuer.issue(claims, [DEFAULT_ISSUER], seconds)[0]


def test_a_pod_bound_token_is_its_service_account(authn, issuer: TokenIssuer) -> None:
    user = authn.authenticate_token(pod_token(issuer))
    assert user.name == "system:serviceaccount:ns1:builder"
    assert user.uid == "sa-uid"
    assert user.groups == ("system:serviceaccounts", "system:serviceaccounts:ns1")
    assert user.extra_map == {
        "authentication.kubernetes.io/credential-id": ["JTI=j-1"],
        "authentication.kubernetes.io/node-name": ["n1"],
        "authentication.kubernetes.io/node-uid": ["node-uid"],
        "authentication.kubernetes.io/pod-name": ["web"],
        "authentication.kubernetes.io/pod-uid": ["pod-uid"],
    }


def test_tokens_that_are_not_ours_are_left_to_others(authn) -> None:
    assert authn.authenticate_token("31ada4.fd0d2b2bd0f7d1f5") is None
    assert authn.authenticate_token("not-a-jwt") is None


@pytest.mark.parametrize("change", [
    lambda o: o.drop("pods", "ns1", "web"),
    lambda o: o.put("pods", "ns1", "web", "another-uid"),  # deleted and recreated
    lambda o: o.drop("serviceaccounts", "ns1", "builder"),
    lambda o: o.put("serviceaccounts", "ns1", "builder", "another-uid"),
], ids=["pod deleted", "pod recreated", "sa deleted", "sa recreated"])
def test_a_token_dies_with_what_it_is_bound_to(authn, issuer, objects, change) -> None:
    token = pod_token(issuer)
    assert authn.authenticate_token(token) is not None
    change(objects)
    with pytest.raises(Unauthenticated, match="invalidated"):
        authn.authenticate_token(token)


def test_a_secret_bound_token(authn, issuer: TokenIssuer, objects: Objects) -> None:
    claims = TokenClaims("ns1", ObjectRef("builder", "sa-uid"),
                         secret=ObjectRef("s", "secret-uid"))
    token = issuer.issue(claims, [DEFAULT_ISSUER], 3600)[0]
    assert "authentication.kubernetes.io/pod-name" not in \
        authn.authenticate_token(token).extra_map
    objects.drop("secrets", "ns1", "s")
    with pytest.raises(Unauthenticated):
        authn.authenticate_token(token)


def test_a_pod_being_deleted_keeps_its_token_for_a_minute(authn, issuer, objects, clock) -> None:
    token = pod_token(issuer)
    objects.by_key["/registry/core/pods/ns1/web"]["metadata"]["deletionTimestamp"] = \
        "2027-01-15T08:00:00Z"  # 1_800_000_000
    assert authn.authenticate_token(token) is not None
    clock.advance(61)
    with pytest.raises(Unauthenticated):
        authn.authenticate_token(token)


def test_expired_and_forged_tokens_are_401(authn, issuer, clock, tmp_path: Path) -> None:
    token = pod_token(issuer, seconds=600)
    clock.advance(601)
    with pytest.raises(Unauthenticated, match="expired"):
        authn.authenticate_token(token)
    forger = TokenIssuer(write_rsa_key(tmp_path / "forger.key"), clock=clock)
    with pytest.raises(Unauthenticated):
        authn.authenticate_token(pod_token(forger))
