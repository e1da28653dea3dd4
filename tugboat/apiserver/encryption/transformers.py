"""The value transformers behind EncryptionConfiguration's providers (Kubernetes'
storage/value/encrypt): each turns a stored value into ciphertext and back.

Stored values carry Kubernetes' on-disk format, `k8s:enc:<provider>:v1:<key name>:`
followed by the provider's ciphertext, so a reader finds the provider and key by prefix
and any key listed in the configuration can read what an earlier configuration wrote:
  aescbc     16-byte IV, then AES-CBC with PKCS#7 padding
  aesgcm     12-byte nonce, then AES-GCM (ciphertext and tag) over the value, with the
             storage key as authenticated data, so a value copied to another key fails
  secretbox  24-byte nonce, then NaCl secretbox (XSalsa20-Poly1305)
  identity   the value itself (plaintext JSON, which starts with "{"): no prefix
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM as GCMCipher

ENCRYPTED_PREFIX = b"k8s:enc:"


class TransformError(Exception):
    """A value could not be decrypted (wrong key, corrupt data)."""


class Transformer(Protocol):
    prefix: bytes  # empty for identity

    def to_storage(self, data: bytes, key: str) -> bytes:
        """The stored form of `data` under storage key `key`, prefix included."""

    def from_storage(self, body: bytes, key: str) -> bytes:
        """The plaintext of a stored value whose prefix has been removed."""


def prefix_of(provider: str, key_name: str) -> bytes:
    return f"k8s:enc:{provider}:v1:{key_name}:".encode()


@dataclass(frozen=True)
class Identity:
    prefix: bytes = b""

    def to_storage(self, data: bytes, key: str) -> bytes:
        return data

    def from_storage(self, body: bytes, key: str) -> bytes:
        # Kubernetes' identity refuses encrypted data rather than hand ciphertext to a
        # decoder as if it were an object.
        if body.startswith(ENCRYPTED_PREFIX):
            raise TransformError("identity transformer tried to read encrypted data")
        return body


class AESCBC:
    def __init__(self, name: str, secret: bytes):
        self.prefix = prefix_of("aescbc", name)
        self._algorithm = algorithms.AES(secret)

    def to_storage(self, data: bytes, key: str) -> bytes:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        enc = Cipher(self._algorithm, modes.CBC(iv)).encryptor()
        return self.prefix + iv + enc.update(padded) + enc.finalize()

    def from_storage(self, body: bytes, key: str) -> bytes:
        if len(body) < 32 or len(body) % 16:
            raise TransformError("the stored data is not a whole number of AES blocks")
        dec = Cipher(self._algorithm, modes.CBC(body[:16])).decryptor()
        padded = dec.update(body[16:]) + dec.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError:  # a wrong key yields garbage padding
            raise TransformError("invalid PKCS#7 padding (wrong key?)") from None


class AESGCM:
    def __init__(self, name: str, secret: bytes):
        self.prefix = prefix_of("aesgcm", name)
        self._aead = GCMCipher(secret)

    def to_storage(self, data: bytes, key: str) -> bytes:
        nonce = os.urandom(12)
        return self.prefix + nonce + self._aead.encrypt(nonce, data, key.encode())

    def from_storage(self, body: bytes, key: str) -> bytes:
        try:
            return self._aead.decrypt(body[:12], body[12:], key.encode())
        except (InvalidTag, ValueError):
            raise TransformError("message authentication failed") from None


class Secretbox:
    def __init__(self, name: str, secret: bytes):
        self.prefix = prefix_of("secretbox", name)
        self._box = nacl.secret.SecretBox(secret)

    def to_storage(self, data: bytes, key: str) -> bytes:
        return self.prefix + bytes(self._box.encrypt(data))  # nonce + tag + ciphertext

    def from_storage(self, body: bytes, key: str) -> bytes:
        try:
            return self._box.decrypt(body)
        except (nacl.exceptions.CryptoError, ValueError):
            raise TransformError("output array has the wrong length or decryption "
                                 "failed") from None


@dataclass(frozen=True)
class TransformerChain:
    """One resource entry's providers, flattened in order: the first writes, every one
    whose prefix matches may read (Kubernetes' prefixTransformers)."""

    transformers: tuple[Transformer, ...]

    def to_storage(self, data: bytes, key: str) -> bytes:
        return self.transformers[0].to_storage(data, key)

    def is_stale(self, stored: bytes) -> bool:
        """Written by another provider or key than the one that writes now (Kubernetes'
        `stale`): rewriting it would change its stored form."""
        first = self.transformers[0].prefix
        if first:
            return not stored.startswith(first)
        return stored.startswith(ENCRYPTED_PREFIX)

    def from_storage(self, stored: bytes, key: str) -> bytes:
        errs: list[str] = []
        for t in self.transformers:
            if not stored.startswith(t.prefix):
                continue
            try:
                return t.from_storage(stored[len(t.prefix):], key)
            except TransformError as e:
                if t.prefix:  # identity matches everything; its refusal is no news
                    errs.append(f"{t.prefix.decode().rstrip(':')}: {e}")
        raise TransformError("; ".join(errs) or "no matching prefix found")
