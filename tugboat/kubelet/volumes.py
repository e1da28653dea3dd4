"""Pod volumes on the host: emptyDir as a directory under
`<root-dir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>` that lives as long as the
pod (every container of the pod, and every restart, sees the same files), and hostPath with
Kubernetes' type checks (DirectoryOrCreate, Directory, FileOrCreate, File, Socket, ...).
Both become bind mounts; subPath mounts a path inside the volume. Projected, downwardAPI,
configMap and secret volumes are files the kubelet writes (projected.py) before the
containers start and rewrites when a token is due or their sources may have changed."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

from tugboat.api.core import Container, HostPathVolumeSource, Pod, Volume
from tugboat.kubelet.projected import (
    PLUGIN_DIRS,
    ProjectedVolumes,
    VolumeError,
    VolumeRefresh,
    kind_of,
    write_files,
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


class VolumeManager:
    def __init__(self, root_dir: str | os.PathLike[str],
                 projections: ProjectedVolumes | None = None,
                 clock: Callable[[], float] = time.time):
        self.root = Path(root_dir)
        self.projections = projections
        self.refresh = VolumeRefresh(projections.tokens, clock=clock) if projections else None

    def pod_dir(self, uid: str) -> Path:
        return self.root / "pods" / uid

    def _written_dir(self, pod: Pod, volume: Volume, kind: str) -> Path:
        return self.pod_dir(pod.metadata.uid or "") / "volumes" / PLUGIN_DIRS[kind] / volume.name

    async def prepare(self, pod: Pod) -> None:
        """Write the pod's projected, downwardAPI, configMap and secret volumes when due.
        StartFailure (ContainerCreating) if one that was never written cannot be; a
        failed refresh keeps the files already there."""
        written = [(v, k) for v in pod.spec.volumes or () if (k := kind_of(v))]
        uid = pod.metadata.uid or ""
        if not written or self.projections is None or self.refresh is None \
                or not self.refresh.due(uid):
            return
        ok = True
        for volume, kind in written:
            target = self._written_dir(pod, volume, kind)
            try:
                write_files(target, await self.projections.contents(pod, volume))
            except VolumeError as e:
                ok = False
                message = f'MountVolume.SetUp failed for volume "{volume.name}" : {e}'
                if not target.exists():
                    raise StartFailure(CONTAINER_CREATING, message, retry_after=2.0) from e
                log.warning("pod %s/%s: %s", pod.metadata.namespace, pod.metadata.name,
                            message)
        if ok:
            self.refresh.written(uid)

    def mounts_for(self, pod: Pod, spec: Container) -> list[Mount]:
        """The bind mounts of `spec`'s volumeMounts; StartFailure when one cannot be made."""
        volumes = {v.name: v for v in pod.spec.volumes or ()}
        mounts = []
        for vm in spec.volumeMounts or ():
            volume = volumes.get(vm.name)
            if volume is None:
                raise StartFailure(CREATE_CONFIG_ERROR, f'volume "{vm.name}" not found')
            source = self._source(pod, volume)
            if vm.subPath:
                source = source / vm.subPath.lstrip("/")
                if not source.exists():
                    source.mkdir(parents=True, exist_ok=True)
            mounts.append(Mount(str(source), vm.mountPath, bool(vm.readOnly)))
        return mounts

    def _source(self, pod: Pod, volume: Volume) -> Path:
        if volume.emptyDir is not None:
            path = self.pod_dir(pod.metadata.uid or "") / "volumes" / \
                "kubernetes.io~empty-dir" / volume.name
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o777)
            return path
        if volume.hostPath is not None:
            return host_path(volume.name, volume.hostPath)
        kind = kind_of(volume)
        if kind is not None and self.projections is not None:
            path = self._written_dir(pod, volume, kind)
            if not path.is_dir():
                raise StartFailure(CONTAINER_CREATING, f'volume "{volume.name}" is not set up yet')
            return path
        raise StartFailure(CREATE_CONFIG_ERROR, f'volume "{volume.name}": this kubelet mounts '
                                                "emptyDir, hostPath, projected, downwardAPI, "
                                                "configMap and secret volumes")

    def cleanup(self, uid: str) -> None:
        shutil.rmtree(self.pod_dir(uid), ignore_errors=True)
        if self.refresh is not None:
            self.refresh.forget(uid)


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
