"""emptyDir volumes (pkg/volume/emptydir): a directory under the pod's volume folder that
lives as long as the pod. `medium: Memory` puts a tmpfs there, sized by `sizeLimit` or the
pod's memory limit, whichever is smaller (Kubernetes' SizeMemoryBackedVolumes), so the
bytes count against memory, not the disk. A disk emptyDir's `sizeLimit` is enforced the
way the kubelet's eviction manager does it: its usage is measured periodically, and a pod
over the limit is evicted (`over_limit` gives the eviction message)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from tugboat.api.core import Pod, PodCondition, PodStatus, Volume
from tugboat.api.quantity import QuantityError, to_bytes
from tugboat.kubelet.mounter import Mounter
from tugboat.kubelet.podstatus import rfc3339
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure

log = logging.getLogger(__name__)
PLUGIN_DIR = "kubernetes.io~empty-dir"
MEDIUM_MEMORY = "Memory"
# How often one pod's disk emptyDirs are measured: walking a big directory costs, and the
# eviction manager itself only looks every 10 s.
USAGE_PERIOD = 10.0


def pod_memory_limit(pod: Pod) -> int | None:
    """The pod's memory limit: the sum of its containers' limits, when every one has one."""
    total = 0
    for c in pod.spec.containers:
        limit = ((c.resources.limits or {}) if c.resources else {}).get("memory")
        if limit is None:
            return None
        try:
            total += to_bytes(limit)
        except QuantityError:
            return None
    return total or None


def memory_size(pod: Pod, volume: Volume) -> int | None:
    """The tmpfs size of a Memory emptyDir; None leaves tmpfs' own default (half the RAM)."""
    sizes = [s for s in (_size_limit(volume), pod_memory_limit(pod)) if s]
    return min(sizes) if sizes else None


def _size_limit(volume: Volume) -> int | None:
    limit = volume.emptyDir.sizeLimit if volume.emptyDir is not None else None
    if limit is None:
        return None
    try:
        return to_bytes(limit) or None
    except QuantityError:
        return None


def disk_usage(path: Path) -> int:
    """Bytes allocated below `path`, as `du` counts them (hard links once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, dirs, names in os.walk(path):
        for n in (*dirs, *names):
            try:
                st = os.lstat(os.path.join(dirpath, n))
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            total += st.st_blocks * 512
    return total


class EmptyDirs:
    """Sets up a pod's emptyDirs and watches the disk ones' sizeLimit."""

    def __init__(self, mounter: Mounter, clock: Callable[[], float] = time.time,
                 usage: Callable[[Path], int] = disk_usage):
        self.mounter = mounter
        self.clock = clock
        self.usage = usage
        self._measured: dict[str, float] = {}

    def set_up(self, pod: Pod, volume: Volume, path: Path) -> Path:
        medium = (volume.emptyDir.medium if volume.emptyDir is not None else None) or ""
        if medium not in ("", MEDIUM_MEMORY):
            raise StartFailure(CREATE_CONFIG_ERROR,
                               f'volume "{volume.name}": unknown storage medium "{medium}"')
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o777)  # any container user may write, as Kubernetes makes it
        if medium == MEDIUM_MEMORY and self.mounter.usable and not self.mounter.is_mount(path):
            try:
                self.mounter.mount_tmpfs(path, memory_size(pod, volume), 0o777)
            except OSError as e:
                if self.mounter.usable:  # anything but "not allowed here" fails the mount
                    raise StartFailure(CREATE_CONFIG_ERROR, f'MountVolume.SetUp failed for '
                                                            f'volume "{volume.name}" : {e}') from e
        return path

    async def over_limit(self, pod: Pod, dir_of: Callable[[Volume], Path]) -> str | None:
        """The eviction message when a disk emptyDir has outgrown its sizeLimit (checked at
        most every USAGE_PERIOD per pod); None otherwise. The walk runs in a thread: a big
        emptyDir takes seconds, and the event loop serves every other pod meanwhile."""
        limited = [(v, lim) for v in pod.spec.volumes or ()
                   if v.emptyDir is not None and v.emptyDir.medium != MEDIUM_MEMORY
                   and (lim := _size_limit(v))]
        uid = pod.metadata.uid or ""
        now = self.clock()
        if not limited or now < self._measured.get(uid, 0.0) + USAGE_PERIOD:
            return None
        self._measured[uid] = now
        for volume, limit in limited:
            path = dir_of(volume)
            if path.is_dir() and await asyncio.to_thread(self.usage, path) > limit:
                shown = volume.emptyDir.sizeLimit if volume.emptyDir is not None else limit
                return (f'Usage of EmptyDir volume "{volume.name}" exceeds the limit '
                        f'"{shown}". ')
        return None

    def forget(self, uid: str) -> None:
        self._measured.pop(uid, None)


EVICTED = "Evicted"


def evicted(status: PodStatus, message: str, now: float) -> PodStatus:
    """The status of a pod the kubelet evicts (its containers' states follow as they are
    killed): Failed, reason Evicted, and the DisruptionTarget condition saying why."""
    conditions = [c for c in status.conditions or () if c.type != "DisruptionTarget"]
    conditions.append(PodCondition(
        type="DisruptionTarget", status="True", reason="TerminationByKubelet",
        message=message, lastTransitionTime=rfc3339(now)))
    return status.model_copy(update={"phase": "Failed", "reason": EVICTED, "message": message,
                                     "conditions": conditions})
