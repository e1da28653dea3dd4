"""Label and field selectors behave as k8s.io/apimachinery's labels and fields packages."""

from __future__ import annotations

import pytest

from tugboat.api.meta import LabelSelector, LabelSelectorRequirement
from tugboat.api.selectors import (
    FieldSelector,
    Selector,
    SelectorError,
    escape_value,
    exact_match_requirements,
    field_selector_from_set,
    field_value,
    label_selector_as_selector,
    new_requirement,
    parse_field_selector,
    parse_label_selector,
    selector_from_set,
    supported_field_labels,
    unescape_value,
)

# ---------------------------------------------------------------------------------------------
# Label selector strings: matching

WEB = {"app": "web", "tier": "front", "env": "prod", "replicas": "3"}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", WEB, True),
        ("   ", {}, True),
        ("app=web", WEB, True),
        ("app==web", WEB, True),
        ("app=db", WEB, False),
        ("app!=db", WEB, True),
        ("app!=web", WEB, False),
        ("missing!=x", WEB, True),  # an absent label is "not equal"
        ("app in (web,db)", WEB, True),
        ("app in (db,cache)", WEB, False),
        ("missing in (x)", WEB, False),
        ("app notin (db)", WEB, True),
        ("app notin (web)", WEB, False),
        ("missing notin (x)", WEB, True),  # an absent label is "not in"
        ("app", WEB, True),
        ("missing", WEB, False),
        ("!missing", WEB, True),
        ("!app", WEB, False),
        ("app=web,tier=front", WEB, True),
        ("app=web,tier=back", WEB, False),
        ("app=web,!missing,env in (prod, staging)", WEB, True),
        ("a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j", {"a": "b", "c": "d", "g": "x", "i": ""}, True),
        ("a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j", {"a": "b", "c": "d", "g": "x"}, False),
        ("a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j", {"a": "b", "c": "d", "g": "x", "i": "", "j": "1"}, False),
        ("replicas>2", WEB, True),
        ("replicas>3", WEB, False),
        ("replicas<4", WEB, True),
        ("app>1", WEB, False),  # non-integer label value never matches gt/lt
        ("missing<10", WEB, False),
        ("empty=", {"empty": ""}, True),
        ("empty=", {"empty": "x"}, False),
        ("empty=", {}, False),
        ("x in (a,,b)", {"x": ""}, True),  # an empty slot is the empty value
        ("in in (in)", {"in": "in"}, True),  # keywords are fine as keys and values
        ("app=web", None, False),
        ("!app", None, True),
        ("example.com/role=db", {"example.com/role": "db"}, True),
        ("  app  =  web  ,  tier  ", WEB, True),
    ],
)
def test_label_selector_matches(selector, labels, expected):
    assert parse_label_selector(selector).matches(labels) is expected


# ---------------------------------------------------------------------------------------------
# Label selector strings: canonical printing


@pytest.mark.parametrize(
    ("selector", "canonical"),
    [
        ("app=web", "app=web"),
        ("tier=front,app=web", "app=web,tier=front"),  # sorted by key
        ("app==web", "app==web"),
        ("app!=web", "app!=web"),
        ("app in (z,a,m)", "app in (a,m,z)"),  # values sorted
        ("app in (a,a)", "app in (a)"),  # values form a set
        ("app notin (b,a)", "app notin (a,b)"),
        ("app", "app"),
        ("!app", "!app"),
        ("x>5", "x>5"),
        ("x<5", "x<5"),
        ("x=", "x="),
        ("", ""),
        ("b,!a,c in (2,1)", "!a,b,c in (1,2)"),
    ],
)
def test_label_selector_to_string(selector, canonical):
    parsed = parse_label_selector(selector)
    assert parsed.to_string() == canonical
    assert str(parsed) == canonical
    # The canonical form reads back as the same selector.
    assert parse_label_selector(canonical) == parsed


# ---------------------------------------------------------------------------------------------
# Label selector strings: errors


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("x in y", "unable to parse requirement: found 'y' expected: '('"),
        ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("x in a)", "unable to parse requirement: found 'a' expected: '('"),
        ("x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
        ("a=b,", "found '', expected: identifier after ','"),
        ("a,,b", "found ',', expected: identifier after ','"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("a$=b", 'unable to parse requirement: key: Invalid value: "a$": name part must consist'),
        ("-a=b", 'key: Invalid value: "-a": name part must consist'),
        ("a/b/c=d", 'key: Invalid value: "a/b/c": a qualified name must consist'),
        ("Bad_Prefix/a=b", "prefix part must be a lowercase RFC 1123 subdomain"),
        ("/a=b", "prefix part must be non-empty"),
        ("a" * 64 + "=b", "name part must be no more than 63 characters"),
        ("a=" + "b" * 64, 'values[0]: Invalid value: "' + "b" * 64 + '": must be no more than 63'),
        ("a=b$", 'values[0]: Invalid value: "b$": a valid label must be an empty string'),
        ("a in (x,-y)", 'Invalid value: "-y": a valid label must be'),
        ("a>b", "for 'Gt', 'Lt' operators, the value must be an integer"),
        ("a<1.5", "for 'Gt', 'Lt' operators, the value must be an integer"),
    ],
)
def test_label_selector_errors(selector, message):
    with pytest.raises(SelectorError) as caught:
        parse_label_selector(selector)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


# ---------------------------------------------------------------------------------------------
# LabelSelector objects and plain maps


@pytest.mark.parametrize(
    ("label_selector", "labels", "expected"),
    [
        ({"matchLabels": {"app": "web"}}, WEB, True),
        ({"matchLabels": {"app": "db"}}, WEB, False),
        ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]}, WEB, True),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, WEB, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, WEB, True),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, WEB, False),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}],
            },
            WEB,
            True,
        ),
        ({}, WEB, True),  # empty selects everything
        ({}, None, True),
        ({"matchLabels": {}, "matchExpressions": []}, {}, True),
        (None, WEB, False),  # missing selects nothing
        (None, {}, False),
    ],
)
def test_label_selector_object_matches(label_selector, labels, expected):
    assert label_selector_as_selector(label_selector).matches(labels) is expected


def test_label_selector_model_is_accepted():
    model = LabelSelector(
        matchLabels={"app": "web"},
        matchExpressions=[LabelSelectorRequirement(key="env", operator="In", values=["prod"])],
    )
    selector = label_selector_as_selector(model)
    assert selector.to_string() == "app=web,env in (prod)"
    assert selector.matches(WEB)
    assert label_selector_as_selector(LabelSelector()).empty()


@pytest.mark.parametrize(
    ("label_selector", "message"),
    [
        ({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}, '"Gt" is not a valid label selector operator'),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, "values set can't be empty"),
        ({"matchExpressions": [{"key": "a", "operator": "In"}]}, "values set can't be empty"),
        ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}, "values set must be empty"),
        ({"matchLabels": {"a b": "c"}}, 'key: Invalid value: "a b"'),
        ({"matchLabels": {"a": "c d"}}, 'Invalid value: "c d"'),
        ("app=web", "invalid label selector"),
    ],
)
def test_label_selector_object_errors(label_selector, message):
    with pytest.raises(SelectorError, match=None) as caught:
        label_selector_as_selector(label_selector)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("mapping", "canonical", "labels", "expected"),
    [
        ({"app": "web"}, "app=web", WEB, True),
        ({"tier": "front", "app": "web"}, "app=web,tier=front", WEB, True),
        ({"app": "db"}, "app=db", WEB, False),
        ({}, "", WEB, True),
        (None, "", {}, True),
    ],
)
def test_selector_from_set(mapping, canonical, labels, expected):
    selector = selector_from_set(mapping)
    assert selector.to_string() == canonical
    assert selector.matches(labels) is expected


def test_nothing_and_everything():
    assert Selector.everything().matches({}) and Selector.everything().empty()
    assert not Selector.nothing().matches(WEB) and not Selector.nothing().empty()
    assert Selector.nothing().to_string() == ""


@pytest.mark.parametrize(
    ("key", "operator", "values", "message"),
    [
        ("a", "=", [], "exact-match compatibility requires one single value"),
        ("a", "=", ["x", "y"], "exact-match compatibility requires one single value"),
        ("a", "in", [], "values set can't be empty"),
        ("a", "!", ["x"], "values set must be empty"),
        ("a", "gt", [], "exactly one value is required"),
        ("", "exists", [], "name part must be non-empty"),
    ],
)
def test_new_requirement_errors(key, operator, values, message):
    with pytest.raises(SelectorError) as caught:
        new_requirement(key, operator, values)
    assert message in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Field selectors

POD = {
    "metadata": {"name": "web-1", "namespace": "default"},
    "spec": {"nodeName": "n1", "restartPolicy": "Always", "schedulerName": "default-scheduler"},
    "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}]},
}
PENDING = {"metadata": {"name": "web-2", "namespace": "default"}, "spec": {}, "status": {"phase": "Pending"}}


@pytest.mark.parametrize(
    ("selector", "obj", "expected"),
    [
        ("", POD, True),
        ("metadata.name=web-1", POD, True),
        ("metadata.name==web-1", POD, True),
        ("metadata.name!=web-1", POD, False),
        ("metadata.name=web-2", POD, False),
        ("metadata.namespace=default,status.phase=Running", POD, True),
        ("metadata.namespace=default,status.phase=Pending", POD, False),
        ("spec.nodeName=n1", POD, True),
        ("spec.nodeName=", PENDING, True),  # missing reads as ""
        ("spec.nodeName!=", PENDING, False),
        ("spec.nodeName!=", POD, True),
        ("metadata.name=x,spec.nodeName!=,status.phase==Running", POD, False),
        ("metadata.name=web-1,spec.nodeName!=,status.phase==Running", POD, True),
        ("status.podIP=10.0.0.5", POD, True),
        ("status.podIP=10.0.0.5", {"status": {"podIP": "10.0.0.5"}}, True),
        ("spec.hostNetwork=false", POD, True),
        ("spec.unschedulable=false", {"spec": {}}, True),
        ("spec.unschedulable=true", {"spec": {"unschedulable": True}}, True),
        ("status.replicas=0", {"status": {}}, True),
        ("status.replicas=3", {"status": {"replicas": 3}}, True),
        ("status.successful=2", {"status": {"succeeded": 2}}, True),
        ("source=kubelet", {"source": {"component": "kubelet"}}, True),
        ("source=ctrl", {"reportingComponent": "ctrl"}, True),
        ("involvedObject.name=web-1,involvedObject.kind=Pod", {"involvedObject": {"name": "web-1", "kind": "Pod"}}, True),
        ("type=Opaque", {"type": "Opaque"}, True),
        ("metadata.name=a\\,b", {"metadata": {"name": "a,b"}}, True),
        ("metadata.name=a\\=b", {"metadata": {"name": "a=b"}}, True),
        ("metadata.name=a\\\\b", {"metadata": {"name": "a\\b"}}, True),
        ("spec.nodeName=n1", {"spec": "oops"}, False),  # a scalar on the path reads as ""
    ],
)
def test_field_selector_matches(selector, obj, expected):
    assert parse_field_selector(selector).matches(obj) is expected


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("a=b,c", "can't understand 'c'"),
        ("a=b\\x", "invalid field selector: invalid escape sequence: \\x"),
        ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
        ("a=b=c", "invalid field selector: unescaped character in value: ="),
    ],
)
def test_field_selector_errors(selector, message):
    with pytest.raises(SelectorError) as caught:
        parse_field_selector(selector)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("selector", "canonical", "fields", "exact"),
    [
        ("status.phase==Running,metadata.name=x", "metadata.name=x,status.phase=Running", {"metadata.name", "status.phase"}, {"metadata.name": "x", "status.phase": "Running"}),
        ("spec.nodeName!=", "spec.nodeName!=", {"spec.nodeName"}, {}),
        ("spec.nodeName=n1,status.phase!=Failed", "spec.nodeName=n1,status.phase!=Failed", {"spec.nodeName", "status.phase"}, {"spec.nodeName": "n1"}),
        ("metadata.name=a\\,b", "metadata.name=a\\,b", {"metadata.name"}, {"metadata.name": "a,b"}),
        ("", "", set(), {}),
    ],
)
def test_field_selector_shape(selector, canonical, fields, exact):
    parsed = parse_field_selector(selector)
    assert parsed.to_string() == canonical
    assert parsed.fields() == fields
    assert parsed.exact_matches() == exact
    assert exact_match_requirements(parsed) == exact
    assert parse_field_selector(canonical) == parsed


@pytest.mark.parametrize(
    ("resource", "field", "supported"),
    [
        ("pods", "metadata.name", True),
        ("pods", "metadata.namespace", True),
        ("pods", "spec.nodeName", True),
        ("pods", "status.phase", True),
        ("pods", "status.podIP", True),
        ("pods", "status.nominatedNodeName", True),
        ("pods", "spec.schedulerName", True),
        ("pods", "spec.restartPolicy", True),
        ("pods", "spec.containers", False),
        ("events", "involvedObject.uid", True),
        ("events", "involvedObject.fieldPath", True),
        ("events", "reason", True),
        ("events", "reportingComponent", True),
        ("events", "source", True),
        ("events", "type", True),
        ("events", "spec.nodeName", False),
        ("nodes", "spec.unschedulable", True),
        ("nodes", "status.phase", False),
        ("namespaces", "status.phase", True),
        ("secrets", "type", True),
        ("configmaps", "type", False),
        ("jobs", "status.successful", True),
        ("replicasets", "status.replicas", True),
        ("replicationcontrollers", "status.replicas", True),
        ("deployments", "status.replicas", False),
        ("services", "metadata.name", True),
        ("widgets", "metadata.namespace", True),
    ],
)
def test_supported_field_labels(resource, field, supported):
    assert (field in supported_field_labels(resource)) is supported


def test_check_supported_names_the_field():
    selector = parse_field_selector("metadata.name=a,spec.bogus=b")
    assert selector.unsupported_fields("pods") == {"spec.bogus"}
    with pytest.raises(SelectorError, match="field label not supported: spec.bogus"):
        selector.check_supported("pods")
    parse_field_selector("spec.nodeName=n1").check_supported("pods")


def test_field_helpers():
    assert field_selector_from_set({"spec.nodeName": "n1"}).to_string() == "spec.nodeName=n1"
    assert FieldSelector().empty() and FieldSelector().matches({})
    assert field_value(POD, "status.phase") == "Running"
    assert field_value(POD, "spec.missing.deeper") == ""
    for raw in ["plain", "a,b", "a=b", "a\\b", "\\,="]:
        assert unescape_value(escape_value(raw)) == raw


# ---------------------------------------------------------------------------------------------
# Exact-match requirements (for indexing)


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (parse_label_selector("app=web,tier!=db"), {"app": "web"}),
        (parse_label_selector("app==web"), {"app": "web"}),
        (parse_label_selector("app in (web)"), {"app": "web"}),
        (parse_label_selector("app in (web,db)"), {}),
        (parse_label_selector("app,!b"), {}),
        (parse_label_selector(""), {}),
        (Selector.nothing(), {}),
        (label_selector_as_selector({"matchLabels": {"a": "1", "b": "2"}}), {"a": "1", "b": "2"}),
        (parse_field_selector("spec.nodeName=n1"), {"spec.nodeName": "n1"}),
        (None, {}),
    ],
)
def test_exact_match_requirements(selector, expected):
    assert exact_match_requirements(selector) == expected


def test_requires_exact_match():
    selector = parse_label_selector("app=web,env in (prod,dev)")
    assert selector.requires_exact_match("app") == "web"
    assert selector.requires_exact_match("env") is None
    assert parse_field_selector("a=1,b!=2").requires_exact_match("b") is None
