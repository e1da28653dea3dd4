"""The API server's secret and policy files beside the certificates, made once and kept:

- sa.key / sa.pub: the RSA 2048 pair that signs and verifies ServiceAccount tokens
  (kubeadm's; never rotated here, since that would void every token handed out);
- encryption-config.yaml: Kubernetes' EncryptionConfiguration, Secrets written with
  aescbc under a fresh random key and still readable when stored in clear (identity last);
  losing or regenerating the key would make every stored Secret unreadable, so an
  existing file is never rewritten;
- audit-policy.yaml: an audit.k8s.io/v1 Policy that records every request at the
  Metadata level (who did what to which object, never the bodies — they hold Secrets).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tugboat.cli.up.pki import write_private

AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [{"level": "Metadata"}],
}


@dataclass(frozen=True)
class ApiServerFiles:
    sa_key: Path
    sa_pub: Path
    encryption_config: Path
    audit_policy: Path


def encryption_configuration(key: bytes) -> dict:
    return {
        "apiVersion": "apiserver.config.k8s.io/v1",
        "kind": "EncryptionConfiguration",
        "resources": [{
            "resources": ["secrets"],
            "providers": [
                {"aescbc": {"keys": [{"name": "key1",
                                      "secret": base64.b64encode(key).decode()}]}},
                {"identity": {}},
            ],
        }],
    }


def ensure_apiserver_files(pki_dir: Path, data_dir: Path) -> tuple[ApiServerFiles, list[str]]:
    files = ApiServerFiles(pki_dir / "sa.key", pki_dir / "sa.pub",
                           pki_dir / "encryption-config.yaml", data_dir / "audit-policy.yaml")
    changes: list[str] = []
    if not (files.sa_key.exists() and files.sa_pub.exists()):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        write_private(files.sa_key, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption()))
        write_private(files.sa_pub, key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        changes.append("created sa.key")
    if not files.encryption_config.exists():
        doc = encryption_configuration(secrets.token_bytes(32))
        write_private(files.encryption_config, yaml.safe_dump(doc, sort_keys=False).encode())
        changes.append("created encryption-config.yaml")
    for private in (files.sa_key, files.encryption_config):
        private.chmod(0o600)
    if not files.audit_policy.exists():
        write_private(files.audit_policy, yaml.safe_dump(AUDIT_POLICY, sort_keys=False).encode())
        changes.append("created audit-policy.yaml")
    return files, changes
