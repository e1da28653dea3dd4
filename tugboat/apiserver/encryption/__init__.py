"""Encryption at rest (`--encryption-provider-config`): Kubernetes' EncryptionConfiguration
and a Store wrapper that applies it, so Secrets never reach the database in plaintext.

    config = load_encryption_config(path)       # EncryptionConfigError: one line
    store = EncryptingStore(open_store(url), config)
"""

from tugboat.apiserver.encryption.config import (
    EncryptionConfig,
    EncryptionConfigError,
    load_encryption_config,
    parse_encryption_config,
)
from tugboat.apiserver.encryption.store import DecryptionError, EncryptingStore

__all__ = [
    "DecryptionError",
    "EncryptingStore",
    "EncryptionConfig",
    "EncryptionConfigError",
    "load_encryption_config",
    "parse_encryption_config",
]
