"""tmpfs mounts on the host, as Kubernetes' mount utilities make them (k8s.io/mount-utils):
a `medium: Memory` emptyDir and every secret volume live in memory, so what a pod writes
there, or a Secret's bytes, never reach the node's disk. The kubelet mounts the tmpfs on the
volume's host directory and bind-mounts that into the containers (all containers of the pod
see one tmpfs, as with a disk emptyDir). A kubelet that cannot mount (no CAP_SYS_ADMIN)
says so once and keeps plain directories: `HostMounter.usable` is False then."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
_MNT_DETACH = 2


class Mounter(Protocol):
    usable: bool

    def mount_tmpfs(self, path: Path, size_bytes: int | None, mode: int) -> None: ...

    def is_mount(self, path: Path) -> bool: ...

    def unmount_under(self, root: Path) -> None: ...


def _unescape(field: str) -> str:
    """/proc/self/mountinfo escapes space, tab, newline and backslash as octal."""
    return field.encode().decode("unicode_escape").encode("latin-1").decode(errors="replace")


def mount_points(mountinfo: str = "/proc/self/mountinfo") -> list[Path]:
    try:
        text = Path(mountinfo).read_text()
    except OSError:
        return []
    return [Path(_unescape(line.split()[4])) for line in text.splitlines() if line.strip()]


class HostMounter:
    """mount(2)/umount2(2) through libc; no mount binary or extra package needed."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.usable = True

    def mount_tmpfs(self, path: Path, size_bytes: int | None, mode: int) -> None:
        """OSError when refused; after the first EPERM the mounter is not `usable`."""
        options = f"mode={mode:o}" + (f",size={size_bytes}" if size_bytes else "")
        rc = self._libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs", 0, options.encode())
        if rc != 0:
            err = ctypes.get_errno()
            if err == 1:  # EPERM: no CAP_SYS_ADMIN here; stop trying
                self.usable = False
                log.warning("cannot mount tmpfs (%s): memory-backed volumes are "
                            "plain directories on this node", os.strerror(err))
            raise OSError(err, f"mount tmpfs on {path}: {os.strerror(err)}")

    def is_mount(self, path: Path) -> bool:
        return os.path.ismount(path)

    def unmount_under(self, root: Path) -> None:
        """Detach every mount at or below `root`, deepest first, before it is removed."""
        resolved = root.resolve()
        inside = [m for m in mount_points() if m == resolved or resolved in m.parents]
        for m in sorted(inside, key=lambda p: len(p.parts), reverse=True):
            if self._libc.umount2(os.fsencode(m), _MNT_DETACH) != 0:
                err = ctypes.get_errno()
                log.warning("unmount %s: %s", m, os.strerror(err))
