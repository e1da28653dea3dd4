"""The API server's own files: the ServiceAccount key pair, the EncryptionConfiguration and
the audit Policy — made once, private, and never rewritten."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tugboat.cli.up.apiserverconfig import ensure_apiserver_files


def test_files_are_made_once_and_private(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    pki.mkdir()
    files, changes = ensure_apiserver_files(pki, tmp_path)
    assert changes == ["created sa.key", "created encryption-config.yaml",
                       "created audit-policy.yaml"]
    for path in (files.sa_key, files.encryption_config):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = {p: p.read_bytes() for p in (files.sa_key, files.sa_pub, files.encryption_config,
                                           files.audit_policy)}
    again, changes = ensure_apiserver_files(pki, tmp_path)
    assert changes == [] and again == files
    assert all(p.read_bytes() == data for p, data in before.items())


def test_the_service_account_key_is_rsa_2048(tmp_path: Path) -> None:
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    key = serialization.load_pem_private_key(files.sa_key.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    public = serialization.load_pem_public_key(files.sa_pub.read_bytes())
    assert public.public_numbers() == key.public_key().public_numbers()


def test_secrets_are_encrypted_with_aescbc_first_and_identity_last(tmp_path: Path) -> None:
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    doc = yaml.safe_load(files.encryption_config.read_text())
    assert (doc["apiVersion"], doc["kind"]) == ("apiserver.config.k8s.io/v1",
                                                "EncryptionConfiguration")
    (rule,) = doc["resources"]
    assert rule["resources"] == ["secrets"]
    aescbc, identity = rule["providers"]
    assert identity == {"identity": {}}
    (key,) = aescbc["aescbc"]["keys"]
    assert key["name"] == "key1" and len(base64.b64decode(key["secret"])) == 32


def test_the_audit_policy_logs_metadata_for_everything(tmp_path: Path) -> None:
    files, _ = ensure_apiserver_files(tmp_path, tmp_path)
    doc = yaml.safe_load(files.audit_policy.read_text())
    assert (doc["apiVersion"], doc["kind"]) == ("audit.k8s.io/v1", "Policy")
    assert doc["rules"] == [{"level": "Metadata"}]
