"""Authorizer chains, as `--authorization-mode` builds them: a union asks each authorizer
in order and stops at the first that allows or denies (NO_OPINION passes on, and the
reasons given on the way are kept for the 403); AlwaysAllow and AlwaysDeny are the
trivial modes. `build_authorizer` turns the flag's list into one authorizer."""

from __future__ import annotations

from collections.abc import Sequence

from tugboat.apiserver.auth.authorizer import (
    Attributes,
    Authorizer,
    Decision,
    NonResourceRule,
    ResourceRule,
)
from tugboat.apiserver.auth.node import NodeAuthorizer
from tugboat.apiserver.auth.rbac.authorizer import RBACAuthorizer
from tugboat.apiserver.auth.user import MASTERS, UserInfo
from tugboat.apiserver.watchcache import WatchCache

MODES = ("AlwaysAllow", "AlwaysDeny", "Node", "RBAC")


class AlwaysAllow:
    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        return Decision.ALLOW, ""

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        return [ResourceRule(["*"], ["*"], ["*"])], [NonResourceRule(["*"], ["*"])], False


class AlwaysDeny:
    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        return Decision.DENY, "Everything is forbidden."

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        return [], [], False


class PrivilegedGroups:
    """system:masters may do anything, whatever RBAC holds: kube-apiserver puts this in
    front of every chain, so deleting the cluster-admin binding cannot lock admins out."""

    def __init__(self, groups: tuple[str, ...] = (MASTERS,)):
        self.groups = groups

    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        if any(g in self.groups for g in a.user.groups):
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, ""

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        if any(g in self.groups for g in user.groups):
            return AlwaysAllow().rules_for(user, namespace)
        return [], [], False


class UnionAuthorizer:
    def __init__(self, authorizers: Sequence[Authorizer]):
        self.authorizers = list(authorizers)

    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        reasons = []
        for authz in self.authorizers:
            decision, reason = authz.authorize(a)
            if decision is not Decision.NO_OPINION:
                return decision, reason
            if reason:
                reasons.append(reason)
        return Decision.NO_OPINION, ", ".join(reasons)

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        resource: list[ResourceRule] = []
        non_resource: list[NonResourceRule] = []
        incomplete = False
        for authz in self.authorizers:
            r, n, inc = authz.rules_for(user, namespace)
            resource += r
            non_resource += n
            incomplete = incomplete or inc
        return resource, non_resource, incomplete


def build_authorizer(modes: list[str], cache: WatchCache) -> Authorizer:
    """`--authorization-mode` (e.g. ["Node", "RBAC"]) → one authorizer: system:masters
    first, as in kube-apiserver, then the modes in flag order."""
    built: list[Authorizer] = [PrivilegedGroups()]
    for mode in modes:
        if mode == "AlwaysAllow":
            built.append(AlwaysAllow())
        elif mode == "AlwaysDeny":
            built.append(AlwaysDeny())
        elif mode == "Node":
            built.append(NodeAuthorizer(cache))
        elif mode == "RBAC":
            built.append(RBACAuthorizer(cache))
        else:
            raise ValueError(f'unknown authorization mode "{mode}" specified; supported '
                             f'modes: {", ".join(MODES)}')
    if len(modes) != len(set(modes)):
        raise ValueError(f"authorization-mode {','.join(modes)} has mode specified more "
                         f"than once")
    return UnionAuthorizer(built)
