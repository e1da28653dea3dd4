"""PolicyRules as the authorizer evaluates them: compiled once into frozensets, matched
against request attributes with Kubernetes' wildcard semantics ("*" verbs, groups and
resources, "*/sub" for one subresource of everything, trailing-* non-resource URLs), and
compared with each other (`covers`) for escalation checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tugboat.api.rbac import API_GROUP_ALL, NON_RESOURCE_ALL, RESOURCE_ALL, VERB_ALL
from tugboat.apiserver.auth.authorizer import Attributes, NonResourceRule, ResourceRule


@dataclass(frozen=True)
class Rule:
    verbs: frozenset[str]
    api_groups: frozenset[str] = frozenset()
    resources: frozenset[str] = frozenset()
    resource_names: frozenset[str] = frozenset()
    non_resource_urls: frozenset[str] = frozenset()

    @classmethod
    def of(cls, wire: Mapping[str, Any]) -> Rule:
        return cls(frozenset(wire.get("verbs") or ()), frozenset(wire.get("apiGroups") or ()),
                   frozenset(wire.get("resources") or ()),
                   frozenset(wire.get("resourceNames") or ()),
                   frozenset(wire.get("nonResourceURLs") or ()))

    def wire(self) -> dict[str, list[str]]:
        out = {"verbs": sorted(self.verbs)}
        for key, values in (("apiGroups", self.api_groups), ("resources", self.resources),
                            ("resourceNames", self.resource_names),
                            ("nonResourceURLs", self.non_resource_urls)):
            if values or (key == "apiGroups" and self.resources):
                out[key] = sorted(values)
        return out

    def allows(self, a: Attributes) -> bool:
        if not (VERB_ALL in self.verbs or a.verb in self.verbs):
            return False
        if not a.resource_request:
            return self._url_matches(a.path)
        return (self._group_matches(a.api_group) and
                self._resource_matches(a.resource, a.subresource) and
                self._name_matches(a.name))

    def _group_matches(self, group: str) -> bool:
        return API_GROUP_ALL in self.api_groups or group in self.api_groups

    def _resource_matches(self, resource: str, sub: str) -> bool:
        if RESOURCE_ALL in self.resources:
            return True
        if (f"{resource}/{sub}" if sub else resource) in self.resources:
            return True
        return bool(sub) and f"*/{sub}" in self.resources

    def _name_matches(self, name: str) -> bool:
        return not self.resource_names or name in self.resource_names

    def _url_matches(self, path: str) -> bool:
        for url in self.non_resource_urls:
            if url == NON_RESOURCE_ALL or url == path:
                return True
            if url.endswith("*") and path.startswith(url[:-1]):
                return True
        return False

    def as_resource_rule(self) -> ResourceRule:
        return ResourceRule(sorted(self.verbs), sorted(self.api_groups), sorted(self.resources),
                            sorted(self.resource_names))

    def as_non_resource_rule(self) -> NonResourceRule:
        return NonResourceRule(sorted(self.verbs), sorted(self.non_resource_urls))


def compile_rules(wire_rules: Iterable[Mapping[str, Any]] | None) -> tuple[Rule, ...]:
    return tuple(Rule.of(r) for r in wire_rules or ())


def allowed_by(rules: Iterable[Rule], a: Attributes) -> bool:
    return any(r.allows(a) for r in rules)


# -- coverage (Kubernetes' validation.Covers) ---------------------------------------------

def _atoms(rule: Rule) -> list[Rule]:
    """Break a rule into rules of one verb, one group, one resource, one name (or URL), so
    each can be checked against an owner's rules independently (BreakdownRule)."""
    out = []
    for verb in rule.verbs:
        for url in rule.non_resource_urls:
            out.append(Rule(frozenset({verb}), non_resource_urls=frozenset({url})))
        for group in rule.api_groups:
            for res in rule.resources:
                names = rule.resource_names or frozenset({""})
                for name in names:
                    out.append(Rule(frozenset({verb}), frozenset({group}), frozenset({res}),
                                    frozenset({name}) if name else frozenset()))
    return out


def _has(values: frozenset[str], value: str, wildcard: str) -> bool:
    return wildcard in values or value in values


def _rule_covers(owner: Rule, atom: Rule) -> bool:
    verb = next(iter(atom.verbs))
    if not _has(owner.verbs, verb, VERB_ALL):
        return False
    if atom.non_resource_urls:
        url = next(iter(atom.non_resource_urls))
        return any(u == NON_RESOURCE_ALL or u == url or
                   (u.endswith("*") and url.startswith(u[:-1]))
                   for u in owner.non_resource_urls)
    group, res = next(iter(atom.api_groups)), next(iter(atom.resources))
    if not _has(owner.api_groups, group, API_GROUP_ALL):
        return False
    res_ok = RESOURCE_ALL in owner.resources or res in owner.resources or (
        "/" in res and f"*/{res.split('/', 1)[1]}" in owner.resources)
    if not res_ok:
        return False
    if not owner.resource_names:
        return True
    return bool(atom.resource_names) and atom.resource_names <= owner.resource_names


def uncovered(owner: Iterable[Rule], servant: Iterable[Rule]) -> list[Rule]:
    """The atomic rules of `servant` that no rule of `owner` grants (empty: covered)."""
    owner = list(owner)
    return [atom for rule in servant for atom in _atoms(rule)
            if not any(_rule_covers(o, atom) for o in owner)]
