"""The audit Policy: Kubernetes' matching rules (first match wins, subresource and wildcard
forms, namespaces, non-resource URLs, users and groups) and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tugboat.apiserver.audit import (
    AuditPolicyError,
    Level,
    PolicyRuleEvaluator,
    Stage,
    load_audit_policy,
    parse_audit_policy,
)
from tugboat.apiserver.auth.authorizer import Attributes
from tugboat.apiserver.auth.user import ALL_AUTHENTICATED, UserInfo

ALICE = UserInfo("alice", groups=("dev", ALL_AUTHENTICATED))
PROXY = UserInfo("system:kube-proxy", groups=(ALL_AUTHENTICATED,))


def req(verb: str, resource: str, ns: str = "default", name: str = "", sub: str = "",
        group: str = "", user: UserInfo = ALICE) -> Attributes:
    return Attributes(user=user, verb=verb, resource_request=True, namespace=ns,
                      api_group=group, api_version="v1", resource=resource, name=name,
                      subresource=sub, path="/api/v1/...")


def nonresource(path: str, user: UserInfo = ALICE) -> Attributes:
    return Attributes(user=user, verb="get", resource_request=False, path=path)


# Kubernetes' documented example policy, trimmed to the rules that differ in kind.
POLICY = {
    "apiVersion": "audit.k8s.io/v1", "kind": "Policy", "omitStages": ["RequestReceived"],
    "rules": [
        {"level": "RequestResponse", "resources": [{"group": "", "resources": ["pods"]}]},
        {"level": "Metadata", "resources": [{"group": "", "resources": ["pods/log",
                                                                        "pods/status"]}]},
        {"level": "None", "resources": [{"group": "", "resources": ["configmaps"],
                                         "resourceNames": ["controller-leader"]}]},
        {"level": "None", "users": ["system:kube-proxy"], "verbs": ["watch"],
         "resources": [{"group": "", "resources": ["endpoints", "services"]}]},
        {"level": "None", "userGroups": ["system:authenticated"],
         "nonResourceURLs": ["/api*", "/version"]},
        {"level": "Request", "resources": [{"group": "", "resources": ["configmaps"]}],
         "namespaces": ["kube-system"]},
        {"level": "Metadata", "resources": [{"group": "", "resources": ["secrets",
                                                                        "configmaps"]}]},
        {"level": "Request", "resources": [{"group": "apps", "resources": ["*/scale"]},
                                           {"group": "batch", "resources": ["jobs/*"]}]},
        {"level": "Request", "resources": [{"group": ""}, {"group": "extensions"}]},
        {"level": "Metadata", "omitStages": ["ResponseStarted"]},
    ]}
EVALUATOR = PolicyRuleEvaluator(parse_audit_policy(POLICY))


@pytest.mark.parametrize(("attrs", "level"), [
    (req("create", "pods"), Level.REQUEST_RESPONSE),
    (req("get", "pods", name="web"), Level.REQUEST_RESPONSE),
    (req("get", "pods", name="web", sub="log"), Level.METADATA),  # "pods" is not pods/log
    (req("update", "pods", name="web", sub="status"), Level.METADATA),
    (req("create", "pods", name="web", sub="exec"), Level.REQUEST),  # falls to group ""
    (req("update", "configmaps", name="controller-leader"), Level.NONE),
    (req("update", "configmaps", name="other"), Level.METADATA),
    (req("update", "configmaps", ns="kube-system", name="other"), Level.REQUEST),
    (req("watch", "endpoints", user=PROXY), Level.NONE),
    (req("list", "endpoints", user=PROXY), Level.REQUEST),
    (req("watch", "endpoints"), Level.REQUEST),
    (nonresource("/apis/apps/v1"), Level.NONE),
    (nonresource("/version"), Level.NONE),
    (nonresource("/healthz"), Level.METADATA),
    (nonresource("/version", user=UserInfo("system:anonymous")), Level.METADATA),
    (req("get", "secrets", name="db"), Level.METADATA),
    (req("update", "deployments", name="d", sub="scale", group="apps"), Level.REQUEST),
    (req("get", "deployments", name="d", group="apps"), Level.METADATA),
    (req("update", "jobs", name="j", sub="status", group="batch"), Level.REQUEST),
    # "jobs/*" matches jobs itself too: Kubernetes' checker compares the resource only
    (req("get", "jobs", name="j", group="batch"), Level.REQUEST),
    (req("get", "cronjobs", name="j", group="batch"), Level.METADATA),
    (req("list", "namespaces", ns=""), Level.REQUEST),
])
def test_first_matching_rule_gives_the_level(attrs: Attributes, level: Level) -> None:
    assert EVALUATOR.evaluate(attrs).level == level


def test_omitted_stages_are_the_policys_and_the_rules() -> None:
    assert EVALUATOR.evaluate(req("get", "pods")).omit_stages == {Stage.REQUEST_RECEIVED}
    assert EVALUATOR.evaluate(nonresource("/healthz")).omit_stages == {
        Stage.REQUEST_RECEIVED, Stage.RESPONSE_STARTED}


def test_namespaces_select_cluster_scoped_resources_with_the_empty_string() -> None:
    policy = PolicyRuleEvaluator(parse_audit_policy({
        "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
        "rules": [{"level": "Metadata", "namespaces": [""]}]}))
    assert policy.evaluate(req("get", "nodes", ns="", name="n1")).level == Level.METADATA
    assert policy.evaluate(req("get", "pods", name="p")).level == Level.NONE
    assert policy.evaluate(nonresource("/healthz")).level == Level.NONE


def test_no_rules_audit_nothing() -> None:
    empty = PolicyRuleEvaluator(parse_audit_policy({"apiVersion": "audit.k8s.io/v1",
                                                    "kind": "Policy"}))
    assert empty.evaluate(req("delete", "secrets", name="db")).level == Level.NONE


@pytest.mark.parametrize(("rules", "message"), [
    ([{"level": "Everything"}], 'rules[0].level: Unsupported value: "Everything"'),
    ([{"verbs": ["get"]}], "rules[0].level: Field required"),
    ([{"level": "None", "resources": [{"resources": ["pods"]}], "nonResourceURLs": ["/x"]}],
     "rules cannot apply to both regular resources and non-resource URLs"),
    ([{"level": "None", "nonResourceURLs": ["/a*b"]}], 'Invalid value: "/a*b"'),
    ([{"level": "None", "omitStages": ["Sometimes"]}], "rules[0].omitStages[0]"),
    ([{"level": "None", "userz": ["x"]}], "rules[0].userz: Extra inputs are not permitted"),
])
def test_bad_policies_are_one_line_errors(rules: list, message: str) -> None:
    with pytest.raises(AuditPolicyError) as exc:
        parse_audit_policy({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": rules})
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_policy_files_are_yaml_and_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.yaml"
    path.write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n")
    assert load_audit_policy(path).evaluate(req("get", "pods")).level == Level.METADATA
    path.write_text("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\n")
    with pytest.raises(AuditPolicyError, match=r"audit\.yaml: no kind \"Policy\" is "
                                               r"registered for version"):
        load_audit_policy(path)
    with pytest.raises(AuditPolicyError, match="missing.yaml"):
        load_audit_policy(tmp_path / "missing.yaml")
