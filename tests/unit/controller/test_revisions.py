"""Template hashes, new/old ReplicaSets, revision annotations and history limits."""

from __future__ import annotations

from typing import Any

from tugboat.api.apps import Deployment, ReplicaSet
from tugboat.controller import revisions


def deployment(image: str = "busybox:1.35", **meta: Any) -> Deployment:
    return Deployment.model_validate({
        "metadata": {"name": "web", "namespace": "ns", "uid": "d-uid", **meta},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": image}]}}}})


def rs_for(d: Deployment, rev: int, replicas: int = 0, **annotations: str) -> ReplicaSet:
    hash_ = revisions.template_hash(d.spec.template.wire())
    body = revisions.new_replica_set(d, hash_, rev, replicas, 1)
    body["metadata"]["annotations"].update(annotations)
    body["metadata"]["creationTimestamp"] = f"2025-01-01T00:00:0{rev}Z"
    return ReplicaSet.model_validate(body)


def test_template_hash_is_stable_and_name_safe() -> None:
    t = deployment().spec.template.wire()
    h = revisions.template_hash(t)
    assert h == revisions.template_hash(deployment().spec.template.wire())
    assert h != revisions.template_hash(deployment("busybox:1.36").spec.template.wire())
    assert h != revisions.template_hash(t, collision_count=1)
    assert set(h) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_new_replica_set_shape() -> None:
    d = deployment(annotations={"team": "a", revisions.REVISION: "7"})
    rs = rs_for(d, 2, 1)
    h = rs.metadata.labels[revisions.HASH_LABEL]
    assert rs.metadata.name == f"web-{h}"
    assert rs.spec.selector.matchLabels == {"app": "web", revisions.HASH_LABEL: h}
    assert rs.spec.template.metadata.labels == {"app": "web", revisions.HASH_LABEL: h}
    assert rs.metadata.annotations == {"team": "a", revisions.REVISION: "2",
                                       revisions.DESIRED_REPLICAS: "3",
                                       revisions.MAX_REPLICAS: "4"}
    assert rs.metadata.ownerReferences[0].uid == "d-uid"


def test_split_new_old_ignores_the_hash_label() -> None:
    old_d, new_d = deployment("busybox:1.35"), deployment("busybox:1.36")
    a, b = rs_for(old_d, 1), rs_for(new_d, 2)
    assert revisions.split_new_old(new_d, [a, b]) == (b, [a])
    assert revisions.split_new_old(old_d, [a, b]) == (a, [b])
    assert revisions.split_new_old(deployment("other"), [a, b]) == (None, [a, b])


def test_rollback_bumps_revision_and_records_history() -> None:
    d = deployment()
    rs = rs_for(d, 1, **{revisions.REVISION_HISTORY: "0"})
    wanted = revisions.revision_annotations(rs, 3, d)
    assert wanted is not None
    assert wanted[revisions.REVISION] == "3"
    assert wanted[revisions.REVISION_HISTORY] == "0,1"
    current = rs_for(d, 3)
    assert revisions.revision_annotations(current, 3, d) is None


def test_history_limit() -> None:
    d = deployment()
    olds = [rs_for(deployment(f"i{n}"), n) for n in range(1, 6)]
    assert [revisions.revision(r) for r in revisions.history_to_delete(olds, 2)] == [1, 2, 3]
    assert revisions.history_to_delete(olds, 10) == []
    busy = [rs_for(d, 1, replicas=2)]
    assert revisions.history_to_delete(busy, 0) == []
