"""The root CA certificate publisher (kube-controller-manager's
"root-ca-cert-publisher"): a `kube-root-ca.crt` ConfigMap with the cluster CA bundle
(`--root-ca-file`) under the key `ca.crt` in every active namespace, kept equal to the
file's content and recreated if deleted. Every pod's projected service account volume
reads its ca.crt from it, so in-cluster clients can verify the API server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tugboat.api.serviceaccount import ROOT_CA_CONFIG_MAP
from tugboat.client import AlreadyExists, Forbidden, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.reconciling import Controller

DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when "
               "using internal endpoints such as the internal service IP or "
               "kubernetes.default.svc. No other usage is guaranteed across distributions "
               "of Kubernetes clusters.")
CA_KEY = "ca.crt"


class RootCACertPublisher(Controller):
    name = "root-ca-cert-publisher"
    workers = 1

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        path = ctx.options.root_ca_file
        self.bundle = Path(path).read_text() if path else ""
        if not self.bundle:
            return  # no informers either: watching every ConfigMap for nothing costs
        self.namespaces = self.informer("namespaces", on_change=self._enqueue_ns,
                                        on_delete=lambda _ns: None)
        self.config_maps = self.informer("configmaps", on_change=self._config_map_changed,
                                         on_delete=self._config_map_changed)

    def _enqueue_ns(self, ns: Any) -> None:
        self.queue.add(ns.metadata.name or "")

    def _config_map_changed(self, cm: Any) -> None:
        if cm.metadata.name == ROOT_CA_CONFIG_MAP:
            self.queue.add(cm.metadata.namespace or "")

    async def run(self) -> None:
        if not self.bundle:  # as kube-controller-manager: no --root-ca-file, no publisher
            return
        await super().run()

    async def reconcile(self, key: str) -> float | None:
        ns = self.namespaces.get(key)
        if ns is None or ns.metadata.deletionTimestamp or ns.status.phase == "Terminating":
            return None
        data = {CA_KEY: self.bundle}
        cm = self.config_maps.get(ROOT_CA_CONFIG_MAP, key)
        try:
            if cm is None:
                await self.client.create("configmaps", {
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": ROOT_CA_CONFIG_MAP, "namespace": key,
                                 "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                    "data": data}, key)
            elif cm.data != data or cm.binaryData:
                body = cm.wire()
                body["data"] = data
                body.pop("binaryData", None)
                await self.client.update("configmaps", body, key)
        except (AlreadyExists, NotFound, Forbidden):
            pass  # the informer will show what happened; a later event retries
        return None
