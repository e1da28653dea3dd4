"""The cluster's certificate authority and the certificates it signs, kept as PEM files in
`<data-dir>/pki/`, the way kubeadm keeps /etc/kubernetes/pki: `<name>.crt` and
`<name>.key` side by side, keys and the folder private to their owner (0600, 0700).

Every start re-checks every certificate against what it should be (`CertSpec`) and
re-issues one, with its existing key, when it expires within `RENEW_BEFORE`, was signed
by another CA, or lacks a name or address the host now has. The CA itself is created once
and never replaced behind the user's back: a missing half or an expired CA is an error
that says what to do. Keys are ECDSA P-256 (as k3s uses): quick to make, and cheap in the
TLS handshakes every daemon and client does.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_VALIDITY = datetime.timedelta(days=3650)
CERT_VALIDITY = datetime.timedelta(days=365)
RENEW_BEFORE = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=5)  # valid a little before "now": hosts' clocks differ
CA_COMMON_NAME = "kubernetes"  # kubeadm's CA subject

PrivateKey = ec.EllipticCurvePrivateKey


class PKIError(Exception):
    """The PKI folder is in a state `tug up` must not repair on its own."""


@dataclass(frozen=True)
class CertSpec:
    """What one certificate must say: the identity (CN = user, O = groups, as the API
    server's x509 authenticator reads them), the names it serves, and its usages."""

    name: str  # the files' stem: pki/<name>.crt, pki/<name>.key
    common_name: str
    organizations: tuple[str, ...] = ()
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    server: bool = False  # serverAuth
    client: bool = False  # clientAuth


@dataclass(frozen=True)
class KeyPair:
    cert: x509.Certificate
    key: PrivateKey
    cert_path: Path
    key_path: Path

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return _key_pem(self.key)


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Atomically replace `path` with `data`, readable by its owner only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a .tmp left by an earlier crash keeps its mode through O_CREAT
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def ensure_ca(pki_dir: Path, now: datetime.datetime) -> tuple[KeyPair, str]:
    """The cluster CA: ("created") on first start, else the one on disk ("kept")."""
    cert_path, key_path = pki_dir / "ca.crt", pki_dir / "ca.key"
    if not cert_path.exists() and not key_path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)])
        cert = (_builder(name, name, key.public_key(), now, CA_VALIDITY)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(_key_usage(ca=True), critical=True)
                .sign(key, hashes.SHA256()))
        write_private(key_path, _key_pem(key))
        write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return KeyPair(cert, key, cert_path, key_path), "created"
    if not (cert_path.exists() and key_path.exists()):
        have, missing = (cert_path, key_path) if cert_path.exists() else (key_path, cert_path)
        raise PKIError(f"{missing} is missing but {have} exists; restore it, or remove the "
                       f"whole {pki_dir} folder to start a new cluster CA (every certificate "
                       f"and kubeconfig is then re-issued)")
    pair = load_pair(cert_path, key_path)
    if pair.cert.public_key().public_numbers() != pair.key.public_key().public_numbers():
        raise PKIError(f"{key_path} is not the key of {cert_path}")
    if pair.cert.not_valid_after_utc <= now:
        raise PKIError(f"the cluster CA {cert_path} expired on "
                       f"{pair.cert.not_valid_after_utc:%Y-%m-%d}; remove {pki_dir} to "
                       f"create a new CA (clients must then fetch the new kubeconfig)")
    key_path.chmod(0o600)
    return pair, "kept"


def ensure_cert(pki_dir: Path, ca: KeyPair, spec: CertSpec, now: datetime.datetime
                ) -> tuple[KeyPair, str]:
    """`spec`'s certificate, "created", "renewed" (with its old key) or "kept"."""
    cert_path, key_path = pki_dir / f"{spec.name}.crt", pki_dir / f"{spec.name}.key"
    old: KeyPair | None = None
    if cert_path.exists() and key_path.exists():
        try:
            old = load_pair(cert_path, key_path)
        except (ValueError, TypeError, PKIError):
            old = None  # unreadable: issue a fresh pair below
    if old is not None and renewal_reason(old.cert, ca.cert, spec, now) is None:
        key_path.chmod(0o600)
        return old, "kept"
    key = old.key if old is not None else ec.generate_private_key(ec.SECP256R1())
    cert = issue(ca, spec, key, now)
    write_private(key_path, _key_pem(key))
    write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return KeyPair(cert, key, cert_path, key_path), "renewed" if old is not None else "created"


def renewal_reason(cert: x509.Certificate, ca: x509.Certificate, spec: CertSpec,
                   now: datetime.datetime) -> str | None:
    """Why `cert` must be re-issued, or None when it still says all `spec` asks."""
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return "expires soon"
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return "signed by another CA"
    if identity(cert) != (spec.common_name, tuple(sorted(spec.organizations))):
        return "another identity"
    dns, ips = subject_alt_names(cert)
    if not set(spec.dns_names) <= set(dns) or not set(spec.ip_addresses) <= set(ips):
        return "new host names or addresses"
    return None


def issue(ca: KeyPair, spec: CertSpec, key: PrivateKey, now: datetime.datetime
          ) -> x509.Certificate:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in sorted(spec.organizations)]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name))
    usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if spec.server else []) + \
             ([ExtendedKeyUsageOID.CLIENT_AUTH] if spec.client else [])
    builder = (_builder(x509.Name(attrs), ca.cert.subject, key.public_key(), now,
                        min(CERT_VALIDITY, ca.cert.not_valid_after_utc - now))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(_key_usage(ca=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca.key.public_key()), critical=False))
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in spec.dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in spec.ip_addresses]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def subject_alt_names(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) of a certificate."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    return (san.get_values_for_type(x509.DNSName),
            [str(ip) for ip in san.get_values_for_type(x509.IPAddress)])


def load_pair(cert_path: Path, key_path: Path) -> KeyPair:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PKIError(f"{key_path} is not an ECDSA key")
    return KeyPair(cert, key, cert_path, key_path)


def identity(cert: x509.Certificate) -> tuple[str, tuple[str, ...]]:
    """(CN, sorted O values): the user and groups the API server sees."""
    cn = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return (str(cn[0]) if cn else ""), tuple(sorted(str(o) for o in orgs))


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
             now: datetime.datetime, validity: datetime.timedelta) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
            .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + validity)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),
                           critical=False))


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False,
                         key_encipherment=not ca, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())
