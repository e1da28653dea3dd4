"""The restart policy table (S4, S5): which exits are restarted, and static pods always."""

from __future__ import annotations

import pytest

from tugboat.kubelet.restartpolicy import effective_policy, should_restart


@pytest.mark.parametrize(("policy", "exit_code", "restart"), [
    ("Always", 0, True), ("Always", 1, True), ("Always", 137, True),
    ("OnFailure", 0, False), ("OnFailure", 1, True), ("OnFailure", 137, True),
    ("Never", 0, False), ("Never", 1, False), ("Never", 137, False),
])
def test_restart_table(policy: str, exit_code: int, restart: bool) -> None:
    assert should_restart(policy, exit_code) is restart


@pytest.mark.parametrize("policy", ["Always", "OnFailure", "Never", None])
def test_static_pods_always_restart(policy: str | None) -> None:
    assert effective_policy(policy, static=True) == "Always"


def test_the_default_policy_is_always() -> None:
    assert effective_policy(None, static=False) == "Always"
    assert effective_policy("Never", static=False) == "Never"
