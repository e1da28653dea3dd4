"""The RBAC authorizer. Roles and bindings live in the watch cache; asking it for them on
every request would cost a scan per request, so an index from subject (user, group,
service account) to the rules bound to it is rebuilt whenever an rbac object changes —
noticed through a watcher on the rbac prefix, drained on the next request. Requests
between changes cost a few dict lookups and rule matches."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tugboat.api.rbac import GROUP_KIND, SERVICE_ACCOUNT_KIND, USER_KIND
from tugboat.apiserver.auth.authorizer import (
    Attributes,
    Decision,
    NonResourceRule,
    ResourceRule,
)
from tugboat.apiserver.auth.rbac.rules import Rule, compile_rules
from tugboat.apiserver.auth.user import SERVICE_ACCOUNT_PREFIX, UserInfo
from tugboat.apiserver.watchcache import WatchCache, Watcher

log = logging.getLogger(__name__)

PREFIX = "/registry/rbac.authorization.k8s.io/"
Obj = dict[str, Any]
SubjectKey = tuple[str, str]  # ("User" | "Group", name)


@dataclass(frozen=True)
class Grant:
    """The rules one binding gives one subject, and how to name it in a reason."""
    source: str  # e.g. ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin"
    rules: tuple[Rule, ...]


@dataclass
class Index:
    cluster: dict[SubjectKey, list[Grant]] = field(default_factory=lambda: defaultdict(list))
    namespaced: dict[str, dict[SubjectKey, list[Grant]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))


def subject_key(subject: Obj, binding_namespace: str) -> SubjectKey | None:
    kind, name = subject.get("kind"), subject.get("name") or ""
    if kind == USER_KIND:
        return (USER_KIND, name)
    if kind == GROUP_KIND:
        return (GROUP_KIND, name)
    if kind == SERVICE_ACCOUNT_KIND:
        ns = subject.get("namespace") or binding_namespace
        return (USER_KIND, f"{SERVICE_ACCOUNT_PREFIX}{ns}:{name}")
    return None


def user_keys(user: UserInfo) -> list[SubjectKey]:
    return [(USER_KIND, user.name), *((GROUP_KIND, g) for g in user.groups)]


def build_index(cache: WatchCache) -> Index:
    cluster_roles = {o["metadata"]["name"]: compile_rules(o.get("rules"))
                     for o in cache.list(PREFIX + "clusterroles/")}
    roles = {(o["metadata"].get("namespace"), o["metadata"]["name"]):
             compile_rules(o.get("rules")) for o in cache.list(PREFIX + "roles/")}
    idx = Index()
    for b in cache.list(PREFIX + "clusterrolebindings/"):
        ref = b.get("roleRef") or {}
        rules = cluster_roles.get(ref.get("name", "")) if ref.get("kind") == "ClusterRole" \
            else None
        if not rules:
            continue
        grant = Grant(f'ClusterRoleBinding "{b["metadata"]["name"]}" of ClusterRole '
                      f'"{ref["name"]}"', rules)
        for s in b.get("subjects") or ():
            key = subject_key(s, "")
            if key:
                idx.cluster[key].append(grant)
    for b in cache.list(PREFIX + "rolebindings/"):
        ns = b["metadata"].get("namespace") or ""
        ref = b.get("roleRef") or {}
        if ref.get("kind") == "ClusterRole":
            rules = cluster_roles.get(ref.get("name", ""))
        else:
            rules = roles.get((ns, ref.get("name", "")))
        if not rules:
            continue
        grant = Grant(f'RoleBinding "{b["metadata"]["name"]}/{ns}" of {ref["kind"]} '
                      f'"{ref["name"]}"', rules)
        for s in b.get("subjects") or ():
            key = subject_key(s, ns)
            if key:
                idx.namespaced[ns][key].append(grant)
    return idx


class RBACAuthorizer:
    def __init__(self, cache: WatchCache):
        self.cache = cache
        self._watcher: Watcher | None = None
        self._index = Index()

    def _current(self) -> Index:
        """The index, rebuilt first if any rbac object changed since the last request."""
        if not self.cache.ready.is_set():
            return self._index
        w = self._watcher
        if w is None or w.closed:
            self._watcher, _ = self.cache.watch(PREFIX, None)
            self._index = build_index(self.cache)
            return self._index
        if not w.queue.empty():
            while not w.queue.empty():
                if w.queue.get_nowait() is None:  # closed by the cache: start over
                    self._watcher = None
                    return self._current()
            self._index = build_index(self.cache)
        return self._index

    def grants(self, user: UserInfo, namespace: str) -> list[tuple[SubjectKey, Grant]]:
        """Every binding that names `user` (or a group of theirs) and applies here."""
        idx = self._current()
        keys = user_keys(user)
        out = [(k, g) for k in keys for g in idx.cluster.get(k, ())]
        if namespace and namespace in idx.namespaced:
            ns_index = idx.namespaced[namespace]
            out += [(k, g) for k in keys for g in ns_index.get(k, ())]
        return out

    def rules(self, user: UserInfo, namespace: str) -> list[Rule]:
        return [r for _, g in self.grants(user, namespace) for r in g.rules]

    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        for (kind, name), grant in self.grants(a.user, a.namespace):
            for rule in grant.rules:
                if rule.allows(a):
                    return Decision.ALLOW, f'RBAC: allowed by {grant.source} to {kind} "{name}"'
        return Decision.NO_OPINION, ""

    def rules_for(self, user: UserInfo, namespace: str
                  ) -> tuple[list[ResourceRule], list[NonResourceRule], bool]:
        resource, non_resource = [], []
        for rule in self.rules(user, namespace):
            if rule.non_resource_urls:
                non_resource.append(rule.as_non_resource_rule())
            else:
                resource.append(rule.as_resource_rule())
        return resource, non_resource, False
