"""A pod's volumes on the host (the kubelet's volume manager): each lives under
`<root-dir>/pods/<uid>/volumes/<plugin>/<name>` as long as the pod does, so every container
of the pod, and every restart, sees the same files. emptyDir (emptydir.py: a directory, or a
tmpfs for `medium: Memory`), hostPath with Kubernetes' type checks, and the volumes the
kubelet writes from API objects — configMap, secret (on a tmpfs), downwardAPI, projected
(projected.py computes their files, atomicwriter.py swaps them in). They become bind mounts;
subpath.py resolves subPath and subPathExpr. API-data volumes are mounted read-only, as
Kubernetes has done since 1.10."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tugboat.api.core import Container, HostPathVolumeSource, Pod, Volume
from tugboat.kubelet import subpath
from tugboat.kubelet.atomicwriter import AtomicWriter, PayloadError
from tugboat.kubelet.emptydir import PLUGIN_DIR as EMPTY_DIR_PLUGIN
from tugboat.kubelet.emptydir import EmptyDirs
from tugboat.kubelet.mounter import HostMounter, Mounter
from tugboat.kubelet.projected import (
    PLUGIN_DIRS,
    ProjectedVolumes,
    VolumeError,
    VolumeRefresh,
    kind_of,
)
from tugboat.kubelet.reasons import CONTAINER_CREATING, CREATE_CONFIG_ERROR, StartFailure
from tugboat.kubelet.runtime import Mount

log = logging.getLogger(__name__)

_HOST_PATH_CHECKS = {
    "Directory": (stat.S_ISDIR, "is not a directory"),
    "File": (stat.S_ISREG, "is not a file"),
    "Socket": (stat.S_ISSOCK, "is not a socket file"),
    "CharDevice": (stat.S_ISCHR, "is not a character device"),
    "BlockDevice": (stat.S_ISBLK, "is not a block device"),
}
# A secret volume's tmpfs: world-traversable with the sticky bit, as Kubernetes' secret
# mounts show inside the container; the pod's folder (0750) keeps other host users out.
_SECRET_TMPFS_MODE = 0o1777


class VolumeManager:
    def __init__(self, root_dir: str | os.PathLike[str],
                 projections: ProjectedVolumes | None = None,
                 clock: Callable[[], float] = time.time, *,
                 mounter: Mounter | None = None, refresh_period: float = 60.0):
        self.root = Path(root_dir)
        self.projections = projections
        self.clock = clock
        self.mounter = mounter if mounter is not None else HostMounter()
        self.empty_dirs = EmptyDirs(self.mounter, clock)
        self.refresh = VolumeRefresh(projections.tokens, refresh_period, clock) \
            if projections else None

    def pod_dir(self, uid: str) -> Path:
        return self.root / "pods" / uid

    def volume_dir(self, pod: Pod, volume: Volume) -> Path:
        kind = kind_of(volume)
        plugin = PLUGIN_DIRS[kind] if kind else EMPTY_DIR_PLUGIN
        return self.pod_dir(pod.metadata.uid or "") / "volumes" / plugin / volume.name

    async def prepare(self, pod: Pod) -> None:
        """Set up the pod's emptyDirs; write its projected, downwardAPI, configMap and secret
        volumes when due. StartFailure (ContainerCreating) if one that was never written
        cannot be; a failed refresh keeps the files already there."""
        pod_dir = self.pod_dir(pod.metadata.uid or "")
        if not pod_dir.is_dir():
            pod_dir.mkdir(mode=0o750, parents=True, exist_ok=True)
        for volume in pod.spec.volumes or ():
            if volume.emptyDir is not None:
                self.empty_dirs.set_up(pod, volume, self.volume_dir(pod, volume))
        written = [v for v in pod.spec.volumes or () if kind_of(v)]
        uid = pod.metadata.uid or ""
        if not written or self.projections is None or self.refresh is None \
                or not self.refresh.due(uid):
            return
        ok = True
        for volume in written:
            target = self.volume_dir(pod, volume)
            try:
                payload = await self.projections.contents(pod, volume)
                # file writes (and a secret's tmpfs mount) off the event loop
                await asyncio.to_thread(self._write, pod, volume, target, payload)
            except (VolumeError, PayloadError, OSError) as e:
                ok = False
                message = f'MountVolume.SetUp failed for volume "{volume.name}" : {e}'
                if not (target / "..data").exists():
                    raise StartFailure(CONTAINER_CREATING, message, retry_after=2.0) from e
                log.warning("pod %s/%s: %s", pod.metadata.namespace, pod.metadata.name,
                            message)
        if ok:
            self.refresh.written(uid)

    def _write(self, pod: Pod, volume: Volume, target: Path, payload: Mapping) -> None:
        if volume.secret is not None and self.mounter.usable and not target.is_dir():
            target.mkdir(parents=True)
            try:
                self.mounter.mount_tmpfs(target, None, _SECRET_TMPFS_MODE)
            except OSError as e:
                log.warning("secret volume %s of pod %s on disk: %s", volume.name,
                            pod.metadata.name, e)
        if AtomicWriter(target, self.clock).write(payload):
            log.debug("pod %s/%s: volume %s updated", pod.metadata.namespace,
                      pod.metadata.name, volume.name)

    async def over_limit(self, pod: Pod) -> str | None:
        """Why the pod must be evicted, when a disk emptyDir has outgrown its sizeLimit."""
        return await self.empty_dirs.over_limit(pod, lambda v: self.volume_dir(pod, v))

    def mounts_for(self, pod: Pod, spec: Container,
                   env: Mapping[str, str] | None = None) -> list[Mount]:
        """The bind mounts of `spec`'s volumeMounts (subPathExpr expands from `env`, the
        container's environment); StartFailure when one cannot be made."""
        volumes = {v.name: v for v in pod.spec.volumes or ()}
        mounts = []
        for vm in spec.volumeMounts or ():
            volume = volumes.get(vm.name)
            if volume is None:
                raise StartFailure(CREATE_CONFIG_ERROR, f'volume "{vm.name}" not found')
            source = self._source(pod, volume)
            sub = subpath.sub_path_of(vm, spec, env or {})
            if sub is not None:
                source = subpath.resolve(source, sub, vm, spec)
            read_only = bool(vm.readOnly) or kind_of(volume) is not None
            mounts.append(Mount(str(source), vm.mountPath, read_only))
        return mounts

    def _source(self, pod: Pod, volume: Volume) -> Path:
        if volume.emptyDir is not None:
            return self.empty_dirs.set_up(pod, volume, self.volume_dir(pod, volume))
        if volume.hostPath is not None:
            return host_path(volume.name, volume.hostPath)
        if kind_of(volume) is not None and self.projections is not None:
            path = self.volume_dir(pod, volume)
            if not (path / "..data").exists():
                raise StartFailure(CONTAINER_CREATING, f'volume "{volume.name}" is not set up yet')
            return path
        raise StartFailure(CREATE_CONFIG_ERROR, f'volume "{volume.name}": this kubelet mounts '
                                                "emptyDir, hostPath, projected, downwardAPI, "
                                                "configMap and secret volumes")

    async def cleanup(self, uid: str) -> None:
        pod_dir = self.pod_dir(uid)
        if pod_dir.exists():  # in a thread: a big emptyDir takes a while to remove
            await asyncio.to_thread(self._remove, pod_dir)
        self.empty_dirs.forget(uid)
        if self.refresh is not None:
            self.refresh.forget(uid)

    def _remove(self, pod_dir: Path) -> None:
        self.mounter.unmount_under(pod_dir)  # tmpfs first: rmtree must not cross mounts
        shutil.rmtree(pod_dir, ignore_errors=True)


def host_path(name: str, source: HostPathVolumeSource) -> Path:
    path = Path(source.path)
    kind = source.type or ""
    if kind == "DirectoryOrCreate":
        path.mkdir(mode=0o755, parents=True, exist_ok=True)
    elif kind == "FileOrCreate" and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o644)
    elif kind in _HOST_PATH_CHECKS:
        check, problem = _HOST_PATH_CHECKS[kind]
        try:
            ok = check(path.stat().st_mode)
        except OSError:
            ok, problem = False, "does not exist"
        if not ok:
            raise StartFailure(CREATE_CONFIG_ERROR,
                               f'hostPath volume "{name}": {source.path} {problem}')
    return path
