"""The pod worker evicts a pod whose disk emptyDir outgrew its sizeLimit: phase Failed,
reason Evicted with Kubernetes' message, the DisruptionTarget condition, the Evicted
event, and its containers killed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.kubelet.conftest import Harness, make_pod
from tests.unit.kubelet.fakemounter import FakeMounter
from tugboat.kubelet.volumes import VolumeManager

pytestmark = pytest.mark.anyio


async def test_an_emptydir_over_its_limit_evicts_the_pod(harness: Harness, tmp_path: Path
                                                  ) -> None:
    pod = make_pod("hog", volumes=[{"name": "scratch", "emptyDir": {"sizeLimit": "4Ki"}}],
                   containers=[{"name": "app", "image": "busybox:1.35", "volumeMounts": [
                       {"name": "scratch", "mountPath": "/scratch"}]}])
    harness.syncer.d.volumes = VolumeManager(tmp_path, clock=harness.clock,
                                             mounter=FakeMounter())
    harness.add(pod)
    await harness.sync(pod)
    assert harness.containers("app")[-1].running
    volume = tmp_path / "pods" / "uid-hog" / "volumes" / "kubernetes.io~empty-dir" / "scratch"
    (volume / "big").write_bytes(b"x" * 64 * 1024)
    harness.clock.advance(11)
    await harness.sync(pod)
    status = harness.status_of(pod)
    message = 'Usage of EmptyDir volume "scratch" exceeds the limit "4Ki". '
    assert (status.phase, status.reason, status.message) == ("Failed", "Evicted", message)
    target = next(c for c in status.conditions if c.type == "DisruptionTarget")
    assert (target.status, target.reason) == ("True", "TerminationByKubelet")
    assert ("Warning", "Evicted", message) in harness.events
    assert not harness.containers("app")[-1].running
