"""The service account controller (kube-controller-manager's "serviceaccount"): every
active namespace has a `default` ServiceAccount, created with the namespace and
recreated if someone deletes it, because the ServiceAccount admission plugin refuses
pods whose service account does not exist."""

from __future__ import annotations

from typing import Any

from tugboat.api.serviceaccount import DEFAULT_SERVICE_ACCOUNT
from tugboat.client import AlreadyExists, Forbidden, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller


class ServiceAccountsController(Controller):
    name = "serviceaccount"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.namespaces = self.informer("namespaces", on_change=self._namespace_changed,
                                        on_delete=lambda _ns: None)
        self.accounts = self.informer("serviceaccounts", on_change=lambda _sa: None,
                                      on_delete=self._account_deleted)

    def _namespace_changed(self, ns: Any) -> None:
        self.queue.add(ns.metadata.name or "")

    def _account_deleted(self, sa: Any) -> None:
        if sa.metadata.name == DEFAULT_SERVICE_ACCOUNT:
            self.queue.add(sa.metadata.namespace or "")

    async def reconcile(self, key: str) -> float | None:
        ns = self.namespaces.get(key)
        if ns is None or ns.metadata.deletionTimestamp or ns.status.phase == "Terminating":
            return None
        if self.accounts.get(DEFAULT_SERVICE_ACCOUNT, key) is not None:
            return None
        body = {"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": DEFAULT_SERVICE_ACCOUNT, "namespace": key}}
        try:
            await self.client.create("serviceaccounts", body, key)
        except (AlreadyExists, NotFound):
            pass  # made already, or the namespace went away meanwhile
        except Forbidden:
            pass  # the namespace is terminating (NamespaceLifecycle)
        return None
