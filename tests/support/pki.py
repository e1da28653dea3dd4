"""A throw-away PKI for tests of the API server's secure port: a CA, a serving certificate
for loopback, and client certificates (CN = user, O = groups), written as PEM files, plus
kubeconfigs that real kubectl and the `kubernetes` client read unchanged."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def service_account_key(path: Path) -> Path:
    """An RSA 2048 key pair for signing ServiceAccount tokens, as kubeadm's sa.key/sa.pub:
    the private key (PKCS#8, 0600) at `path`, the public key beside it as `.pub`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    path.with_suffix(".pub").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


@dataclass(frozen=True)
class CertPair:
    cert: Path
    key: Path


def _name(cn: str, orgs: tuple[str, ...] = ()) -> x509.Name:
    cn_attr = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else []  # "": no CN
    return x509.Name([*(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs),
                      *cn_attr])


class TestPKI:
    """One CA under `directory`; each issue_* writes <stem>.crt and <stem>.key."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path, ca_name: str = "tugboat-test-ca"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        self._ca = (x509.CertificateBuilder()
                    .subject_name(_name(ca_name)).issuer_name(_name(ca_name))
                    .public_key(self._ca_key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now - dt.timedelta(minutes=5))
                    .not_valid_after(now + dt.timedelta(days=1))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                    .add_extension(x509.KeyUsage(
                        digital_signature=True, content_commitment=False,
                        key_encipherment=False, data_encipherment=False, key_agreement=False,
                        key_cert_sign=True, crl_sign=True, encipher_only=False,
                        decipher_only=False), True)
                    .sign(self._ca_key, hashes.SHA256()))
        self.ca = self._write("ca", self._ca, self._ca_key)

    def _write(self, stem: str, cert: x509.Certificate,
               key: ec.EllipticCurvePrivateKey) -> CertPair:
        pair = CertPair(self.dir / f"{stem}.crt", self.dir / f"{stem}.key")
        pair.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        pair.key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        pair.key.chmod(0o600)
        return pair

    def _issue(self, stem: str, subject: x509.Name, usage: x509.ObjectIdentifier,
               sans: list[x509.GeneralName] | None = None,
               days: float = 1.0) -> CertPair:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        b = (x509.CertificateBuilder().subject_name(subject)
             .issuer_name(self._ca.subject).public_key(key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(now - dt.timedelta(minutes=5))
             .not_valid_after(now + dt.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
             .add_extension(x509.ExtendedKeyUsage([usage]), False))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), False)
        return self._write(stem, b.sign(self._ca_key, hashes.SHA256()), key)

    def serving(self, stem: str = "apiserver", ips: tuple[str, ...] = ()) -> CertPair:
        """For localhost and 127.0.0.1, and `ips` (e.g. the address pods reach it on)."""
        return self._issue(stem, _name("kube-apiserver"), ExtendedKeyUsageOID.SERVER_AUTH,
                           [x509.DNSName("localhost"),
                            *(x509.IPAddress(ipaddress.ip_address(ip))
                              for ip in ("127.0.0.1", *ips))])

    def client(self, user: str, groups: tuple[str, ...] = (), stem: str | None = None,
               usage: x509.ObjectIdentifier = ExtendedKeyUsageOID.CLIENT_AUTH) -> CertPair:
        return self._issue(stem or user.replace(":", "-"), _name(user, groups), usage)

    def kubeconfig(self, path: Path, server: str, client: CertPair | None = None,
                   token: str | None = None) -> Path:
        """A kubeconfig with embedded CA data (and a client certificate or token)."""
        def b64(p: Path) -> str:
            return base64.b64encode(p.read_bytes()).decode()
        user: dict[str, str] = {}
        if client is not None:
            user = {"client-certificate-data": b64(client.cert),
                    "client-key-data": b64(client.key)}
        if token is not None:
            user["token"] = token
        doc = {"apiVersion": "v1", "kind": "Config", "current-context": "test",
               "clusters": [{"name": "test", "cluster": {
                   "server": server, "certificate-authority-data": b64(self.ca.cert)}}],
               "users": [{"name": "test", "user": user}],
               "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}]}
        path.write_text(yaml.safe_dump(doc))
        path.chmod(0o600)
        return path
