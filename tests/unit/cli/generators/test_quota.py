"""`create quota`'s generator: what kubectl 1.32 prints for --dry-run=client -o json,
and its refusals in kubectl's words."""

from __future__ import annotations

from tugboat.cli.generators import GeneratorError
from tugboat.cli.generators.quota import resource_quota


def test_create_quota_generator() -> None:
    assert resource_quota("q", "pods=2,cpu=1000m,memory=1Gi", "BestEffort") == {
        "kind": "ResourceQuota", "apiVersion": "v1",
        "metadata": {"name": "q", "creationTimestamp": None},
        "spec": {"hard": {"cpu": "1", "memory": "1Gi", "pods": "2"}, "scopes": ["BestEffort"]},
        "status": {}}
    assert resource_quota("q")["spec"] == {}
    for hard, scopes, message in (("pods", "", "Invalid argument syntax pods, expected "
                                                "<resource>=<value>"),
                                  ("pods=x", "", "quantities must match the regular "
                                                 "expression"),
                                  ("", "a,,b", 'invalid resource quota scope ""')):
        try:
            resource_quota("q", hard, scopes)
        except GeneratorError as e:
            assert str(e).startswith(message)
        else:
            raise AssertionError("no error")
