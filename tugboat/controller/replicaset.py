"""The ReplicaSet controller: keeps `spec.replicas` active pods matching the selector,
adopting matching orphans, creating from the template in slow-start batches and deleting
the least valuable pods first; expectations keep bursts of events from overshooting; the
status counts replicas, ready and available pods. The ReplicationController controller
is the same loop over a different kind (replicationcontroller.py), as in Kubernetes."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tugboat.api.labels import Selector, label_selector_as_selector
from tugboat.client import ClientError
from tugboat.controller.context import ControllerContext
from tugboat.controller.controllerref import RefManager, controller_ref, resolve_owner
from tugboat.controller.expectations import Expectations
from tugboat.controller.podconditions import (
    available_in,
    deletion_rank,
    is_active,
    is_available,
    is_ready,
)
from tugboat.controller.podcontrol import PodControl, pod_from_template
from tugboat.controller.reconciling import Controller, key_of

log = logging.getLogger(__name__)

BURST_REPLICAS = 500  # the most pods created or deleted in one sync, as Kubernetes


class ReplicaSetController(Controller):
    name = "replicaset"
    resource = "replicasets"
    kind = "ReplicaSet"
    workers = 4

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.expectations = Expectations(ctx.clock)
        self.pod_control = PodControl(ctx.client, ctx.recorder)
        self.owners = self.informer(self.resource, on_change=self.enqueue,
                                    on_delete=self._owner_deleted)
        self.pods = self.informer("pods")
        self.pods.add_event_handler(self._pod_added, self._pod_updated, self._pod_deleted)

    def selector(self, owner: Any) -> Selector:
        return label_selector_as_selector(owner.spec.selector)

    # --- events ---------------------------------------------------------------------------

    def _owner_deleted(self, owner: Any) -> None:
        self.expectations.forget(key_of(owner))

    def _owner_of(self, pod: Any) -> Any | None:
        return resolve_owner(controller_ref(pod), self.kind,
                             lambda n: self.owners.get(n, pod.metadata.namespace))

    def _matching_owners(self, pod: Any) -> list[Any]:
        return [o for o in self.owners.list(pod.metadata.namespace)
                if self.selector(o).matches(pod.metadata.labels)]

    def _pod_added(self, pod: Any) -> None:
        if pod.metadata.deletionTimestamp is not None:
            self._pod_deleted(pod)
            return
        owner = self._owner_of(pod)
        if owner is not None:
            self.expectations.creation_observed(key_of(owner))
            self.enqueue(owner)
        elif controller_ref(pod) is None:
            for o in self._matching_owners(pod):
                self.enqueue(o)

    def _pod_updated(self, old: Any, new: Any) -> None:
        if old.metadata.resourceVersion == new.metadata.resourceVersion:
            return  # a resync: the owners' own resync covers it
        if new.metadata.deletionTimestamp is not None and old.metadata.deletionTimestamp is None:
            self._pod_deleted(new)  # counts as gone once it is terminating
            return
        old_owner, new_owner = self._owner_of(old), self._owner_of(new)
        for owner in {key_of(o): o for o in (old_owner, new_owner) if o}.values():
            self.enqueue(owner)
        if new_owner is None and controller_ref(new) is None:
            for o in self._matching_owners(new):
                self.enqueue(o)

    def _pod_deleted(self, pod: Any) -> None:
        owner = self._owner_of(pod)
        if owner is None:
            return
        self.expectations.deletion_observed(key_of(owner), key_of(pod))
        self.enqueue(owner)

    # --- reconcile ------------------------------------------------------------------------

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        owner = self.owners.get(name, ns)
        if owner is None:
            self.expectations.forget(key)
            return None
        selector = self.selector(owner)
        candidates = [p for p in self.pods.list(ns) if is_active(p)]
        refs = RefManager(self.client, owner, selector, "pods", self.resource)
        pods = await refs.claim(candidates)
        if self.expectations.satisfied(key) and owner.metadata.deletionTimestamp is None:
            await self._manage(key, owner, pods)
        return await self._update_status(owner, pods)

    async def _manage(self, key: str, owner: Any, pods: list[Any]) -> None:
        diff = len(pods) - (owner.spec.replicas if owner.spec.replicas is not None else 1)
        if diff < 0:
            await self._create(key, owner, min(-diff, BURST_REPLICAS))
        elif diff > 0:
            victims = sorted(pods, key=deletion_rank)[:min(diff, BURST_REPLICAS)]
            await self._delete(key, owner, victims)

    async def _create(self, key: str, owner: Any, count: int) -> None:
        """Slow start (1, 2, 4, ...): a template the server rejects fails once, not 500
        times. Expectations are raised first and lowered for every pod not created."""
        self.expectations.expect_creations(key, count)
        log.info("%s %s: creating %d pods", self.kind, key, count)
        batch, done = 1, 0
        while done < count:
            size = min(batch, count - done)
            pod = pod_from_template(owner.spec.template, owner)
            results = await asyncio.gather(
                *(self.pod_control.create(owner, pod) for _ in range(size)),
                return_exceptions=True)
            done += size
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                for _ in range(len(failed) + count - done):
                    self.expectations.creation_observed(key)
                raise failed[0] if isinstance(failed[0], ClientError) else RuntimeError(
                    str(failed[0]))
            batch *= 2

    async def _delete(self, key: str, owner: Any, victims: list[Any]) -> None:
        self.expectations.expect_deletions(key, [key_of(p) for p in victims])
        log.info("%s %s: deleting %d pods", self.kind, key, len(victims))
        results = await asyncio.gather(*(self.pod_control.delete(owner, p) for p in victims),
                                       return_exceptions=True)
        for pod, res in zip(victims, results, strict=True):
            if res is not True:  # gone already, or failed: do not wait for its event
                self.expectations.deletion_observed(key, key_of(pod))
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]

    # --- status ---------------------------------------------------------------------------

    def _status(self, owner: Any, pods: list[Any], now: float) -> dict[str, Any]:
        template_labels = (owner.spec.template.metadata.labels or {}) \
            if owner.spec.template else {}
        min_ready = owner.spec.minReadySeconds
        status = owner.status.wire()
        status.update(
            replicas=len(pods),
            fullyLabeledReplicas=sum(1 for p in pods if all(
                (p.metadata.labels or {}).get(k) == v for k, v in template_labels.items())),
            readyReplicas=sum(1 for p in pods if is_ready(p)),
            availableReplicas=sum(1 for p in pods if is_available(p, min_ready, now)),
            observedGeneration=owner.metadata.generation)
        return status

    async def _update_status(self, owner: Any, pods: list[Any]) -> float | None:
        now = self.ctx.wall()
        status = self._status(owner, pods, now)
        if status != owner.status.wire():
            body = owner.wire()
            body["status"] = status
            try:
                await self.client.update_status(self.resource, body)
            except ClientError as e:
                log.info("%s %s: status update: %s", self.kind, key_of(owner), e)
                raise
        waits = [w for p in pods if (w := available_in(p, owner.spec.minReadySeconds, now))]
        return min(waits) + 0.1 if waits else None
