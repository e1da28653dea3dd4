"""kubectl's JSONPath templates: paths, wildcards, filters, ranges, literals."""

from __future__ import annotations

import pytest

from tugboat.cli.printers.jsonpath import JsonPath, JsonPathError, relaxed

DOC = {"kind": "List", "items": [
    {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x", "k": "v"}},
     "spec": {"containers": [{"image": "i1"}, {"image": "i2"}]},
     "status": {"phase": "Running", "restarts": 3,
                "conditions": [{"type": "Ready", "status": "True"},
                               {"type": "Initialized", "status": "False"}]}},
    {"metadata": {"name": "b"}, "status": {"phase": "Pending", "restarts": 0}},
]}


@pytest.mark.parametrize("template, expected", [
    ("{.items[*].metadata.name}", "a b"),
    ("{.items[0].metadata.name}", "a"),
    ("{.items[-1].metadata.name}", "b"),
    ("{.items[0:1].metadata.name}", "a"),
    ("{..image}", "i1 i2"),
    ("{.items[*].spec.containers[*].image}", "i1 i2"),
    ('{.items[0].status.conditions[?(@.type=="Ready")].status}', "True"),
    ('{.items[?(@.status.phase!="Running")].metadata.name}', "b"),
    ("{.items[?(@.status.restarts>1)].metadata.name}", "a"),
    ("{.items[?(@.spec)].metadata.name}", "a"),
    ("{.items[0].metadata.labels['app.kubernetes.io/name']}", "x"),
    ("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", "x"),
    ("{.items[0].metadata.labels}", '{"app.kubernetes.io/name":"x","k":"v"}'),
    ("{.items[0].status.restarts}", "3"),
    ("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}",
     "a\tRunning\nb\tPending\n"),
    ("name={.items[1].metadata.name}!", "name=b!"),
    ("{.nothing.here}", ""),
])
def test_templates(template: str, expected: str) -> None:
    assert JsonPath(template).render(DOC) == expected


def test_missing_keys_fail_when_not_allowed() -> None:
    with pytest.raises(JsonPathError):
        JsonPath("{.nothing}", allow_missing=False).render(DOC)


@pytest.mark.parametrize("bad", ["{.items[", "{range .items[*]}{.a}", "{end}", "{.a"])
def test_malformed_templates(bad: str) -> None:
    with pytest.raises(JsonPathError):
        JsonPath(bad)


def test_relaxed_expressions() -> None:
    assert relaxed(".metadata.name") == "{.metadata.name}"
    assert relaxed("metadata.name") == "{.metadata.name}"
    assert relaxed("{.spec}") == "{.spec}"
