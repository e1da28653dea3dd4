"""`create poddisruptionbudget` and `create priorityclass`: the objects equal what real
kubectl 1.32 prints with --dry-run=client -o json for the same flags (run here, no server
needed), and the refusals are kubectl's."""

from __future__ import annotations

import json
import subprocess

import pytest

from tugboat.cli.generators import GeneratorError
from tugboat.cli.generators.policy import pod_disruption_budget, priority_class


def kubectl(*args: str) -> dict:
    r = subprocess.run(["/usr/bin/kubectl", "create", *args, "--dry-run=client", "-o", "json"],
                       capture_output=True, text=True, timeout=30, check=True)
    return json.loads(r.stdout)


@pytest.mark.parametrize(("selector", "min_available", "max_unavailable"), [
    ("app=web", "1", ""),
    ("app=web,tier in (a,b),!canary", "", "50%"),
    ("app==web,track", "30%", ""),
])
def test_pdb_is_kubectls(selector: str, min_available: str, max_unavailable: str) -> None:
    flags = [f"--selector={selector}"]
    flags += [f"--min-available={min_available}"] if min_available else []
    flags += [f"--max-unavailable={max_unavailable}"] if max_unavailable else []
    assert pod_disruption_budget("web", selector, min_available, max_unavailable) == \
        kubectl("pdb", "web", *flags)


@pytest.mark.parametrize("flags", [
    {}, {"value": 1000, "description": "for the web tier"},
    {"value": 5, "global_default": True, "preemption_policy": "Never"},
])
def test_priority_class_is_kubectls(flags: dict) -> None:
    args = [f"--value={flags.get('value', 0)}"]
    args += [f"--description={flags['description']}"] if "description" in flags else []
    args += ["--global-default"] if flags.get("global_default") else []
    args += [f"--preemption-policy={flags['preemption_policy']}"] \
        if "preemption_policy" in flags else []
    assert priority_class("high", **flags) == kubectl("priorityclass", "high", *args)


@pytest.mark.parametrize(("args", "message"), [
    (("", "1", ""), "a selector must be specified"),
    (("app=web", "", ""), "one of min-available or max-unavailable must be specified"),
    (("app=web", "1", "1"), "min-available and max-unavailable cannot be both specified"),
])
def test_pdb_refusals_are_kubectls(args: tuple[str, str, str], message: str) -> None:
    with pytest.raises(GeneratorError, match=f"^{message}$"):
        pod_disruption_budget("web", *args)
