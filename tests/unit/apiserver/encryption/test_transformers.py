"""The providers' on-disk formats are Kubernetes' (checked by decrypting with the bare
primitives), and a chain reads by prefix: rotation, identity for old plaintext, and a
clear error when no configured key fits."""

from __future__ import annotations

import base64

import nacl.secret
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM as GCMCipher

from tugboat.apiserver.encryption import parse_encryption_config
from tugboat.apiserver.encryption.transformers import (
    AESCBC,
    AESGCM,
    Identity,
    Secretbox,
    TransformerChain,
    TransformError,
)

SECRET = bytes(range(32))
KEY = "/registry/core/secrets/default/db"
VALUE = b'{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}'


def test_aescbc_is_iv_then_cbc_with_pkcs7() -> None:
    stored = AESCBC("key1", SECRET).to_storage(VALUE, KEY)
    prefix = b"k8s:enc:aescbc:v1:key1:"
    assert stored.startswith(prefix)
    body = stored[len(prefix):]
    dec = Cipher(algorithms.AES(SECRET), modes.CBC(body[:16])).decryptor()
    unpad = padding.PKCS7(128).unpadder()
    plain = dec.update(body[16:]) + dec.finalize()
    assert unpad.update(plain) + unpad.finalize() == VALUE


def test_aesgcm_is_nonce_then_gcm_bound_to_the_storage_key() -> None:
    t = AESGCM("key1", SECRET)
    stored = t.to_storage(VALUE, KEY)
    body = stored[len(b"k8s:enc:aesgcm:v1:key1:"):]
    assert GCMCipher(SECRET).decrypt(body[:12], body[12:], KEY.encode()) == VALUE
    with pytest.raises(TransformError):  # copied under another key: refused
        t.from_storage(body, "/registry/core/secrets/default/other")


def test_secretbox_is_nonce_then_naclbox() -> None:
    stored = Secretbox("key1", SECRET).to_storage(VALUE, KEY)
    body = stored[len(b"k8s:enc:secretbox:v1:key1:"):]
    assert nacl.secret.SecretBox(SECRET).decrypt(body[24:], body[:24]) == VALUE


@pytest.mark.parametrize("make", [AESCBC, AESGCM, Secretbox])
def test_round_trip_and_fresh_randomness(make) -> None:
    t = make("k", SECRET)
    a, b = t.to_storage(VALUE, KEY), t.to_storage(VALUE, KEY)
    assert a != b and VALUE not in a
    assert t.from_storage(a[len(t.prefix):], KEY) == VALUE


@pytest.mark.parametrize("make", [AESCBC, AESGCM, Secretbox])
def test_a_wrong_key_is_an_error_not_garbage(make) -> None:
    stored = make("k", SECRET).to_storage(VALUE, KEY)
    other = make("k", bytes(32))
    with pytest.raises(TransformError):
        other.from_storage(stored[len(other.prefix):], KEY)


def chain_of(*providers: dict) -> TransformerChain:
    cfg = parse_encryption_config({
        "apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
        "resources": [{"resources": ["secrets"], "providers": list(providers)}]})
    return cfg.chain_for("", "secrets")


def aescbc(*names: str) -> dict:
    return {"aescbc": {"keys": [{"name": n, "secret": base64.b64encode(n.encode() * 16)
                                 .decode()[:44]} for n in names]}}


def test_rotation_writes_with_the_first_key_and_reads_with_any() -> None:
    old = chain_of(aescbc("k1")).to_storage(VALUE, KEY)
    rotated = chain_of(aescbc("k2", "k1"))
    assert rotated.from_storage(old, KEY) == VALUE
    assert rotated.to_storage(VALUE, KEY).startswith(b"k8s:enc:aescbc:v1:k2:")


def test_identity_first_writes_plaintext_and_still_reads_encrypted_data() -> None:
    old = chain_of(aescbc("k1")).to_storage(VALUE, KEY)
    decrypting = chain_of({"identity": {}}, aescbc("k1"))
    assert decrypting.from_storage(old, KEY) == VALUE
    assert decrypting.to_storage(VALUE, KEY) == VALUE


def test_plaintext_needs_identity_and_a_dropped_key_names_the_reason() -> None:
    only_cbc = chain_of(aescbc("k2"))
    with pytest.raises(TransformError, match="no matching prefix found"):
        only_cbc.from_storage(VALUE, KEY)
    old = chain_of(aescbc("k1")).to_storage(VALUE, KEY)
    with pytest.raises(TransformError, match="no matching prefix found"):
        chain_of(aescbc("k2"), {"identity": {}}).from_storage(old, KEY)


def test_identity_refuses_to_pass_ciphertext_off_as_an_object() -> None:
    with pytest.raises(TransformError, match="encrypted data"):
        Identity().from_storage(b"k8s:enc:aescbc:v1:k:xxxx", KEY)
