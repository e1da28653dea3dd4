"""The ClusterRole aggregation controller: a ClusterRole with an aggregationRule holds the
union of the rules of every ClusterRole its selectors match, so adding a role labelled
`rbac.authorization.k8s.io/aggregate-to-view: "true"` extends view (and, through the
chain, edit and admin) without touching them. Any ClusterRole change may change any
aggregate, so every aggregated role is looked at again on each change."""

from __future__ import annotations

from typing import Any

from tugboat.api.rbac import aggregated_rules
from tugboat.client import NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller


class ClusterRoleAggregationController(Controller):
    name = "clusterrole-aggregation"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.roles = self.informer("clusterroles", on_change=self._changed)

    def _changed(self, _role: Any) -> None:
        for role in self.roles.list():
            if role.aggregationRule is not None:
                self.enqueue(role)

    async def reconcile(self, key: str) -> float | None:
        role = self.roles.get(key)
        if role is None:
            return None
        rules = aggregated_rules(role, self.roles.list())
        if rules is None or rules == (role.rules or []):
            return None
        updated = role.model_copy(update={"rules": rules})
        try:
            await self.client.update("clusterroles", updated.wire())
        except NotFound:
            pass
        return None
