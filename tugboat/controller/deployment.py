"""The Deployment controller: one ReplicaSet per pod template (named by its hash), rolled
from the old to the new with RollingUpdate (maxSurge / maxUnavailable, rollout.py) or
Recreate (all old pods gone before the new ReplicaSet grows); revision annotations for
`kubectl rollout history|undo` (a rollback is a template change back to an old
ReplicaSet's template, which then becomes the newest revision); paused deployments only
scale; old revisions beyond revisionHistoryLimit are deleted; status and conditions come
from deploymentstatus.py."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api.labels import label_selector_as_selector
from tugboat.client import AlreadyExists
from tugboat.controller import deploymentstatus, revisions
from tugboat.controller.context import ControllerContext
from tugboat.controller.controllerref import RefManager, controller_ref, resolve_owner
from tugboat.controller.podconditions import is_active, is_available, is_terminal
from tugboat.controller.reconciling import Controller
from tugboat.controller.rollout import (
    RSState,
    new_rs_target,
    old_rs_targets,
    proportional_targets,
    resolve_fenceposts,
)

log = logging.getLogger(__name__)


class DeploymentController(Controller):
    name = "deployment"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.deployments = self.informer("deployments", on_change=self.enqueue)
        self.replicasets = self.informer("replicasets", on_change=self._rs_changed)
        self.pods = self.informer("pods")
        self.pods.add_event_handler(on_delete=self._pod_deleted)

    # --- events ---------------------------------------------------------------------------

    def _owner(self, obj: Any, kind: str, informer: Any) -> Any | None:
        return resolve_owner(controller_ref(obj), kind,
                             lambda n: informer.get(n, obj.metadata.namespace))

    def _rs_changed(self, rs: Any) -> None:
        owner = self._owner(rs, "Deployment", self.deployments)
        if owner is not None:
            self.enqueue(owner)
        elif controller_ref(rs) is None:
            for d in self.deployments.list(rs.metadata.namespace):
                if label_selector_as_selector(d.spec.selector).matches(rs.metadata.labels):
                    self.enqueue(d)

    def _pod_deleted(self, pod: Any) -> None:
        """Recreate waits for the last old pod to go."""
        rs = self._owner(pod, "ReplicaSet", self.replicasets)
        d = self._owner(rs, "Deployment", self.deployments) if rs is not None else None
        if d is not None and d.spec.strategy and d.spec.strategy.type == "Recreate":
            self.enqueue(d)

    # --- reconcile ------------------------------------------------------------------------

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        cached = self.deployments.get(name, ns)
        if cached is None:
            return None
        d = cached.model_copy(deep=True)  # our writes update it; the cache stays untouched
        selector = label_selector_as_selector(d.spec.selector)
        if selector.empty():
            self.recorder.emit(d, "Warning", "SelectingAll",
                               "This deployment is selecting all pods. A non-empty selector "
                               "is required.")
            return None
        refs = RefManager(self.client, d, selector, "replicasets", "deployments")
        rss = [rs.model_copy(deep=True)
               for rs in await refs.claim(self.replicasets.list(ns))]
        if d.metadata.deletionTimestamp is not None:
            new, _ = revisions.split_new_old(d, rss)
            return await self._sync_status(d, rss, new)
        if d.spec.paused:
            return await self._sync_paused(d, rss)
        if d.spec.strategy and d.spec.strategy.type == "Recreate":
            return await self._recreate(d, rss)
        return await self._rolling(d, rss)

    def _fenceposts(self, d: Any) -> tuple[int, int]:
        strategy = d.spec.strategy
        if strategy is None or strategy.type == "Recreate" or strategy.rollingUpdate is None:
            return 0, 0
        ru = strategy.rollingUpdate
        return resolve_fenceposts(ru.maxSurge, ru.maxUnavailable, d.spec.replicas or 0)

    async def _rolling(self, d: Any, rss: list[Any]) -> float | None:
        new, olds = await self._new_rs(d, rss, create=True)
        desired = d.spec.replicas or 0
        surge, unavailable = self._fenceposts(d)
        total = sum(rs.spec.replicas or 0 for rs in rss)
        target = desired if (new.spec.replicas or 0) > desired else new_rs_target(
            desired, surge, total, new.spec.replicas or 0)
        if target != new.spec.replicas:
            await self._scale(d, new, target)
            return await self._sync_status(d, rss, new)
        targets = old_rs_targets(desired, unavailable, self._state(d, new),
                                 [self._state(d, rs) for rs in olds])
        for rs in olds:
            if rs.metadata.name in targets:
                await self._scale(d, rs, targets[rs.metadata.name])
        if not targets:
            await self._cleanup(d, new, olds)
        return await self._sync_status(d, rss, new)

    async def _recreate(self, d: Any, rss: list[Any]) -> float | None:
        new, olds = await self._new_rs(d, rss, create=False)
        active = [rs for rs in olds if rs.spec.replicas]
        if active:
            for rs in active:
                await self._scale(d, rs, 0)
            return await self._sync_status(d, rss, new)
        if self._old_pods_running(olds):
            return await self._sync_status(d, rss, new)
        if new is None:
            new, olds = await self._new_rs(d, rss, create=True)
        elif new.spec.replicas != d.spec.replicas:
            await self._scale(d, new, d.spec.replicas or 0)
        await self._cleanup(d, new, olds)
        return await self._sync_status(d, rss, new)

    async def _sync_paused(self, d: Any, rss: list[Any]) -> float | None:
        new, olds = await self._new_rs(d, rss, create=False)
        surge, _ = self._fenceposts(d)
        targets = proportional_targets(d.spec.replicas or 0, surge,
                                       self._state(d, new) if new else None,
                                       [self._state(d, rs) for rs in olds])
        for rs in rss:
            if rs.metadata.name in targets:
                await self._scale(d, rs, targets[rs.metadata.name])
        return await self._sync_status(d, rss, new)

    # --- ReplicaSets ------------------------------------------------------------------------

    async def _new_rs(self, d: Any, rss: list[Any], create: bool) -> tuple[Any, list[Any]]:
        """The new ReplicaSet (created if asked) with its revision synced, and the old."""
        new, olds = revisions.split_new_old(d, rss)
        next_revision = max((revisions.revision(rs) for rs in olds), default=0) + 1
        if new is not None:
            wanted = revisions.revision_annotations(new, next_revision, d)
            if wanted is not None:
                body = new.wire()
                body["metadata"]["annotations"] = wanted
                updated = await self.client.update("replicasets", body)
                new.metadata.annotations = wanted
                new.metadata.resourceVersion = updated["metadata"]["resourceVersion"]
            await self._set_revision(d, revisions.revision(new))
            return new, olds
        if not create:
            return None, olds
        new = await self._create_rs(d, rss, next_revision)
        rss.append(new)
        await self._set_revision(d, next_revision)
        return new, olds

    async def _create_rs(self, d: Any, rss: list[Any], rev: int) -> Any:
        surge, _ = self._fenceposts(d)
        desired = d.spec.replicas or 0
        recreate = d.spec.strategy is not None and d.spec.strategy.type == "Recreate"
        replicas = desired if recreate else new_rs_target(
            desired, surge, sum(rs.spec.replicas or 0 for rs in rss), 0)
        hash_ = revisions.template_hash(d.spec.template.wire(), d.status.collisionCount)
        body = revisions.new_replica_set(d, hash_, rev, replicas, surge)
        model = self.replicasets.info.model
        try:
            created = model.model_validate(await self.client.create("replicasets", body))
        except AlreadyExists:
            live = model.model_validate(await self.client.get(
                "replicasets", body["metadata"]["name"], d.metadata.namespace))
            ref = controller_ref(live)
            if ref is not None and ref.uid == d.metadata.uid and \
                    revisions.same_template(live, d):
                return live
            status = d.wire()
            status["status"]["collisionCount"] = (d.status.collisionCount or 0) + 1
            await self.client.update_status("deployments", status)
            raise
        self.recorder.emit(d, "Normal", "ScalingReplicaSet",
                           f"Scaled up replica set {created.metadata.name} to {replicas}")
        return created

    async def _set_revision(self, d: Any, rev: int) -> None:
        if (d.metadata.annotations or {}).get(revisions.REVISION) != str(rev):
            patched = await self.client.patch("deployments", d.metadata.name, {"metadata": {
                "annotations": {revisions.REVISION: str(rev)}}}, d.metadata.namespace)
            d.metadata.annotations = patched["metadata"].get("annotations")
            d.metadata.resourceVersion = patched["metadata"]["resourceVersion"]

    async def _scale(self, d: Any, rs: Any, replicas: int) -> None:
        surge, _ = self._fenceposts(d)
        annotations = {**(rs.metadata.annotations or {}),
                       revisions.DESIRED_REPLICAS: str(d.spec.replicas or 0),
                       revisions.MAX_REPLICAS: str((d.spec.replicas or 0) + surge)}
        if rs.spec.replicas == replicas and annotations == rs.metadata.annotations:
            return
        body = rs.wire()
        body["spec"]["replicas"] = replicas
        body["metadata"]["annotations"] = annotations
        updated = await self.client.update("replicasets", body)
        direction = "up" if replicas > (rs.spec.replicas or 0) else "down"
        if replicas != rs.spec.replicas:
            self.recorder.emit(d, "Normal", "ScalingReplicaSet",
                               f"Scaled {direction} replica set {rs.metadata.name} to {replicas}")
        rs.spec.replicas = replicas
        rs.metadata.annotations = annotations
        rs.metadata.resourceVersion = updated["metadata"]["resourceVersion"]

    def _owned_pods(self, rs: Any) -> list[Any]:
        return [p for p in self.pods.list(rs.metadata.namespace)
                if (ref := controller_ref(p)) is not None and ref.uid == rs.metadata.uid]

    def _state(self, d: Any, rs: Any) -> RSState:
        """Availability counted from the pods themselves (never above spec.replicas), so a
        ReplicaSet status that lags a scale-down cannot overstate it."""
        now = self.ctx.wall()
        available = sum(1 for p in self._owned_pods(rs)
                        if is_active(p) and is_available(p, d.spec.minReadySeconds, now))
        replicas = rs.spec.replicas or 0
        return RSState(rs.metadata.name, replicas, min(available, replicas),
                       rs.metadata.creationTimestamp or "")

    def _old_pods_running(self, olds: list[Any]) -> bool:
        if sum(rs.status.replicas or 0 for rs in olds):
            return True
        return any(not is_terminal(p) for rs in olds for p in self._owned_pods(rs))

    async def _cleanup(self, d: Any, new: Any | None, olds: list[Any]) -> None:
        for rs in revisions.history_to_delete(olds, d.spec.revisionHistoryLimit):
            log.info("deployment %s/%s: deleting old revision %s", d.metadata.namespace,
                     d.metadata.name, rs.metadata.name)
            await self.client.delete("replicasets", rs.metadata.name, rs.metadata.namespace,
                                     propagation_policy="Background")

    async def _sync_status(self, d: Any, rss: list[Any], new: Any | None) -> float | None:
        _, unavailable = self._fenceposts(d)
        now = self.ctx.wall()
        status = deploymentstatus.compute(d, rss, new, unavailable, now)
        if status != d.status.wire():
            body = d.wire()
            body["status"] = status
            await self.client.update_status("deployments", body)
        return deploymentstatus.deadline_in(d, status, now)
