"""Bootstrap tokens (--enable-bootstrap-token-auth): the short-lived `<id>.<secret>` tokens
`tug join` hands a new node, kept as Secrets of type bootstrap.kubernetes.io/token named
`bootstrap-token-<id>` in kube-system, as kubeadm does. The Secret is read from the watch
cache, so a deleted or edited token stops working at once, without a round trip to the
store. Every refusal is "not mine" (Kubernetes logs it and the bearer-token layer turns
it into 401), so a probe cannot tell a wrong secret from a missing token."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import logging
import re
from collections.abc import Callable
from typing import Any

from tugboat.api.meta import parse_rfc3339
from tugboat.apiserver.auth.user import UserInfo

log = logging.getLogger(__name__)

SECRET_TYPE = "bootstrap.kubernetes.io/token"
SECRET_NAMESPACE = "kube-system"
SECRET_PREFIX = "bootstrap-token-"
USER_PREFIX = "system:bootstrap:"
DEFAULT_GROUP = "system:bootstrappers"
TOKEN_RE = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
GROUP_RE = re.compile(r"^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")

Obj = dict[str, Any]
# (namespace, name) → the Secret's wire object, or None
SecretGetter = Callable[[str, str], Obj | None]


def _data(secret: Obj, key: str) -> str:
    raw = (secret.get("data") or {}).get(key)
    if raw is None:
        return ""
    try:
        return base64.b64decode(raw, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _expired(secret: Obj, now: dt.datetime) -> bool:
    stamp = _data(secret, "expiration")
    if not stamp:
        return False
    try:
        return parse_rfc3339(stamp) <= now
    except ValueError:
        log.warning("bootstrap token %s has an unparseable expiration %r; treated as expired",
                    secret["metadata"].get("name"), stamp)
        return True


def _groups(secret: Obj) -> tuple[str, ...] | None:
    groups = {DEFAULT_GROUP}
    extra = _data(secret, "auth-extra-groups")
    for g in (s.strip() for s in extra.split(",")) if extra else ():
        if not GROUP_RE.match(g):
            return None
        groups.add(g)
    return tuple(sorted(groups))


class BootstrapTokenAuthenticator:
    """A TokenAuthenticator over bootstrap-token Secrets (Kubernetes' bootstrap.TokenAuthenticator)."""

    def __init__(self, get_secret: SecretGetter,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)):
        self._get = get_secret
        self._now = now

    def authenticate_token(self, token: str) -> UserInfo | None:
        m = TOKEN_RE.match(token)
        if m is None:
            return None  # not a bootstrap token
        token_id, token_secret = m.groups()
        name = SECRET_PREFIX + token_id
        secret = self._get(SECRET_NAMESPACE, name)
        if secret is None:
            return None
        why = self._refusal(secret, token_id, token_secret)
        if why:
            log.info("bootstrap token secret %s/%s %s", SECRET_NAMESPACE, name, why)
            return None
        groups = _groups(secret)
        if groups is None:
            log.info("bootstrap token secret %s/%s has an invalid auth-extra-groups",
                     SECRET_NAMESPACE, name)
            return None
        return UserInfo(USER_PREFIX + token_id, groups=groups)

    def _refusal(self, secret: Obj, token_id: str, token_secret: str) -> str:
        if secret["metadata"].get("deletionTimestamp"):
            return "is deleted and awaiting removal"
        if secret.get("type") != SECRET_TYPE or not secret.get("data"):
            return f"has invalid type, expected {SECRET_TYPE}"
        if not hmac.compare_digest(_data(secret, "token-secret").encode(),
                                   token_secret.encode()):
            return "has invalid value for key token-secret"
        if _data(secret, "token-id") != token_id:
            return "has invalid value for key token-id"
        if _expired(secret, self._now()):
            return "has expired"
        if _data(secret, "usage-bootstrap-authentication") != "true":
            return "not marked usage-bootstrap-authentication=true"
        return ""
