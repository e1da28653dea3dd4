"""Bind DefaultBinder: the scheduler's one write, `POST pods/{name}/binding` with the
pod's uid as a precondition. The apiserver refuses to bind a pod twice (409), so neither a
restart nor a second scheduler can double-bind. Failures come back as an Error status
(the scheduler forgets its assumption and retries the pod with backoff)."""

from __future__ import annotations

from typing import Any

from tugboat.client import ClientError
from tugboat.scheduler.framework import CycleState, PodInfo, Status


class DefaultBinder:
    name = "DefaultBinder"

    def __init__(self, client: Any):
        self.client = client  # an ApiClient (anything with its async `bind`)

    async def bind(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        try:
            await self.client.bind(pod.name, node_name, pod.namespace, uid=pod.uid or None)
        except ClientError as e:
            return Status.error(f"binding rejected: {e}")
        return None
