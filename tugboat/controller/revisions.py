"""A Deployment's ReplicaSets as revisions: the pod-template-hash that names each
template, which ReplicaSet is the new one (same template, hash label aside) and which are
old, the revision annotations that `kubectl rollout history|undo` read, and the
ReplicaSet object created for a new template."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from tugboat.controller.controllerref import new_controller_ref

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
# Annotations a Deployment keeps to itself rather than copying to its ReplicaSets.
NOT_COPIED = {REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
              "kubectl.kubernetes.io/last-applied-configuration",
              "deprecated.deployment.rollback.to"}
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand


def _fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: dict[str, Any], collision_count: int | None = None) -> str:
    """ComputeHash: FNV-32a of the template (and the collision count), written with
    Kubernetes' safe alphabet so it makes a valid, word-free name suffix."""
    data = orjson.dumps(template, option=orjson.OPT_SORT_KEYS)
    if collision_count:
        data += str(collision_count).encode()
    return "".join(_SAFE_ALPHABET[ord(c) % len(_SAFE_ALPHABET)]
                   for c in str(_fnv32a(data)))


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    t = copy.deepcopy(template)
    labels = (t.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
        if not labels:
            t["metadata"].pop("labels")
    if "metadata" in t and not t["metadata"]:
        t.pop("metadata")
    return t


def same_template(rs: Any, deployment: Any) -> bool:
    return without_hash(rs.spec.template.wire()) == without_hash(deployment.spec.template.wire())


def revision(rs: Any) -> int:
    try:
        return int((rs.metadata.annotations or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def by_creation(rss: list[Any]) -> list[Any]:
    return sorted(rss, key=lambda r: (r.metadata.creationTimestamp or "", r.metadata.name))


def split_new_old(deployment: Any, rss: list[Any]) -> tuple[Any | None, list[Any]]:
    """FindNewReplicaSet (the oldest with the deployment's template) and the others."""
    new = next((rs for rs in by_creation(rss) if same_template(rs, deployment)), None)
    return new, [rs for rs in rss if rs is not new]


def copied_annotations(deployment: Any) -> dict[str, str]:
    return {k: v for k, v in (deployment.metadata.annotations or {}).items()
            if k not in NOT_COPIED}


def new_replica_set(deployment: Any, hash_: str, revision_: int, replicas: int,
                    max_surge: int) -> dict[str, Any]:
    """The ReplicaSet for the deployment's current template."""
    d = deployment
    template = d.spec.template.wire()
    tmeta = template.setdefault("metadata", {})
    tmeta["labels"] = {**(tmeta.get("labels") or {}), HASH_LABEL: hash_}
    selector = (d.spec.selector.wire() if d.spec.selector else {})
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: hash_}
    annotations = {**copied_annotations(d), REVISION: str(revision_),
                   DESIRED_REPLICAS: str(d.spec.replicas),
                   MAX_REPLICAS: str(d.spec.replicas + max_surge)}
    spec: dict[str, Any] = {"replicas": replicas, "selector": selector, "template": template}
    if d.spec.minReadySeconds:
        spec["minReadySeconds"] = d.spec.minReadySeconds
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{d.metadata.name}-{hash_}",
                         "namespace": d.metadata.namespace,
                         "labels": dict(tmeta["labels"]), "annotations": annotations,
                         "ownerReferences": [new_controller_ref(d)]},
            "spec": spec}


def revision_annotations(rs: Any, new_revision: int, deployment: Any) -> dict[str, str] | None:
    """The annotations the new ReplicaSet should carry, or None if it already does: the
    deployment's own (copied), and a revision bumped past every older one — a rollback
    makes an old ReplicaSet new again, and its earlier numbers go to revision-history."""
    current = dict(rs.metadata.annotations or {})
    wanted = {**current, **copied_annotations(deployment)}
    old = revision(rs)
    if old < new_revision:
        wanted[REVISION] = str(new_revision)
        if old:
            history = [h for h in current.get(REVISION_HISTORY, "").split(",") if h]
            wanted[REVISION_HISTORY] = ",".join([*history, str(old)])
    return None if wanted == current else wanted


def history_to_delete(old: list[Any], limit: int | None) -> list[Any]:
    """Old ReplicaSets beyond revisionHistoryLimit, fully scaled down, oldest first."""
    idle = [rs for rs in old if not rs.spec.replicas and not rs.status.replicas
            and rs.metadata.deletionTimestamp is None]
    extra = len(idle) - (10 if limit is None else limit)
    return sorted(idle, key=revision)[:extra] if extra > 0 else []
