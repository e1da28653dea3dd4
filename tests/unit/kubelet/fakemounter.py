"""A Mounter that records tmpfs mounts instead of making them, for the volume tests."""

from __future__ import annotations

from pathlib import Path


class FakeMounter:
    def __init__(self, usable: bool = True):
        self.usable = usable
        self.mounts: dict[Path, tuple[int | None, int]] = {}

    def mount_tmpfs(self, path: Path, size_bytes: int | None, mode: int) -> None:
        if not self.usable:
            raise PermissionError(1, "Operation not permitted")
        self.mounts[path] = (size_bytes, mode)

    def is_mount(self, path: Path) -> bool:
        return path in self.mounts

    def unmount_under(self, root: Path) -> None:
        for p in [p for p in self.mounts if p == root or root in p.parents]:
            del self.mounts[p]
