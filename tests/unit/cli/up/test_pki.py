"""The cluster CA and its certificates: names, identities, usages, lifetimes, file modes,
and what a restart renews (and what it must never replace)."""

from __future__ import annotations

import datetime
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from tugboat.cli.up.certlist import ClusterPKI, ensure_certificates
from tugboat.cli.up.hostaddresses import HostAddresses, host_addresses, interface_ipv4s
from tugboat.cli.up.pki import PKIError, identity, now_utc, subject_alt_names, write_private

HOST = HostAddresses(("localhost", "box"), ("127.0.0.1", "::1", "192.168.1.20", "172.17.0.1"))
NODE = "node-a"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def pki_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "pki"


def make(pki_dir: Path, host: HostAddresses = HOST, now: datetime.datetime | None = None
         ) -> tuple[ClusterPKI, list[str]]:
    return ensure_certificates(pki_dir, NODE, host, now)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def usages(cert: x509.Certificate) -> set:
    return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def test_first_start_creates_a_ca_and_every_certificate(pki_dir: Path) -> None:
    pki, changes = make(pki_dir)
    assert changes[0] == "created ca"
    assert sorted(pki.certs) == sorted(["apiserver", "apiserver-kubelet-client", "admin",
                                        "scheduler", "controller-manager", "kubelet-client",
                                        "kubelet", "proxy", "dns"])
    assert mode(pki_dir) == 0o700
    for path in pki_dir.iterdir():
        assert mode(path) == 0o600, path  # keys, and certificates too (nothing else reads them)


def test_the_ca_is_a_ten_year_ca(pki_dir: Path) -> None:
    ca = make(pki_dir)[0].ca.cert
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    lifetime = ca.not_valid_after_utc - ca.not_valid_before_utc
    assert 3649 <= lifetime.days <= 3651


def test_the_apiserver_serves_every_name_a_client_may_use(pki_dir: Path) -> None:
    cert = make(pki_dir)[0]["apiserver"].cert
    dns, ips = subject_alt_names(cert)
    assert {"localhost", "box", NODE, "kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"} <= set(dns)
    assert {"127.0.0.1", "::1", "192.168.1.20", "172.17.0.1", "10.96.0.1"} <= set(ips)
    assert usages(cert) == {ExtendedKeyUsageOID.SERVER_AUTH}
    assert 364 <= (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 366


@pytest.mark.parametrize("name, cn, groups", [
    ("admin", "kubernetes-admin", ("system:masters",)),
    ("apiserver-kubelet-client", "kube-apiserver-kubelet-client", ("system:masters",)),
    ("scheduler", "system:kube-scheduler", ()),
    ("controller-manager", "system:kube-controller-manager", ()),
    ("kubelet-client", f"system:node:{NODE}", ("system:nodes",)),
    ("proxy", "system:kube-proxy", ()),  # bound to system:node-proxier
    ("dns", "system:tug-dns", ()),  # bound to system:coredns
])
def test_client_certificates_carry_the_identity(pki_dir: Path, name: str, cn: str,
                                                groups: tuple[str, ...]) -> None:
    pki = make(pki_dir)[0]
    cert = pki[name].cert
    assert identity(cert) == (cn, groups)
    assert usages(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    cert.verify_directly_issued_by(pki.ca.cert)


def test_the_kubelet_serves_the_hosts_names(pki_dir: Path) -> None:
    cert = make(pki_dir)[0]["kubelet"].cert
    dns, ips = subject_alt_names(cert)
    assert {NODE, "box", "localhost"} <= set(dns) and "192.168.1.20" in ips
    assert usages(cert) == {ExtendedKeyUsageOID.SERVER_AUTH}
    assert identity(cert) == (f"system:node:{NODE}", ("system:nodes",))


def test_a_restart_keeps_everything(pki_dir: Path) -> None:
    first = make(pki_dir)[0]
    again, changes = make(pki_dir)
    assert changes == []
    assert again["apiserver"].cert.serial_number == first["apiserver"].cert.serial_number
    assert again.ca.cert == first.ca.cert


def test_certificates_expiring_within_30_days_are_renewed_with_the_same_ca(
        pki_dir: Path) -> None:
    first = make(pki_dir)[0]
    later = now_utc() + 340 * DAY  # 25 days before the one-year certificates expire
    renewed, changes = make(pki_dir, now=later)
    assert "renewed apiserver" in changes and "renewed admin" in changes
    assert "created ca" not in changes and renewed.ca.cert == first.ca.cert
    cert = renewed["apiserver"].cert
    assert cert.not_valid_after_utc > later + 300 * DAY
    assert cert.public_key() == first["apiserver"].cert.public_key()  # the key is kept
    cert.verify_directly_issued_by(first.ca.cert)


def test_a_new_host_address_reissues_the_serving_certificates(pki_dir: Path) -> None:
    make(pki_dir)
    moved = HostAddresses(HOST.names, (*HOST.ips, "10.1.2.3"))
    pki, changes = make(pki_dir, host=moved)
    assert set(changes) == {"renewed apiserver", "renewed kubelet"}
    assert "10.1.2.3" in subject_alt_names(pki["apiserver"].cert)[1]


def test_a_certificate_of_another_ca_is_reissued(pki_dir: Path, tmp_path: Path) -> None:
    make(pki_dir)
    other = make(tmp_path / "other")[0]
    (pki_dir / "admin.crt").write_bytes(other["admin"].cert_pem)
    (pki_dir / "admin.key").write_bytes(other["admin"].key_pem)
    pki, changes = make(pki_dir)
    assert changes == ["renewed admin"]
    pki["admin"].cert.verify_directly_issued_by(pki.ca.cert)


def test_a_missing_ca_key_is_never_replaced_silently(pki_dir: Path) -> None:
    make(pki_dir)
    (pki_dir / "ca.key").unlink()
    with pytest.raises(PKIError, match="ca.key is missing but .*ca.crt exists"):
        make(pki_dir)
    assert not (pki_dir / "ca.key").exists()


def test_an_expired_ca_is_an_error_not_a_new_ca(pki_dir: Path) -> None:
    ca = make(pki_dir)[0].ca.cert
    with pytest.raises(PKIError, match="the cluster CA .* expired"):
        make(pki_dir, now=now_utc() + 3651 * DAY)
    assert x509.load_pem_x509_certificate((pki_dir / "ca.crt").read_bytes()) == ca


def test_a_ca_about_to_expire_is_kept_with_a_warning(pki_dir: Path) -> None:
    ca = make(pki_dir)[0].ca.cert
    pki, changes = make(pki_dir, now=now_utc() + 3640 * DAY)
    assert pki.ca.cert == ca
    assert any(c.startswith("the cluster CA expires on ") for c in changes)


def test_loose_key_permissions_are_tightened(pki_dir: Path) -> None:
    make(pki_dir)
    (pki_dir / "admin.key").chmod(0o644)
    (pki_dir / "ca.key").chmod(0o644)
    make(pki_dir)
    assert mode(pki_dir / "admin.key") == mode(pki_dir / "ca.key") == 0o600


def test_this_hosts_addresses() -> None:
    found = host_addresses("my-node")
    assert found.names[0] == "localhost" and "my-node" in found.names
    assert found.ips[:2] == ("127.0.0.1", "::1")
    assert all(not ip.startswith("127.") for ip in interface_ipv4s())


def test_a_leftover_temporary_file_does_not_widen_a_key_s_mode(tmp_path: Path) -> None:
    key = tmp_path / "sa.key"
    leftover = tmp_path / "sa.key.tmp"  # from a crash between write and rename
    leftover.write_text("old")
    leftover.chmod(0o644)
    write_private(key, b"secret")
    assert key.read_bytes() == b"secret" and mode(key) == 0o600
