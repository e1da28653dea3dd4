"""Pod volumes on the host: emptyDir as a directory under
`<root-dir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>` that lives as long as the
pod (every container of the pod, and every restart, sees the same files), and hostPath with
Kubernetes' type checks (DirectoryOrCreate, Directory, FileOrCreate, File, Socket, ...).
Both become bind mounts; subPath mounts a path inside the volume."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from tugboat.api.core import Container, HostPathVolumeSource, Pod, Volume
from tugboat.kubelet.reasons import CREATE_CONFIG_ERROR, StartFailure
from tugboat.kubelet.runtime import Mount

_HOST_PATH_CHECKS = {
    "Directory": (stat.S_ISDIR, "is not a directory"),
    "File": (stat.S_ISREG, "is not a file"),
    "Socket": (stat.S_ISSOCK, "is not a socket file"),
    "CharDevice": (stat.S_ISCHR, "is not a character device"),
    "BlockDevice": (stat.S_ISBLK, "is not a block device"),
}


class VolumeManager:
    def __init__(self, root_dir: str | os.PathLike[str]):
        self.root = Path(root_dir)

    def pod_dir(self, uid: str) -> Path:
        return self.root / "pods" / uid

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
        raise StartFailure(CREATE_CONFIG_ERROR, f'volume "{volume.name}": only emptyDir and '
                                                f"hostPath volumes are supported by this kubelet")

    def cleanup(self, uid: str) -> None:
        shutil.rmtree(self.pod_dir(uid), ignore_errors=True)


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
