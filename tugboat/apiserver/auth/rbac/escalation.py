"""Escalation prevention, as Kubernetes' RBAC storage enforces it, here as the validating
admission plugin "RBACEscalation". Writing a Role or ClusterRole needs every permission it
grants, unless the writer has `escalate` on it; writing a binding needs every permission
of the role it references, unless the writer has `bind` on that role; an aggregationRule
(it can gather anything) needs full authority. system:masters is exempt. Without this,
anyone allowed to create a RoleBinding could make themselves cluster-admin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tugboat.api.rbac import GROUP
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation
from tugboat.apiserver.auth.authorizer import Attributes, Authorizer, Decision
from tugboat.apiserver.auth.rbac.rules import Rule, compile_rules, uncovered
from tugboat.apiserver.auth.user import MASTERS, UserInfo
from tugboat.apiserver.watchcache import WatchCache

Obj = dict[str, Any]
_ROLE_INFOS = {r: lookup(GROUP, "v1", r) for r in ("roles", "clusterroles")}
FULL_AUTHORITY = (Rule(frozenset({"*"}), frozenset({"*"}), frozenset({"*"})),
                  Rule(frozenset({"*"}), non_resource_urls=frozenset({"*"})))


def _go_quoted(values: Iterable[str]) -> str:
    """Go's %q of a []string: ["a" "b"]."""
    return "[" + " ".join(f'"{v}"' for v in values) + "]"


def compact_string(rule: Rule) -> str:
    """PolicyRule.CompactString: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}."""
    parts = []
    for label, values in (("APIGroups", rule.api_groups), ("Resources", rule.resources),
                          ("NonResourceURLs", rule.non_resource_urls),
                          ("ResourceNames", rule.resource_names)):
        if values:
            parts.append(f"{label}:{_go_quoted(sorted(values))}")
    parts.append(f"Verbs:{_go_quoted(sorted(rule.verbs))}")
    return "{" + ", ".join(parts) + "}"


def _compact(atoms: list[Rule]) -> list[Rule]:
    """Merge atomic rules that differ only in their verb (CompactRules)."""
    merged: dict[tuple, set[str]] = {}
    for a in atoms:
        key = (a.api_groups, a.resources, a.resource_names, a.non_resource_urls)
        merged.setdefault(key, set()).update(a.verbs)
    return [Rule(frozenset(verbs), *key) for key, verbs in merged.items()]


def not_held_message(user: UserInfo, missing: list[Rule]) -> str:
    lines = sorted(compact_string(r) for r in _compact(missing))
    return (f'user "{user.name}" (groups={_go_quoted(user.groups)}) is attempting to grant '
            f"RBAC permissions not currently held:\n" + "\n".join(lines))


class RBACEscalation:
    name = "RBACEscalation"

    def __init__(self, authorizer: Authorizer, cache: WatchCache):
        self.authorizer = authorizer
        self.cache = cache

    def validate(self, req: AdmissionRequest) -> None:
        if req.info.group != GROUP or req.subresource or req.obj is None or \
                req.operation not in (Operation.CREATE, Operation.UPDATE):
            return
        if MASTERS in req.user.groups:
            return
        if req.info.resource in ("roles", "clusterroles"):
            self._check_role(req)
        elif req.info.resource in ("rolebindings", "clusterrolebindings"):
            self._check_binding(req)

    def _held(self, user: UserInfo, namespace: str) -> list[Rule]:
        resource, non_resource, _ = self.authorizer.rules_for(user, namespace)
        return [*compile_rules({"verbs": r.verbs, "apiGroups": r.api_groups,
                                "resources": r.resources, "resourceNames": r.resource_names}
                               for r in resource),
                *compile_rules({"verbs": r.verbs, "nonResourceURLs": r.non_resource_urls}
                               for r in non_resource)]

    def _allowed(self, user: UserInfo, verb: str, resource: str, namespace: str,
                 name: str) -> bool:
        decision, _ = self.authorizer.authorize(Attributes(
            user=user, verb=verb, resource_request=True, namespace=namespace,
            api_group=GROUP, api_version="v1", resource=resource, name=name))
        return decision is Decision.ALLOW

    def _refuse(self, req: AdmissionRequest, why: str) -> None:
        raise errors.forbidden(req.info, req.name, why)

    def _check_role(self, req: AdmissionRequest) -> None:
        ns = req.namespace or "" if req.info.namespaced else ""
        if self._allowed(req.user, "escalate", req.info.resource, ns, req.name):
            return
        held = self._held(req.user, ns)
        if (req.obj or {}).get("aggregationRule") and uncovered(held, FULL_AUTHORITY):
            self._refuse(req, "must have cluster-admin privileges to use the aggregationRule")
        missing = uncovered(held, compile_rules((req.obj or {}).get("rules")))
        if missing:
            self._refuse(req, not_held_message(req.user, missing))

    def _check_binding(self, req: AdmissionRequest) -> None:
        ref = (req.obj or {}).get("roleRef") or {}
        ns = req.namespace or "" if req.info.namespaced else ""
        role_resource = "clusterroles" if ref.get("kind") == "ClusterRole" else "roles"
        if self._allowed(req.user, "bind", role_resource, ns, ref.get("name", "")):
            return
        role = self.cache.get(_ROLE_INFOS[role_resource].key(ns, ref.get("name", "")))
        if role is None:
            self._refuse(req, f'{role_resource}.{GROUP} "{ref.get("name")}" not found')
        missing = uncovered(self._held(req.user, ns), compile_rules((role or {}).get("rules")))
        if missing:
            self._refuse(req, not_held_message(req.user, missing))
