"""PolicyRule matching with Kubernetes' wildcards, and rule coverage for escalation."""

from __future__ import annotations

import pytest

from tugboat.apiserver.auth.authorizer import Attributes
from tugboat.apiserver.auth.rbac.rules import Rule, uncovered
from tugboat.apiserver.auth.user import UserInfo

U = UserInfo("u")


def res(verb: str, resource: str, group: str = "", sub: str = "", name: str = "",
        ns: str = "default") -> Attributes:
    return Attributes(U, verb, True, namespace=ns, api_group=group, resource=resource,
                      subresource=sub, name=name)


def url(verb: str, path: str) -> Attributes:
    return Attributes(U, verb, False, path=path)


CASES = [
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("get", "pods"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("list", "pods"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
     res("get", "pods", "apps"), False),
    ({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
     res("delete", "deployments", "apps"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
     res("get", "pods", sub="log"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]},
     res("get", "pods", sub="log"), True),
    ({"verbs": ["update"], "apiGroups": ["*"], "resources": ["*/status"]},
     res("update", "deployments", "apps", sub="status"), True),
    ({"verbs": ["update"], "apiGroups": ["*"], "resources": ["*/status"]},
     res("update", "deployments", "apps"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"],
      "resourceNames": ["a"]}, res("get", "secrets", name="a"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"],
      "resourceNames": ["a"]}, res("get", "secrets", name="b"), False),
    ({"verbs": ["list"], "apiGroups": [""], "resources": ["secrets"],
      "resourceNames": ["a"]}, res("list", "secrets"), False),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("get", "/healthz"), True),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("get", "/healthz/etcd"), False),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]}, url("get", "/healthz/etcd"), True),
    ({"verbs": ["get"], "nonResourceURLs": ["*"]}, url("get", "/anything"), True),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("post", "/healthz"), False),
    ({"verbs": ["get"], "nonResourceURLs": ["*"]}, res("get", "pods"), False),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*"]}, url("get", "/x"), False),
]


@pytest.mark.parametrize("rule,attrs,allowed", CASES)
def test_rule_allows(rule: dict, attrs: Attributes, allowed: bool) -> None:
    assert Rule.of(rule).allows(attrs) is allowed


def rules(*wire: dict) -> list[Rule]:
    return [Rule.of(w) for w in wire]


def test_star_covers_everything() -> None:
    owner = rules({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
                  {"verbs": ["*"], "nonResourceURLs": ["*"]})
    servant = rules({"verbs": ["get", "delete"], "apiGroups": ["", "apps"],
                     "resources": ["pods", "deployments/scale"], "resourceNames": ["x"]},
                    {"verbs": ["get"], "nonResourceURLs": ["/metrics"]})
    assert uncovered(owner, servant) == []


def test_missing_verbs_are_reported_one_by_one() -> None:
    owner = rules({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]})
    missing = uncovered(owner, rules({"verbs": ["get", "delete"], "apiGroups": [""],
                                      "resources": ["pods"]}))
    assert [sorted(m.verbs) for m in missing] == [["delete"]]


def test_named_grants_do_not_cover_unnamed_ones() -> None:
    owner = rules({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"],
                   "resourceNames": ["a"]})
    assert uncovered(owner, rules({"verbs": ["get"], "apiGroups": [""],
                                   "resources": ["secrets"]}))
    assert not uncovered(owner, rules({"verbs": ["get"], "apiGroups": [""],
                                       "resources": ["secrets"], "resourceNames": ["a"]}))


def test_a_servant_wildcard_needs_an_owner_wildcard() -> None:
    owner = rules({"verbs": ["get"], "apiGroups": [""], "resources": ["pods", "secrets"]})
    assert uncovered(owner, rules({"verbs": ["get"], "apiGroups": [""], "resources": ["*"]}))


def test_subresource_wildcards_and_url_prefixes_cover() -> None:
    owner = rules({"verbs": ["update"], "apiGroups": ["apps"], "resources": ["*/status"]},
                  {"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]})
    assert not uncovered(owner, rules(
        {"verbs": ["update"], "apiGroups": ["apps"], "resources": ["deployments/status"]},
        {"verbs": ["get"], "nonResourceURLs": ["/healthz/ping"]}))
