"""Bound ServiceAccount tokens as Kubernetes signs them (pkg/serviceaccount/claims.go):
JWTs with iss, sub `system:serviceaccount:<ns>:<name>`, aud, exp, iat, nbf, jti and the
private `kubernetes.io` claim naming the namespace, the service account and the pod,
secret or node the token dies with. Keys come from PEM files as kube-apiserver reads
them: `--service-account-signing-key-file` (a private RSA or ECDSA key) to sign, and
`--service-account-key-file` (public keys, private keys or certificates, several per file
and several files) to verify. The header's `kid` is Kubernetes' key id, so a verifier
with many keys finds the right one first."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tugboat.apiserver.auth.user import SERVICE_ACCOUNT_PREFIX

DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"
PRIVATE_CLAIM = "kubernetes.io"
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class KeyFileError(ValueError):
    """A key file that holds no usable RSA or ECDSA key."""


def algorithm_for(key: PublicKey | PrivateKey) -> str:
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "RS256"
    curve = key.curve.name
    if curve not in _EC_ALGORITHMS:
        raise KeyFileError(f"unsupported elliptic curve {curve}")
    return _EC_ALGORITHMS[curve]


def key_id(key: PublicKey) -> str:
    """Kubernetes' kid: the unpadded base64url SHA-256 of the DER (PKIX) public key."""
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def _pem_blocks(data: bytes) -> list[bytes]:
    blocks, rest = [], data
    while b"-----BEGIN " in rest:
        start = rest.index(b"-----BEGIN ")
        end_marker = rest.find(b"-----END ", start)
        if end_marker < 0:
            break
        end = rest.find(b"-----", end_marker + 9)
        blocks.append(rest[start:end + 5] + b"\n")
        rest = rest[end + 5:]
    return blocks


def _public_of(block: bytes) -> PublicKey | None:
    loaders: tuple[Callable[[bytes], Any], ...] = (
        serialization.load_pem_public_key,
        lambda b: serialization.load_pem_private_key(b, password=None).public_key(),
        lambda b: x509.load_pem_x509_certificate(b).public_key(),
    )
    for load in loaders:
        try:
            key = load(block)
        except (ValueError, TypeError):
            continue
        return key if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) else None
    return None


def load_public_keys(paths: Iterable[str | Path]) -> list[PublicKey]:
    """Every RSA/ECDSA key in the files (public, private or certificate PEM blocks)."""
    keys: list[PublicKey] = []
    for path in paths:
        found = [k for k in map(_public_of, _pem_blocks(Path(path).read_bytes())) if k]
        if not found:
            raise KeyFileError(f"{path}: no RSA or ECDSA key found")
        keys += found
    return keys


def load_private_key(path: str | Path) -> PrivateKey:
    for block in _pem_blocks(Path(path).read_bytes()):
        try:
            key = serialization.load_pem_private_key(block, password=None)
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            return key
    raise KeyFileError(f"{path}: no RSA or ECDSA private key found")


@dataclass(frozen=True)
class ObjectRef:
    """A named object with its uid, as the private claim records it."""
    name: str
    uid: str


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says (the parts the authenticator checks)."""
    namespace: str
    service_account: ObjectRef
    pod: ObjectRef | None = None
    secret: ObjectRef | None = None
    node: ObjectRef | None = None
    jti: str = ""
    expires: float = 0.0


@dataclass
class TokenIssuer:
    """Signs bound tokens with one private key (kube-apiserver's token generator)."""
    key: PrivateKey
    issuer: str = DEFAULT_ISSUER
    audiences: list[str] = field(default_factory=list)
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.audiences = self.audiences or [self.issuer]
        self.algorithm = algorithm_for(self.key)
        self.kid = key_id(self.key.public_key())

    @property
    def public_key(self) -> PublicKey:
        return self.key.public_key()

    def issue(self, claims: TokenClaims, audiences: list[str], expiration_seconds: int
              ) -> tuple[str, dt.datetime]:
        """The signed token and when it expires (whole seconds, UTC)."""
        now = int(self.clock())
        exp = now + int(expiration_seconds)
        private: dict[str, Any] = {
            "namespace": claims.namespace,
            "serviceaccount": {"name": claims.service_account.name,
                               "uid": claims.service_account.uid},
        }
        for what, ref in (("pod", claims.pod), ("secret", claims.secret), ("node", claims.node)):
            if ref is not None:
                private[what] = {"name": ref.name, "uid": ref.uid}
        payload = {
            "iss": self.issuer,
            "sub": f"{SERVICE_ACCOUNT_PREFIX}{claims.namespace}:{claims.service_account.name}",
            "aud": list(audiences),
            "exp": exp, "iat": now, "nbf": now,
            "jti": claims.jti or str(uuid.uuid4()),
            PRIVATE_CLAIM: private,
        }
        token = jwt.encode(payload, self.key, algorithm=self.algorithm,
                           headers={"kid": self.kid})
        return token, dt.datetime.fromtimestamp(exp, dt.timezone.utc)


def load_token_issuer(signing_key_file: str | Path, issuer: str = DEFAULT_ISSUER,
                      audiences: list[str] | None = None) -> TokenIssuer:
    """From `--service-account-signing-key-file`, `--service-account-issuer` and
    `--api-audiences` (default: the issuer)."""
    return TokenIssuer(load_private_key(signing_key_file), issuer, list(audiences or []))


class InvalidToken(Exception):
    """One of our tokens that does not verify (the message says why, for the log)."""


@dataclass
class TokenVerifier:
    """Checks signature, issuer, audience and time of a token; returns its claims."""
    keys: list[PublicKey]
    issuers: list[str]
    audiences: list[str]
    clock: Callable[[], float] = time.time
    leeway: float = 0.0

    def is_ours(self, token: str) -> bool:
        """A JWT whose issuer is one of ours; anything else belongs to another
        authenticator."""
        if token.count(".") != 2:
            return False
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return claims.get("iss") in self.issuers

    def verify(self, token: str) -> TokenClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from e
        kid = header.get("kid")
        candidates = sorted(self.keys, key=lambda k: key_id(k) != kid)
        last: Exception = InvalidToken("no verification keys")
        for key in candidates:
            try:
                payload = jwt.decode(
                    token, key, algorithms=[algorithm_for(key)], audience=self.audiences,
                    issuer=self.issuers, leeway=self.leeway,
                    options={"require": ["exp", "iss", "sub"], "verify_exp": False,
                             "verify_nbf": False, "verify_iat": False})
            except jwt.InvalidSignatureError as e:
                last = e
                continue
            except (jwt.PyJWTError, KeyFileError) as e:
                raise InvalidToken(str(e)) from e
            return self._claims(payload)
        raise InvalidToken(f"token could not be verified: {last}")

    def _claims(self, payload: dict[str, Any]) -> TokenClaims:
        # Time is checked against the injected clock (PyJWT's own check reads time.time).
        now = self.clock()
        if payload["exp"] + self.leeway < now:
            raise InvalidToken("service account token has expired")
        if "nbf" in payload and payload["nbf"] - self.leeway > now:
            raise InvalidToken("service account token is not valid yet")
        private = payload.get(PRIVATE_CLAIM)
        if not isinstance(private, dict):
            raise InvalidToken(f"token has no {PRIVATE_CLAIM} claim")
        try:
            ns = private["namespace"]
            sa = ObjectRef(private["serviceaccount"]["name"], private["serviceaccount"]["uid"])
        except (KeyError, TypeError) as e:
            raise InvalidToken(f"token's {PRIVATE_CLAIM} claim is incomplete") from e
        if payload["sub"] != f"{SERVICE_ACCOUNT_PREFIX}{ns}:{sa.name}":
            raise InvalidToken("token's sub does not match its service account")

        def ref(what: str) -> ObjectRef | None:
            v = private.get(what)
            return ObjectRef(v.get("name", ""), v.get("uid", "")) if isinstance(v, dict) else None

        return TokenClaims(ns, sa, ref("pod"), ref("secret"), ref("node"),
                           payload.get("jti", ""), float(payload["exp"]))
