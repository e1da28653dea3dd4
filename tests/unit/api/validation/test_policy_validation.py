"""PodDisruptionBudget and PriorityClass validation: Kubernetes' fields and messages."""

from __future__ import annotations

import pytest

from tugboat.api.defaults import apply_defaults
from tugboat.api.policy import PodDisruptionBudget
from tugboat.api.scheduling import PriorityClass
from tugboat.api.validation import validate


def pdb_causes(**spec) -> list[tuple[str, str]]:
    obj = PodDisruptionBudget.model_validate({"metadata": {"name": "b", "namespace": "ns"},
                                              "spec": spec})
    return [(c.field, c.message) for c in validate(obj)]


def pc(name: str = "high", value: int = 10, **extra) -> PriorityClass:
    obj = PriorityClass.model_validate({"metadata": {"name": name}, "value": value, **extra})
    apply_defaults(obj)
    return obj


@pytest.mark.parametrize(("spec", "expected"), [
    ({"minAvailable": 1}, []),
    ({"maxUnavailable": "25%"}, []),
    ({"minAvailable": -1}, [("spec.minAvailable",
                             "Invalid value: -1: must be greater than or equal to 0")]),
    ({"maxUnavailable": "101%"}, [("spec.maxUnavailable",
                                   'Invalid value: "101%": must not be greater than 100%')]),
    ({"unhealthyPodEvictionPolicy": "Maybe"}, [(
        "spec.unhealthyPodEvictionPolicy",
        'Unsupported value: "Maybe": supported values: "IfHealthyBudget", "AlwaysAllow"')]),
])
def test_pdb_spec(spec, expected):
    assert pdb_causes(**spec) == expected


def test_pdb_min_and_max_together():
    [(field, message)] = pdb_causes(minAvailable=1, maxUnavailable=1)
    assert field == "spec"
    assert message.endswith("minAvailable and maxUnavailable cannot be both set")


def test_priority_class_defaults_and_bounds():
    assert pc().preemptionPolicy == "PreemptLowerPriority"
    assert validate(pc()) == []
    [cause] = validate(pc(value=2_000_000_000))
    assert (cause.field, cause.message) == (
        "value", "Forbidden: maximum allowed value of a user defined priority is 1000000000")
    [cause] = validate(pc(name="system-x"))
    assert cause.field == "metadata.name"
    assert cause.message == ("Forbidden: priority class names with 'system-' prefix are "
                             "reserved for system use only. error: system-x is not a known "
                             "system priority class")
    assert validate(pc(name="system-node-critical", value=2_000_001_000)) == []


def test_priority_class_value_and_policy_are_immutable():
    old = pc()
    causes = validate(pc(value=11, preemptionPolicy="Never"), old)
    assert [(c.field, c.message) for c in causes] == [
        ("value", "Forbidden: may not be changed in an update."),
        ("preemptionPolicy", 'Invalid value: "Never": field is immutable')]
