"""The StatefulSet controller: pods with stable names, hostnames and claims, created,
deleted and replaced in the order statefulsetcontrol.py decides, and the set's status
(replicas, ready, current and updated counts, the two revisions) that `kubectl rollout
status sts` reads.

Revisions: Tugboat serves no ControllerRevisions, so a revision is named as Kubernetes
names its ControllerRevisions, `<set>-<hash of the pod template>`, and stamped on pods as
controller-revision-hash. The template of the current revision (needed to recreate a pod
below a RollingUpdate's partition) is remembered from the sets this controller has seen;
after a restart that forgot it, such a pod is recreated from the update revision.

Claims: a pod mounts one PersistentVolumeClaim per volume claim template. The controller
creates the claims itself only where the API serves persistentvolumeclaims (the storage
work adds them); claims are owned by the set when its retention policy deletes them with
it, and by a surplus pod when the policy deletes them on scale-down."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api.labels import Selector, label_selector_as_selector
from tugboat.api.pod import PodTemplateSpec
from tugboat.api.resources import lookup
from tugboat.client import AlreadyExists, ClientError, Conflict, NotFound
from tugboat.controller.context import ControllerContext
from tugboat.controller.controllerref import (
    RefManager,
    controller_ref,
    new_controller_ref,
    resolve_owner,
)
from tugboat.controller.podcontrol import pod_from_template
from tugboat.controller.reconciling import Controller, key_of
from tugboat.controller.revisions import template_hash
from tugboat.controller.statefulsetcontrol import (
    POD_INDEX_LABEL,
    POD_NAME_LABEL,
    REVISION_LABEL,
    claim_name,
    ordinal_of,
    plan,
    status,
)

log = logging.getLogger(__name__)


def claims_served() -> bool:
    return lookup("", "v1", "persistentvolumeclaims") is not None


def revision_name(sts: Any, template: PodTemplateSpec) -> str:
    return f"{sts.metadata.name}-{template_hash(template.wire(), sts.status.collisionCount)}"


def new_pod(sts: Any, template: PodTemplateSpec, ordinal: int, revision: str
            ) -> dict[str, Any]:
    """newStatefulSetPod: the template stamped with the ordinal's identity and claims."""
    name = f"{sts.metadata.name}-{ordinal}"
    pod = pod_from_template(template, sts, extra_labels={
        REVISION_LABEL: revision, POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal)})
    meta = pod["metadata"]
    del meta["generateName"]
    meta["name"] = name
    spec = pod["spec"]
    spec["hostname"] = name
    if sts.spec.serviceName:
        spec["subdomain"] = sts.spec.serviceName
    claims = {c.metadata.name: claim_name(c.metadata.name, sts.metadata.name, ordinal)
              for c in sts.spec.volumeClaimTemplates or () if c.metadata.name}
    if claims:
        volumes = [v for v in spec.get("volumes") or () if v.get("name") not in claims]
        volumes += [{"name": t, "persistentVolumeClaim": {"claimName": c}}
                    for t, c in claims.items()]
        spec["volumes"] = volumes
    return pod


def new_claims(sts: Any, ordinal: int) -> list[dict[str, Any]]:
    """The claims of one ordinal: each template's, labelled with the set's selector."""
    match = (sts.spec.selector.matchLabels or {}) if sts.spec.selector else {}
    policy = sts.spec.persistentVolumeClaimRetentionPolicy
    owned = policy is not None and policy.whenDeleted == "Delete"
    out = []
    for template in sts.spec.volumeClaimTemplates or ():
        claim = template.wire()
        meta = claim.setdefault("metadata", {})
        meta["name"] = claim_name(template.metadata.name or "", sts.metadata.name, ordinal)
        meta["namespace"] = sts.metadata.namespace
        meta["labels"] = {**(meta.get("labels") or {}), **match}
        if owned:
            meta["ownerReferences"] = [new_controller_ref(sts)]
        claim.pop("status", None)
        out.append(claim)
    return out


class StatefulSetController(Controller):
    name = "statefulset"
    resource = "statefulsets"
    kind = "StatefulSet"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.sets = self.informer(self.resource, on_change=self.enqueue,
                                  on_delete=self._set_deleted)
        self.pods = self.informer("pods")
        self.pods.add_event_handler(self._pod_changed, lambda _o, new: self._pod_changed(new),
                                    self._pod_changed)
        self.claims = self.informer("persistentvolumeclaims") if claims_served() else None
        # set key → {revision name: template}: only the current and update revisions
        self.templates: dict[str, dict[str, PodTemplateSpec]] = {}

    def selector(self, sts: Any) -> Selector:
        return label_selector_as_selector(sts.spec.selector)

    def _set_deleted(self, sts: Any) -> None:
        self.templates.pop(key_of(sts), None)

    def _pod_changed(self, pod: Any) -> None:
        owner = resolve_owner(controller_ref(pod), self.kind,
                              lambda n: self.sets.get(n, pod.metadata.namespace))
        if owner is not None:
            self.enqueue(owner)
        elif controller_ref(pod) is None:
            for sts in self.sets.list(pod.metadata.namespace):
                if ordinal_of(pod, sts.metadata.name) is not None and \
                        self.selector(sts).matches(pod.metadata.labels):
                    self.enqueue(sts)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        sts = self.sets.get(name, ns)
        if sts is None:
            self.templates.pop(key, None)
            return None
        members = [p for p in self.pods.list(ns) if ordinal_of(p, name) is not None]
        refs = RefManager(self.client, sts, self.selector(sts), "pods", self.resource)
        pods = await refs.claim(members)
        by_ordinal = {ordinal_of(p, name): p for p in pods}
        update = revision_name(sts, sts.spec.template)
        current = sts.status.currentRevision or update
        known = self.templates.setdefault(key, {})
        known[update] = sts.spec.template
        for stale in [r for r in known if r not in (current, update)]:
            del known[stale]
        now = self.ctx.wall()
        requeue = None
        if sts.metadata.deletionTimestamp is None:
            todo = plan(sts, by_ordinal, current, update, now)  # type: ignore[arg-type]
            requeue = todo.requeue
            for ordinal, revision in todo.create:
                if revision not in known:  # forgotten over a restart: the update's, labelled so
                    revision = update
                await self._create(sts, ordinal, revision, known[revision])
            for pod in todo.delete:
                if pod in todo.condemned:
                    await self._release_claims(sts, pod)
                await self._delete(sts, pod)
        new_status = status(sts, pods, current, update, now)
        if new_status != sts.status.wire():
            body = sts.wire()
            body["status"] = new_status
            await self.client.update_status(self.resource, body)
        return requeue

    async def _create(self, sts: Any, ordinal: int, revision: str,
                      template: PodTemplateSpec) -> None:
        if self.claims is not None:
            for claim in new_claims(sts, ordinal):
                if self.claims.get(claim["metadata"]["name"], sts.metadata.namespace):
                    continue
                try:
                    await self.client.create("persistentvolumeclaims", claim,
                                             sts.metadata.namespace)
                except AlreadyExists:
                    pass
                except ClientError as e:
                    self.recorder.emit(sts, "Warning", "FailedCreate",
                                       f"create Claim {claim['metadata']['name']} for Pod "
                                       f"{sts.metadata.name}-{ordinal} in StatefulSet "
                                       f"{sts.metadata.name} failed error: {e}")
                    raise
                self.recorder.emit(sts, "Normal", "SuccessfulCreate",
                                   f"create Claim {claim['metadata']['name']} Pod "
                                   f"{sts.metadata.name}-{ordinal} in StatefulSet "
                                   f"{sts.metadata.name} success")
        pod = new_pod(sts, template, ordinal, revision)
        name = pod["metadata"]["name"]
        try:
            await self.client.create("pods", pod, sts.metadata.namespace)
        except AlreadyExists:
            return  # the cache has not seen it yet (or its predecessor is still going)
        except ClientError as e:
            self.recorder.emit(sts, "Warning", "FailedCreate",
                               f"create Pod {name} in StatefulSet {sts.metadata.name} "
                               f"failed error: {e}")
            raise
        log.info("statefulset %s: created pod %s", key_of(sts), name)
        self.recorder.emit(sts, "Normal", "SuccessfulCreate",
                           f"create Pod {name} in StatefulSet {sts.metadata.name} successful")

    async def _delete(self, sts: Any, pod: Any) -> None:
        name = pod.metadata.name
        try:
            await self.client.delete("pods", name, pod.metadata.namespace,
                                     preconditions={"uid": pod.metadata.uid})
        except (NotFound, Conflict):
            return  # gone already, or a successor took the name
        except ClientError as e:
            self.recorder.emit(sts, "Warning", "FailedDelete",
                               f"delete Pod {name} in StatefulSet {sts.metadata.name} "
                               f"failed error: {e}")
            raise
        log.info("statefulset %s: deleted pod %s", key_of(sts), name)
        self.recorder.emit(sts, "Normal", "SuccessfulDelete",
                           f"delete Pod {name} in StatefulSet {sts.metadata.name} successful")

    async def _release_claims(self, sts: Any, pod: Any) -> None:
        """whenScaled: Delete — a surplus pod owns its claims, so they go with it."""
        policy = sts.spec.persistentVolumeClaimRetentionPolicy
        if self.claims is None or policy is None or policy.whenScaled != "Delete":
            return
        ordinal = ordinal_of(pod, sts.metadata.name)
        for template in sts.spec.volumeClaimTemplates or ():
            name = claim_name(template.metadata.name or "", sts.metadata.name, ordinal or 0)
            claim = self.claims.get(name, sts.metadata.namespace)
            if claim is None:
                continue
            refs = [r.wire() for r in claim.metadata.ownerReferences or ()
                    if r.uid != sts.metadata.uid]
            if any(r.get("uid") == pod.metadata.uid for r in refs):
                continue
            refs.append({"apiVersion": "v1", "kind": "Pod", "name": pod.metadata.name,
                         "uid": pod.metadata.uid, "blockOwnerDeletion": True})
            await self.client.patch("persistentvolumeclaims", name,
                                    {"metadata": {"ownerReferences": refs}},
                                    sts.metadata.namespace)
