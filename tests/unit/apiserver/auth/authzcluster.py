"""A real store, watch cache and registry in a temporary folder, for the authorization
unit tests: RBAC objects and pods are written through the registry as a client would,
and the authorizers read them from the watch cache."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tugboat.api.resources import resolve
from tugboat.apiserver.app import ensure_namespaces
from tugboat.apiserver.registry import Registry, WriteOptions
from tugboat.apiserver.watchcache import WatchCache
from tugboat.store import open_store

Obj = dict[str, Any]
RBAC = "rbac.authorization.k8s.io"


class Cluster:
    def __init__(self, registry: Registry):
        self.registry = registry
        self.cache = registry.cache

    async def create(self, resource: str, obj: Obj, namespace: str | None = None) -> Obj:
        info = resolve(resource)
        assert info is not None, resource
        return (await self.registry.create(info, namespace, obj, WriteOptions())).obj

    async def namespace(self, name: str) -> None:
        await self.create("namespaces", {"metadata": {"name": name}})

    async def cluster_role(self, name: str, rules: list[Obj], **extra: Any) -> Obj:
        return await self.create("clusterroles.rbac.authorization.k8s.io", {
            "apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": {"name": name},
            "rules": rules, **extra})

    async def bind(self, name: str, role: str, *, user: str | None = None,
                   group: str | None = None, namespace: str | None = None,
                   role_kind: str = "ClusterRole", sa: tuple[str, str] | None = None) -> Obj:
        subject = ({"kind": "User", "apiGroup": RBAC, "name": user} if user else
                   {"kind": "Group", "apiGroup": RBAC, "name": group} if group else
                   {"kind": "ServiceAccount", "namespace": sa[0], "name": sa[1]}
                   if sa else None)
        body = {"metadata": {"name": name, **({"namespace": namespace} if namespace else {})},
                "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role},
                "subjects": [subject]}
        if namespace:
            return await self.create("rolebindings.rbac.authorization.k8s.io",
                                     {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
                                      **body}, namespace)
        return await self.create("clusterrolebindings.rbac.authorization.k8s.io",
                                 {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding",
                                  **body})


@contextlib.asynccontextmanager
async def running_cluster(folder: Path) -> AsyncIterator[Cluster]:
    store = open_store(f"sqlite:///{folder}/state.db")
    await store.start()
    cache = WatchCache(store)
    await cache.start()
    registry = Registry(store, cache)
    await ensure_namespaces(registry)
    try:
        yield Cluster(registry)
    finally:
        await cache.stop()
        await store.close()
