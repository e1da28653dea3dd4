"""The identity a request carries after authentication (Kubernetes' user.Info). The
authentication filter stores it in the ASGI scope; handlers and admission read it with
`user_of`. A request that never passed the filter — the loopback insecure port, an app
built without security — acts as PRIVILEGED, as Kubernetes' old insecure port did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCOPE_KEY = "tugboat.user"

ALL_AUTHENTICATED = "system:authenticated"
ALL_UNAUTHENTICATED = "system:unauthenticated"
MASTERS = "system:masters"
NODES = "system:nodes"
NODE_PREFIX = "system:node:"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
SERVICE_ACCOUNTS = "system:serviceaccounts"


@dataclass(frozen=True)
class UserInfo:
    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    # extra attributes (e.g. the pod a service account token is bound to), hashable
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def extra_map(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.extra}

    def wire(self) -> dict[str, Any]:
        """authentication.k8s.io/v1 UserInfo."""
        out: dict[str, Any] = {"username": self.name}
        if self.uid:
            out["uid"] = self.uid
        if self.groups:
            out["groups"] = list(self.groups)
        if self.extra:
            out["extra"] = self.extra_map
        return out


def make_extra(extra: Mapping[str, list[str] | tuple[str, ...]] | None) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))


ANONYMOUS = UserInfo("system:anonymous", groups=(ALL_UNAUTHENTICATED,))
PRIVILEGED = UserInfo("system:unsecured", groups=(MASTERS, ALL_AUTHENTICATED))


def user_of(scope: Mapping[str, Any]) -> UserInfo:
    return scope.get(SCOPE_KEY, PRIVILEGED)


def node_name_of(user: UserInfo) -> str | None:
    """`system:node:<name>` in group system:nodes → name (the Node authorizer's test)."""
    if user.name.startswith(NODE_PREFIX) and NODES in user.groups:
        return user.name[len(NODE_PREFIX):] or None
    return None


def service_account_of(user: UserInfo) -> tuple[str, str] | None:
    """`system:serviceaccount:<ns>:<name>` → (ns, name)."""
    if not user.name.startswith(SERVICE_ACCOUNT_PREFIX):
        return None
    parts = user.name[len(SERVICE_ACCOUNT_PREFIX):].split(":")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None
