"""Client certificate authentication (Kubernetes' x509 authenticator with its
CommonNameUserConversion): the subject's CN is the user name and each O is a group.

The TLS layer has already verified the chain against --client-ca-file (the secure port's
context asks for a certificate with CERT_OPTIONAL, so an untrusted one fails the
handshake); what is left here is what Kubernetes checks on the leaf after verification:
the certificate must be meant for client authentication."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tugboat.apiserver.auth.authenticator import AuthRequest, Unauthenticated
from tugboat.apiserver.auth.user import UserInfo


def _names(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)]


def user_of_certificate(cert: x509.Certificate) -> UserInfo | None:
    """CN → name, O → groups; a certificate without a CN names nobody (not ours)."""
    cn = _names(cert, NameOID.COMMON_NAME)
    if not cn or not cn[0]:
        return None
    return UserInfo(cn[0], groups=tuple(_names(cert, NameOID.ORGANIZATION_NAME)))


def _client_auth_allowed(cert: x509.Certificate) -> bool:
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no EKU: any use, as Go's x509 verification treats it
    return ExtendedKeyUsageOID.CLIENT_AUTH in usages or \
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usages


class X509Authenticator:
    """A RequestAuthenticator over the verified peer certificate the serving layer put in
    the request. One UserInfo per certificate is remembered: a client keeps its
    connection (and certificate) for many requests."""

    def __init__(self, cache_size: int = 1024):
        self._users: dict[bytes, UserInfo | None] = {}
        self._cache_size = cache_size

    def authenticate(self, req: AuthRequest) -> UserInfo | None:
        cert = req.peer_certificate
        if cert is None:
            return None
        key = cert.fingerprint(hashes.SHA256())
        if key in self._users:
            return self._users[key]
        if not _client_auth_allowed(cert):
            raise Unauthenticated("x509: certificate specifies an incompatible key usage")
        user = user_of_certificate(cert)
        if len(self._users) >= self._cache_size:
            self._users.clear()
        self._users[key] = user
        return user
