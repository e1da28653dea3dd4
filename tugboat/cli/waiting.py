"""Waiting for one object to reach a state, as kubectl waits: list it by name, check, then
watch it from the list's resourceVersion until the check holds or the deadline passes.
`delete --wait`, `wait`, `rollout status` and `drain` all wait through `watch_until`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from tugboat.api.resources import ResourceInfo
from tugboat.cli.session import Session
from tugboat.client import DELETED, Gone

Obj = dict[str, Any]


class WaitTimeout(TimeoutError):
    """The deadline passed before the condition held."""


def watch_until(session: Session, info: ResourceInfo, namespace: str | None, name: str,
                done: Callable[[Obj | None], bool], timeout: float) -> Obj | None:
    """The object (None once it is gone) as soon as `done` accepts it."""
    deadline = time.monotonic() + timeout
    selector = f"metadata.name={name}"
    while True:
        reply = session.request("GET", info.path(namespace),
                                params={"fieldSelector": selector})
        items = reply.get("items") or []
        obj = items[0] if items else None
        if done(obj):
            return obj
        rv = (reply.get("metadata") or {}).get("resourceVersion")
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                stream = session.client.watch(info, namespace, resource_version=rv,
                                              field_selector=selector, resume=False,
                                              timeout_seconds=max(1, math.ceil(remaining)))
                for event in stream:
                    obj = None if event.type == DELETED else event.object
                    if done(obj):
                        return obj
                    if time.monotonic() >= deadline:
                        break
                rv = stream.resource_version or rv
        except Gone:
            continue  # history compacted: list again
        raise WaitTimeout(f"timed out waiting for {info.resource}/{name}")


def wait_for_deletion(session: Session, info: ResourceInfo, namespace: str | None, name: str,
                      uid: str | None, timeout: float) -> None:
    """Until the object is gone (or replaced by another with the same name)."""
    def gone(obj: Obj | None) -> bool:
        return obj is None or bool(uid) and (obj.get("metadata") or {}).get("uid") != uid

    watch_until(session, info, namespace, name, gone, timeout)
