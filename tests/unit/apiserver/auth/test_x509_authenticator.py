"""Client certificates → users: CN is the name, each O a group; a certificate not meant
for client authentication is refused; one without a CN names nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.support.pki import TestPKI
from tugboat.apiserver.auth.authenticator import AuthRequest, Unauthenticated
from tugboat.apiserver.auth.user import UserInfo
from tugboat.apiserver.auth.x509 import X509Authenticator


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return TestPKI(tmp_path_factory.mktemp("pki"))


def _request(cert: x509.Certificate | None) -> AuthRequest:
    return AuthRequest(token=None, peer_certificate=cert, headers={})


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_common_name_is_the_user_and_organizations_are_groups(pki: TestPKI) -> None:
    cert = _load(pki.client("system:node:n1", ("system:nodes", "extra")).cert)
    user = X509Authenticator().authenticate(_request(cert))
    assert user == UserInfo("system:node:n1", groups=("system:nodes", "extra"))


def test_no_certificate_is_not_this_authenticators_business() -> None:
    assert X509Authenticator().authenticate(_request(None)) is None


def test_a_certificate_without_common_name_names_nobody(pki: TestPKI) -> None:
    cert = _load(pki.client("", ("g",), stem="nocn").cert)
    assert X509Authenticator().authenticate(_request(cert)) is None


def test_a_serving_only_certificate_cannot_authenticate_a_client(pki: TestPKI) -> None:
    cert = _load(pki.client("mallory", usage=ExtendedKeyUsageOID.SERVER_AUTH).cert)
    with pytest.raises(Unauthenticated, match="key usage"):
        X509Authenticator().authenticate(_request(cert))


def test_the_same_certificate_gives_the_same_user_again(pki: TestPKI) -> None:
    cert = _load(pki.client("alice").cert)
    authn = X509Authenticator()
    assert authn.authenticate(_request(cert)) is authn.authenticate(_request(cert))
