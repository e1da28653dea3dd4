"""The ClusterRole aggregation controller: an aggregated role gets the rules of the roles
its selectors match, follows them when they change, and is left alone when in step."""

from __future__ import annotations

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.clusterroleaggregation import ClusterRoleAggregationController

pytestmark = pytest.mark.anyio
LABEL = {"rbac.authorization.k8s.io/aggregate-to-monitoring": "true"}
PODS = {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}
NODES = {"verbs": ["list"], "apiGroups": [""], "resources": ["nodes"]}


def role(name: str, rules: list[dict], labels: dict | None = None,
         aggregate: bool = False) -> dict:
    obj: dict = {"metadata": {"name": name, "labels": labels or {}}, "rules": rules}
    if aggregate:
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": LABEL}]}
    return obj


async def test_aggregated_rules_follow_the_selected_roles() -> None:
    ctx = context()
    c = ClusterRoleAggregationController(ctx)
    roles = ctx.informers["clusterroles"]
    roles.add(role("monitoring", [], aggregate=True))
    roles.add(role("b-nodes", [NODES], LABEL))
    roles.add(role("a-pods", [PODS, NODES], LABEL))
    roles.add(role("unrelated", [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]))
    assert len(c.queue) == 1  # every change queues the one aggregated role
    await c.reconcile("monitoring")
    (update,) = ctx.client.writes("update", "clusterroles")
    assert update[2]["rules"] == [PODS, NODES]  # by role name, without duplicates


async def test_a_role_in_step_is_not_written() -> None:
    ctx = context()
    c = ClusterRoleAggregationController(ctx)
    roles = ctx.informers["clusterroles"]
    roles.add(role("p", [PODS], LABEL))
    roles.add(role("monitoring", [PODS], aggregate=True))
    await c.reconcile("monitoring")
    await c.reconcile("p")  # not aggregated: nothing to do
    assert ctx.client.writes("update") == []
