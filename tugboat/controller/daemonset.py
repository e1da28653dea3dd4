"""The DaemonSet controller: one pod on every node that should run one (daemonpods.py),
created when a node joins or starts to qualify and deleted when it leaves or stops to;
failed daemon pods are replaced; a RollingUpdate replaces pods of an older template (told
apart by the controller-revision-hash label) at most maxUnavailable at a time.

Placement: pods are created with spec.nodeName set to their node, as Kubernetes did
before 1.12, not with a nodeAffinity term for the scheduler to honour: a daemon pod's
node is decided by the controller, and binding it directly works with or without a
scheduler that understands matchFields. Tugboat serves no ControllerRevisions, so the
template hash label is computed from the template itself."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tugboat.controller.context import ControllerContext
from tugboat.controller.controllerref import RefManager
from tugboat.controller.daemonpods import placement, with_daemon_tolerations
from tugboat.controller.podconditions import is_available, is_ready
from tugboat.controller.podcontrol import pod_from_template
from tugboat.controller.reconciling import key_of
from tugboat.controller.replicaset import ReplicaSetController
from tugboat.controller.revisions import template_hash
from tugboat.controller.rollout import scaled_value

log = logging.getLogger(__name__)

HASH_LABEL = "controller-revision-hash"


class DaemonSetController(ReplicaSetController):
    name = "daemonset"
    resource = "daemonsets"
    kind = "DaemonSet"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.nodes = self.informer("nodes")
        self.nodes.add_event_handler(on_add=self._all, on_update=self._node_updated,
                                     on_delete=self._all)

    def _all(self, _node: Any = None) -> None:
        for ds in self.owners.list():
            self.enqueue(ds)

    def _node_updated(self, old: Any, new: Any) -> None:
        if (old.metadata.labels, old.spec.taints, old.metadata.deletionTimestamp) != \
                (new.metadata.labels, new.spec.taints, new.metadata.deletionTimestamp):
            self._all()

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        ds = self.owners.get(name, ns)
        if ds is None:
            self.expectations.forget(key)
            return None
        refs = RefManager(self.client, ds, self.selector(ds), "pods", self.resource)
        pods = [p for p in await refs.claim(self.pods.list(ns))
                if p.metadata.deletionTimestamp is None]
        template = with_daemon_tolerations(ds.spec.template)
        hash_ = template_hash(ds.spec.template.wire())
        by_node: dict[str, list[Any]] = {}
        for p in pods:
            by_node.setdefault(p.spec.nodeName or "", []).append(p)
        plan = self._plan(ds, template, by_node)
        if self.expectations.satisfied(key) and ds.metadata.deletionTimestamp is None:
            create, delete = plan
            delete += self._rolling_victims(ds, template, by_node, hash_, delete)
            await self._apply(key, ds, template, hash_, create, delete)
        await self._write_status(ds, template, by_node, hash_)
        return None

    def _plan(self, ds: Any, template: Any, by_node: dict[str, list[Any]]
              ) -> tuple[list[str], list[Any]]:
        """Nodes that need a pod, and pods to delete (failed, surplus, misplaced)."""
        create: list[str] = []
        delete: list[Any] = []
        nodes = {n.metadata.name: n for n in self.nodes.list()}
        for node_name, node_pods in by_node.items():
            if node_name not in nodes:
                delete += node_pods
        for node in nodes.values():
            node_pods = by_node.get(node.metadata.name, [])
            failed = [p for p in node_pods if p.status.phase == "Failed"]
            running = sorted((p for p in node_pods if p.status.phase != "Failed"),
                             key=lambda p: p.metadata.creationTimestamp or "")
            delete += failed
            should_run, may_continue = placement(template, node)
            if should_run and not running:
                create.append(node.metadata.name)
            elif may_continue and len(running) > 1:
                delete += running[1:]
            elif not may_continue:
                delete += running
        return create, delete

    def _rolling_victims(self, ds: Any, template: Any, by_node: dict[str, list[Any]],
                         hash_: str, deleting: list[Any]) -> list[Any]:
        strategy = ds.spec.updateStrategy
        if strategy is None or strategy.type != "RollingUpdate":
            return []
        now, going = self.ctx.wall(), {key_of(p) for p in deleting}
        nodes = [n for n in self.nodes.list() if placement(template, n)[0]]
        ru = strategy.rollingUpdate
        budget = scaled_value(ru.maxUnavailable if ru else 1, len(nodes), True) or 1
        unavailable, old = 0, []
        for node in nodes:
            live = [p for p in by_node.get(node.metadata.name, []) if key_of(p) not in going]
            if not live or not is_available(live[0], ds.spec.minReadySeconds, now):
                unavailable += 1
            old += [p for p in live if (p.metadata.labels or {}).get(HASH_LABEL) != hash_]
        victims = [p for p in old if not is_available(p, ds.spec.minReadySeconds, now)]
        for p in old:
            if p not in victims and unavailable < budget:
                victims.append(p)
                unavailable += 1
        return victims

    async def _apply(self, key: str, ds: Any, template: Any, hash_: str,
                     create: list[str], delete: list[Any]) -> None:
        if not create and not delete:
            return
        self.expectations.expect_creations(key, len(create))
        self.expectations.expect_deletions(key, [key_of(p) for p in delete])
        log.info("daemonset %s: %d pods to create, %d to delete", key, len(create),
                 len(delete))
        pods = [pod_from_template(template, ds, extra_labels={HASH_LABEL: hash_},
                                  node_name=n) for n in create]
        results = await asyncio.gather(
            *(self.pod_control.create(ds, p) for p in pods),
            *(self.pod_control.delete(ds, p) for p in delete), return_exceptions=True)
        for res in results[:len(create)]:
            if isinstance(res, BaseException):
                self.expectations.creation_observed(key)
        for pod, res in zip(delete, results[len(create):], strict=True):
            if res is not True:
                self.expectations.deletion_observed(key, key_of(pod))
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]

    async def _write_status(self, ds: Any, template: Any, by_node: dict[str, list[Any]],
                            hash_: str) -> None:
        now = self.ctx.wall()
        counts = dict.fromkeys(("desired", "current", "misscheduled", "ready", "available",
                                "updated"), 0)
        for node in self.nodes.list():
            node_pods = by_node.get(node.metadata.name, [])
            if placement(template, node)[0]:
                counts["desired"] += 1
                if node_pods:
                    pod = node_pods[0]
                    counts["current"] += 1
                    counts["ready"] += is_ready(pod)
                    counts["available"] += is_available(pod, ds.spec.minReadySeconds, now)
                    counts["updated"] += (pod.metadata.labels or {}).get(HASH_LABEL) == hash_
            elif node_pods:
                counts["misscheduled"] += 1
        status = ds.status.wire()
        status.update(desiredNumberScheduled=counts["desired"],
                      currentNumberScheduled=counts["current"],
                      numberMisscheduled=counts["misscheduled"], numberReady=counts["ready"],
                      numberAvailable=counts["available"],
                      numberUnavailable=counts["desired"] - counts["available"],
                      updatedNumberScheduled=counts["updated"],
                      observedGeneration=ds.metadata.generation)
        if status != ds.status.wire():
            body = ds.wire()
            body["status"] = status
            await self.client.update_status(self.resource, body)
