"""Test doubles for controller unit tests, injected through ControllerContext: informers
whose caches the test fills, a client that records writes (and answers reads from a
dict), an event recorder that keeps events, and a clock the test moves."""

from __future__ import annotations

import itertools
from typing import Any

from tugboat.api.meta import Status
from tugboat.client import NotFound, resource_info
from tugboat.client.informer import object_key
from tugboat.controller.context import ControllerContext
from tugboat.controller.options import ControllerOptions

_uids = itertools.count(1)


class FakeInformer:
    def __init__(self, resource: str):
        self.info = resource_info(resource)
        self.objects: dict[str, Any] = {}
        self.handlers: list[tuple[Any, Any, Any]] = []

    def add_event_handler(self, on_add: Any = None, on_update: Any = None,
                          on_delete: Any = None) -> None:
        self.handlers.append((on_add, on_update, on_delete))

    def add(self, obj: dict[str, Any]) -> Any:
        """Put a wire object in the cache (as a model) and fire add/update handlers."""
        obj = dict(obj)
        meta = obj.setdefault("metadata", {})
        meta.setdefault("uid", f"uid-{next(_uids)}")
        meta.setdefault("resourceVersion", "1")
        meta.setdefault("creationTimestamp", "2025-01-01T00:00:00Z")
        model = self.info.model.model_validate(obj)
        key = object_key(obj)
        old = self.objects.get(key)
        self.objects[key] = model
        for on_add, on_update, _ in self.handlers:
            if old is None and on_add:
                on_add(model)
            elif old is not None and on_update:
                on_update(old, model)
        return model

    def remove(self, key: str) -> None:
        model = self.objects.pop(key)
        for _, _, on_delete in self.handlers:
            if on_delete:
                on_delete(model)

    def get(self, name: str, namespace: str | None = None) -> Any:
        return self.objects.get(f"{namespace}/{name}" if namespace else name)

    def get_by_key(self, key: str) -> Any:
        return self.objects.get(key)

    def list(self, namespace: str | None = None) -> list[Any]:
        return [o for k, o in self.objects.items()
                if namespace is None or k.startswith(namespace + "/")]

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        return True


class FakeFactory:
    def __init__(self) -> None:
        self.informers: dict[tuple[str, str | None], FakeInformer] = {}

    def informer(self, resource: str, namespace: str | None = None, **_: Any) -> FakeInformer:
        key = (resource_info(resource).resource, namespace)
        if key not in self.informers:
            self.informers[key] = FakeInformer(resource)
        return self.informers[key]

    def __getitem__(self, resource: str) -> FakeInformer:
        return next(i for (r, _), i in self.informers.items() if r == resource)


class FakeClient:
    """Records every write as (verb, resource, name-or-body, ...); `objects` answers get."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.objects: dict[tuple[str, str | None, str], dict[str, Any]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self._names = itertools.count(1)

    async def _send(self, req: Any) -> dict[str, Any]:
        """Raw GETs (discovery): a server that serves no custom resources."""
        return {}

    def writes(self, verb: str, resource: str | None = None) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] == verb
                and (resource is None or c[1] == resource_info(resource).resource)]

    async def create(self, resource: Any, body: Any, namespace: str | None = None,
                     **_: Any) -> dict[str, Any]:
        obj = {**body, "metadata": dict(body["metadata"])}
        meta = obj["metadata"]
        if not meta.get("name"):
            meta["name"] = f"{meta.get('generateName', 'x-')}{next(self._names)}"
        meta.setdefault("uid", f"uid-{next(_uids)}")
        meta["resourceVersion"] = "1"
        meta.setdefault("creationTimestamp", "2025-01-01T00:00:00Z")
        self.calls.append(("create", resource_info(resource).resource, obj))
        return obj

    async def update(self, resource: Any, body: Any, namespace: str | None = None, *,
                     subresource: str | None = None, **_: Any) -> dict[str, Any]:
        verb = f"update/{subresource}" if subresource else "update"
        self.calls.append((verb, resource_info(resource).resource, body))
        out = {**body, "metadata": {**body["metadata"], "resourceVersion": "2"}}
        return out

    async def update_status(self, resource: Any, body: Any, namespace: str | None = None,
                            **kw: Any) -> dict[str, Any]:
        return await self.update(resource, body, namespace, subresource="status")

    async def patch(self, resource: Any, name: str, patch: Any, namespace: str | None = None,
                    *, subresource: str | None = None, **_: Any) -> dict[str, Any]:
        verb = f"patch/{subresource}" if subresource else "patch"
        self.calls.append((verb, resource_info(resource).resource, name, patch))
        return {"metadata": {"name": name, "resourceVersion": "2",
                             **(patch.get("metadata") or {} if isinstance(patch, dict)
                                else {})}}

    async def patch_scale(self, resource: Any, name: str, replicas: int,
                          namespace: str | None = None) -> dict[str, Any]:
        self.calls.append(("scale", resource_info(resource).resource, name, replicas))
        return {}

    async def delete(self, resource: Any, name: str, namespace: str | None = None,
                     **kw: Any) -> dict[str, Any]:
        self.calls.append(("delete", resource_info(resource).resource, name, kw))
        return {}

    async def get(self, resource: Any, name: str, namespace: str | None = None
                  ) -> dict[str, Any]:
        key = (resource_info(resource).resource, namespace, name)
        if key not in self.objects:
            raise NotFound(Status(code=404, reason="NotFound", message=f"{name} not found"))
        return self.objects[key]

    async def get_scale(self, resource: Any, name: str, namespace: str | None = None
                        ) -> dict[str, Any]:
        return self.objects[("scale", namespace, name)]

    async def list(self, resource: Any, namespace: str | None = None, **_: Any
                   ) -> dict[str, Any]:
        return self.lists.get(resource_info(resource).resource, {"items": []})


class FakeRecorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def emit(self, obj: Any, event_type: str, reason: str, message: str) -> None:
        self.events.append((event_type, reason, message))


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def context(options: ControllerOptions | None = None) -> ControllerContext:
    clock = Clock()
    return ControllerContext(FakeClient(), FakeFactory(), FakeRecorder(),  # type: ignore[arg-type]
                             options or ControllerOptions(), clock=clock, wall=clock)
